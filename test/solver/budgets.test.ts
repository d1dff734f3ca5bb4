import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { highsLimits, MIP_MAX_NODES } from '../../solver/lp/lp.js';

/**
 * Solver tests are bounded by work, never by the wall clock: the same seed and iteration
 * budget give the same plan on a quiet and on a loaded machine.
 */
describe('solver tests use work budgets', () => {
  const dir = import.meta.dirname;
  const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'budgets.test.ts')
    .map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') }));

  it('no solver test reads the clock or sets a time limit', () => {
    const offending = sources.filter((s) => /timeLimitMs|Date\.now\(|performance\.now\(/.test(s.text)).map((s) => s.file);
    expect(offending).toEqual([]);
  });

  it('every solve() in the solver tests has an iteration budget', () => {
    const unbounded: string[] = [];
    for (const { file, text } of sources) {
      for (const m of text.matchAll(/\bsolve\(([^;]*?)\)\s*;/g)) {
        // a budget in the call, or in an options object spread into it
        if (!/maxIterations|\.\.\.opts|\bopts\b/.test(m[1])) unbounded.push(`${file}: ${m[0]}`);
      }
    }
    expect(unbounded).toEqual([]);
  });

  it('without a time budget HiGHS stops by nodes (work), with one by its time cap', () => {
    expect(highsLimits()).toEqual({ mip_max_nodes: MIP_MAX_NODES });
    expect(highsLimits(2.5)).toEqual({ time_limit: 2.5 });
  });
});
