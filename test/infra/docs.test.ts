import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README and the docs point only at what exists: every relative link, and every path in
 * backticks that names a file or folder of the repository, resolves. (The README once sent
 * readers to city rules in a `docs` folder that did not exist.) Sections headed "not built
 * yet" are left out: they name where the missing parts will go.
 */
const root = resolve(import.meta.dirname, '..', '..');
const pages = ['README.md', 'solver/README.md', 'docs/domain.md', 'docs/architecture.md', 'docs/jt808.md'];
const topLevel = ['src', 'solver', 'simulations', 'web', 'test', 'bench', 'data', 'docs', 'scripts', '.ci'];

/** Paths a page refers to: link targets, and backticked paths under a top-level folder. */
function referencedPaths(page: string): string[] {
  // A section about parts not built yet names the folders they will live in.
  const text = readFileSync(join(root, page), 'utf8').replace(/^## [^\n]*not built yet[^\n]*\n[\s\S]*?(?=^## |(?![\s\S]))/gim, '');
  const links = [...text.matchAll(/\]\(([^)#\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t));
  const ticked = [...text.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!)
    .filter((t) => topLevel.some((d) => t === d || t.startsWith(`${d}/`)) && !/[*<>{}|]/.test(t));
  const fromPage = links.map((l) => join(dirname(page), l));
  return [...fromPage, ...ticked];
}

describe('documentation', () => {
  it('the pages exist', () => {
    expect(pages.filter((p) => !existsSync(join(root, p)))).toEqual([]);
  });

  it('every path the README and docs name exists', () => {
    const missing: string[] = [];
    for (const page of pages.filter((p) => existsSync(join(root, p)))) {
      for (const path of referencedPaths(page)) {
        if (!existsSync(join(root, path.replace(/:.*$/, '')))) missing.push(`${page}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
