import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers of docs/architecture.md, checked on the sources: who may import whom, and one
 * home for each shared thing (principal types, the import document, the PRNG, the
 * great-circle distance).
 */
const root = resolve(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** Repository-relative paths of the modules a file imports (relative specifiers only). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
  return specs.map((s) => relative(root, resolve(root, dirname(file), s)).replace(/\.js$/, '.ts'));
}

const dirs = ['src', 'solver', 'bench', 'web/src', 'scripts', 'simulations'].filter((d) => {
  try { return statSync(join(root, d)).isDirectory(); } catch { return false; }
});
const files = dirs.flatMap(sourceFiles);
const edges = files.flatMap((f) => importsOf(f).map((to) => ({ from: f, to })));
const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);
const broken = (rule: (e: { from: string; to: string }) => boolean) => edges.filter(rule).map((e) => `${e.from} -> ${e.to}`);

describe('layers', () => {
  it('solver/ imports nothing from src/, test/ or bench/', () => {
    expect(broken((e) => under(e.from, 'solver') && (under(e.to, 'src') || under(e.to, 'test') || under(e.to, 'bench')))).toEqual([]);
  });

  it('src/ reaches the solver only through solver/index.ts and solver/network/index.ts', () => {
    expect(broken((e) => under(e.from, 'src') && under(e.to, 'solver') && e.to !== 'solver/index.ts' && e.to !== 'solver/network/index.ts')).toEqual([]);
  });

  it('only api/ and the composition root import api/ (live/, demo/, store/, tracking/, ingest/, domain/ do not)', () => {
    expect(broken((e) => under(e.from, 'src') && under(e.to, 'src/api') && !under(e.from, 'src/api') && e.from !== 'src/service.ts')).toEqual([]);
  });

  it('domain/ depends on no other layer of the service', () => {
    expect(broken((e) => under(e.from, 'src/domain') && under(e.to, 'src') && !under(e.to, 'src/domain'))).toEqual([]);
  });

  it('nothing outside test/ imports test helpers', () => {
    expect(broken((e) => under(e.to, 'test'))).toEqual([]);
  });
});

describe('one home for each shared thing', () => {
  const holding = (pattern: RegExp) => files.filter((f) => pattern.test(readFileSync(join(root, f), 'utf8')));

  it('one seeded PRNG (the mulberry32 step constant appears once)', () => {
    expect(holding(/0x6d2b79f5/i)).toEqual(['solver/random.ts']);
  });

  it('one great-circle distance in code (the earth radius appears once; SQL gets it as a parameter)', () => {
    expect(holding(/6_?371_?008\.8|6371(?:_?0{3})?\b|Math\.asin\(/)).toEqual(['solver/geo.ts']);
    expect(holding(/\bdistance\b[^;]*from '@turf/)).toEqual([]);
  });
});
