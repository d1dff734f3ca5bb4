import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../../vitest.config.js';

/**
 * Timeouts are hang guards, never a measure: a test that passes on a quiet machine must not
 * fail on a loaded one because it was slower. No test or hook sets a limit below the global
 * guard of vitest.config.ts (the old 60 s limits failed suites on this shared machine).
 */
const root = resolve(import.meta.dirname, '..', '..');
const GUARD_MS = 300_000;

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : testFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

describe('test timeouts are hang guards', () => {
  it('the global test and hook timeouts are at least 5 minutes', () => {
    expect(config.test?.testTimeout).toBeGreaterThanOrEqual(GUARD_MS);
    expect(config.test?.hookTimeout).toBeGreaterThanOrEqual(GUARD_MS);
  });

  it('no test or hook lowers its own timeout below the guard', () => {
    const lowered: string[] = [];
    for (const file of testFiles(join(root, 'test'))) {
      const text = readFileSync(file, 'utf8');
      // a limit closing an it/hook (`}, 60_000);`), or vitest options on describe/it/test
      for (const m of text.matchAll(/^\s*\}, ([\d_]+)\);$|\b(?:describe|it|test)(?:\.\w+)*\([^\n]*\{\s*timeout: ([\d_]+)/gm)) {
        const ms = Number((m[1] ?? m[2])!.replaceAll('_', ''));
        if (ms < GUARD_MS) lowered.push(`${relative(root, file)}: ${m[0].trim()}`);
      }
    }
    expect(lowered).toEqual([]);
  });
});
