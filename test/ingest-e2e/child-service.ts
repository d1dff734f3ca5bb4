import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childBundle } from '../helpers/child-bundles.js';
import { TEST_PGLITE_SHARED_BUFFERS } from '../helpers/store-root.js';

/**
 * The real service (src/main.ts, bundled once per run: child-bundles.ts) as a child process, so
 * a test can SIGKILL it the way a crash or an OOM kill would, and start it again on the same store.
 */
export interface ChildService {
  process: ChildProcess;
  url: string;
  jt808Port: number;
  /** SIGKILL: no shutdown hook runs, nothing is drained. */
  kill(): Promise<void>;
  /** SIGTERM: the orderly stop. */
  stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function startChildService(env: Record<string, string>, timeoutMs = 90_000): Promise<ChildService> {
  const child = spawn(process.execPath, [childBundle('main')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', JT808_PORT: '0', JT808_HOST: '127.0.0.1', LOG_LEVEL: 'info', PGLITE_SHARED_BUFFERS: TEST_PGLITE_SHARED_BUFFERS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const listening = await new Promise<{ url: string; jt808Port: number }>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`service did not start within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string; jt808Port?: number };
          if (entry.msg === 'sanifleet listening') {
            clearTimeout(timer);
            resolve({ url: entry.url!, jt808Port: entry.jt808Port! });
          }
        } catch {
          // not a log line
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before listening: ${stderr}`));
    });
  });
  // Keep draining stdout so the child never blocks on a full pipe.
  child.stdout!.resume();
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return { process: child, ...listening, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}
