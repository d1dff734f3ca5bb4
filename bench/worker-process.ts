import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const workerEntry = fileURLToPath(new URL('../src/worker.ts', import.meta.url));

/**
 * A `npm run worker` process (started with node and tsx directly: npm would add a second process
 * and a second of CPU); resolves once it says it is ready. `env` is added to this process's own.
 * `bundle`: the worker program already bundled into one ES module (the test suites build one per
 * run), started without tsx.
 */
export async function startWorkerProcess(env: Record<string, string>, bundle?: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, bundle ? [bundle] : ['--import', 'tsx', workerEntry], {
    env: { ...process.env, LOG_LEVEL: 'info', PLAN_WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('plan worker ready')) resolve();
      // a worker logs every job: keep only the tail for the error message
      if (out.length > 100_000) out = out.slice(-10_000);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${out.slice(-2000)}`)));
  });
  return child;
}
