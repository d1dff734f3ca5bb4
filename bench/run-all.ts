/**
 * `npm run bench`: every benchmark once, one after the other (they must not share the 2 cores),
 * at a size that finishes in a few minutes: the solver bench with `--quick`, ingestion on the
 * embedded store for 10 s, the planning bench with one simulated day, compliance on 500 trucks and one
 * night, a 3-day capacity study at 20 iterations. Each prints its own table and JSON line; the full runs are the
 * individual `npm run bench:…` scripts. Exit code 1 when any of them fails.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const runs: Array<{ script: string; args: string[]; node?: string[] }> = [
  { script: 'jt808-fuzz.ts', args: [] },
  { script: 'network.ts', args: [] },
  { script: 'ingest.ts', args: ['--store', 'pglite', '--duration', '10'] },
  { script: 'solver.ts', args: ['--quick'] },
  { script: 'planning.ts', args: ['--days', '1'] },
  { script: 'compliance.ts', args: ['--trucks', '500', '--nights', '1'], node: ['--expose-gc'] },
  { script: 'simulate.ts', args: ['--days', '3', '--iterations', '20'] },
];

let failed = 0;
for (const { script, args, node = [] } of runs) {
  console.log(`\n# bench/${script} ${args.join(' ')}`);
  const res = spawnSync(process.execPath, [...node, '--import', 'tsx', join(import.meta.dirname, script), ...args], { stdio: 'inherit' });
  if (res.status !== 0) { failed++; console.error(`bench/${script} exited with ${res.status ?? res.signal}`); }
}
process.exit(failed ? 1 : 0);
