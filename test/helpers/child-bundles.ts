import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inject } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The service's three programs, as `npm start`, `npm run worker` and `npm run admin` start them. */
export const CHILD_ENTRIES = { main: 'src/main.ts', worker: 'src/worker.ts', admin: 'src/cli/admin.ts' } as const;
export type ChildEntry = keyof typeof CHILD_ENTRIES;

declare module 'vitest' {
  interface ProvidedContext {
    /** Where global setup put this run's bundles of the CHILD_ENTRIES. */
    childBundleDir: string;
  }
}

/**
 * Bundles each program into one ES module, once per run, for the suites that start it as a
 * child process (a crash under SIGKILL, worker processes, the admin CLI). Loaded through tsx,
 * a child compiles and resolves every module of the service at each start: about 1.8 s of CPU
 * more per start than the bundle on this project's machine. The bundles live under
 * node_modules so their packages resolve as the sources' do, and every module keeps its own
 * file URL (import.meta.url), so the files it reads beside it (the web app, the demo data, the
 * plan thread's entry) are the sources' own. The README's ways to start the programs (npm
 * start, npm run admin) stay tested with tsx where a suite's subject is that way.
 */
export async function buildChildBundles(): Promise<{ dir: string; remove(): void }> {
  const parent = join(ROOT, 'node_modules', '.cache', 'sanifleet-test-bundles');
  mkdirSync(parent, { recursive: true });
  // a run that was killed left its bundles behind
  for (const name of readdirSync(parent)) {
    const path = join(parent, name);
    if (Date.now() - statSync(path).mtimeMs > 6 * 3600_000) rmSync(path, { recursive: true, force: true });
  }
  const dir = mkdtempSync(join(parent, 'run-'));
  await Promise.all(Object.entries(CHILD_ENTRIES).map(async ([name, entry]) => {
    const entryPath = join(ROOT, entry);
    await build({
      entryPoints: [entryPath], outfile: join(dir, `${name}.mjs`),
      bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning',
      plugins: [{
        name: 'own-file-url',
        setup(b) {
          b.onLoad({ filter: /\.ts$/ }, (args) => {
            const text = readFileSync(args.path, 'utf8');
            // the entry compares its own URL with the started file to know it is the program
            const contents = args.path === entryPath ? text : text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
            return { contents, loader: 'ts' };
          });
        },
      }],
    });
  }));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The bundle of one program built for this run (for `node <path>`). */
export function childBundle(name: ChildEntry): string {
  return join(inject('childBundleDir'), `${name}.mjs`);
}
