import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Every string of the web app is in both languages: the same keys, no empty text, the same {{placeholders}}. */
const dir = fileURLToPath(new URL('../../web/src/locales/', import.meta.url));
const load = (name: string) => JSON.parse(readFileSync(`${dir}${name}`, 'utf8')) as Record<string, unknown>;

function flatten(obj: Record<string, unknown>, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(obj)) {
    if (v && typeof v === 'object') for (const [kk, vv] of flatten(v as Record<string, unknown>, `${prefix}${k}.`)) out.set(kk, vv);
    else out.set(`${prefix}${k}`, String(v));
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('locale files', () => {
  const zh = flatten(load('zh-CN.json'));
  const en = flatten(load('en.json'));

  it('are exactly zh-CN and en', () => {
    expect(readdirSync(dir).sort()).toEqual(['en.json', 'zh-CN.json']);
  });

  it('have the same keys', () => {
    expect([...zh.keys()].filter((k) => !en.has(k))).toEqual([]);
    expect([...en.keys()].filter((k) => !zh.has(k))).toEqual([]);
    expect(zh.size).toBeGreaterThan(200);
  });

  it('have no empty text and the same placeholders per key', () => {
    for (const [k, v] of zh) {
      expect(v.trim(), k).not.toBe('');
      expect(en.get(k)!.trim(), k).not.toBe('');
      expect(placeholders(v), k).toEqual(placeholders(en.get(k)!));
    }
  });

  it('are used: every key the page sources name literally exists', () => {
    const src = fileURLToPath(new URL('../../web/src/', import.meta.url));
    const files = readdirSync(src, { recursive: true }).map(String).filter((f) => f.endsWith('.ts'));
    const missing: string[] = [];
    for (const f of files) {
      const text = readFileSync(`${src}${f}`, 'utf8');
      for (const m of text.matchAll(/\bt\('([a-zA-Z0-9_.-]+)'/g)) if (!zh.has(m[1]!)) missing.push(`${f}: ${m[1]}`);
    }
    expect(missing).toEqual([]);
  });
});
