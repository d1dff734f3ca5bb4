import { runCapacityCli } from './capacity/cli.js';
import { runFleetCli } from './fleet/cli.js';

/**
 * `npm run simulate -- <what> ...`: the simulations, routed by the first argument. `fleet` is the
 * fleet simulator over the real protocols (simulations/fleet/); `capacity` the Monte Carlo
 * capacity study (simulations/capacity/).
 */
const [what, ...rest] = process.argv.slice(2);
const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  // one progress line, rewritten in place on a terminal
  progress: (line: string) => process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${line}` : `${line}\n`),
};

const commands: Record<string, (args: string[], env: Record<string, string | undefined>, out: typeof io) => Promise<number>> = {
  fleet: runFleetCli,
  capacity: runCapacityCli,
};

const run = what ? commands[what] : undefined;
if (run) {
  run(rest, process.env, io).then((code) => {
    if (process.stderr.isTTY) process.stderr.write('\n');
    process.exitCode = code;
  }, (err: unknown) => {
    process.stderr.write(`\n${what} failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
} else {
  process.stderr.write(`usage: npm run simulate -- ${Object.keys(commands).join('|')} ...\n`);
  process.exitCode = 2;
}
