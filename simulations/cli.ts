import { runCapacityCli } from './capacity/cli.js';

/**
 * `npm run simulate -- <what> ...`: the simulations. `capacity` is the Monte Carlo capacity
 * study (simulations/capacity/); the fleet simulator over the real protocols is not built yet.
 */
const [what, ...rest] = process.argv.slice(2);
const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  // one progress line, rewritten in place on a terminal
  progress: (line: string) => process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${line}` : `${line}\n`),
};

if (what === 'capacity') {
  runCapacityCli(rest, process.env, io).then((code) => {
    if (process.stderr.isTTY) process.stderr.write('\n');
    process.exitCode = code;
  }, (err: unknown) => {
    process.stderr.write(`\ncapacity study failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
} else {
  process.stderr.write('usage: npm run simulate -- capacity ... (the fleet simulator is not built yet)\n');
  process.exitCode = 2;
}
