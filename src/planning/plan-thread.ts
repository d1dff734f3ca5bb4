import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PlanJobInput, PlanJobResult, PlanProgress } from './plan-job.js';
import type { FromWorker, ToWorker } from './plan-worker.js';

/** The thread died under the job (out of memory, killed): the job may be tried again. */
export class PlanThreadCrash extends Error {}

/**
 * Threads of stopped PlanThreads that had no job, kept for the next PlanThread of this process.
 * Starting a thread costs about half a second of CPU (tsx transforms the solver in it) and its
 * solver code then runs cold; a process that starts and stops several services (the tests, one
 * file after another in each test process) reuses a warm thread instead. A service process
 * stops its only runner when it exits, so there the pool stays empty. Idle threads are unref'd:
 * they never keep a process alive.
 */
const idleWorkers: Worker[] = [];
const IDLE_WORKERS_KEPT = 2;

function forgetIdle(this: Worker): void {
  const i = idleWorkers.indexOf(this);
  if (i >= 0) idleWorkers.splice(i, 1);
}

function borrowIdle(): Worker | undefined {
  const worker = idleWorkers.pop();
  if (!worker) return undefined;
  worker.off('exit', forgetIdle);
  worker.off('error', forgetIdle);
  worker.ref();
  return worker;
}

/** Keeps an idle thread for the next PlanThread; the oldest idle one stops when enough are kept. */
async function giveBack(worker: Worker): Promise<void> {
  worker.unref();
  worker.on('exit', forgetIdle);
  worker.on('error', forgetIdle);
  idleWorkers.push(worker);
  if (idleWorkers.length > IDLE_WORKERS_KEPT) await idleWorkers.shift()!.terminate();
}

/**
 * One long-lived worker thread that runs plan jobs one at a time (it keeps the road network
 * loaded between jobs). The service runs from TypeScript through tsx, so the thread starts
 * with tsx's loader registered before it imports plan-worker.ts (`execArgv: ['--import',
 * 'tsx']` does not reach a worker's entry module on Node 20).
 */
export class PlanThread {
  private worker: Worker | undefined;
  private closed = false;
  private current: { jobId: string; resolve(r: PlanJobResult): void; reject(e: Error): void; onProgress(p: PlanProgress): void } | undefined;

  private readonly listeners = {
    message: (m: FromWorker) => {
      const job = this.current;
      if (!job || m.jobId !== job.jobId) return;
      if (m.type === 'progress') job.onProgress(m.progress);
      else {
        this.current = undefined;
        if (m.type === 'done') job.resolve(m.result);
        else job.reject(Object.assign(new Error(m.message), { stack: m.stack }));
      }
    },
    error: (err: Error) => this.died(err),
    exit: (code: number) => this.died(new Error(`exit code ${code}`)),
  };

  private died(err: Error): void {
    this.worker = undefined;
    const job = this.current;
    this.current = undefined;
    job?.reject(new PlanThreadCrash(`plan worker thread died: ${err.message}`));
  }

  private start(): Worker {
    const worker = borrowIdle() ?? PlanThread.newWorker();
    worker.on('message', this.listeners.message);
    worker.on('error', this.listeners.error);
    worker.on('exit', this.listeners.exit);
    return worker;
  }

  private static newWorker(): Worker {
    const entry = new URL('./plan-worker.ts', import.meta.url).href;
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
    const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
    return new Worker(boot, { eval: true, name: 'plan-worker' });
  }

  /** The thread's id while it has one (a thread borrowed from the idle ones keeps its id). */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  run(jobId: string, input: PlanJobInput, onProgress: (p: PlanProgress) => void): Promise<PlanJobResult> {
    if (this.closed) return Promise.reject(new PlanThreadCrash('plan thread stopped'));
    if (this.current) return Promise.reject(new Error('plan thread busy'));
    this.worker ??= this.start();
    return new Promise((resolve, reject) => {
      this.current = { jobId, resolve, reject, onProgress };
      this.worker!.postMessage({ type: 'run', jobId, input } satisfies ToWorker);
    });
  }

  /**
   * Stops the thread (a running job is rejected as a crash, to be tried again). A thread with
   * no job goes back to the process's idle threads.
   */
  async terminate(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    if (!w) return;
    if (this.current) {
      // the job ends as a crash (the exit), even when its result is already on the way
      w.off('message', this.listeners.message);
      await w.terminate();
      return;
    }
    this.worker = undefined;
    w.off('message', this.listeners.message);
    w.off('error', this.listeners.error);
    w.off('exit', this.listeners.exit);
    await giveBack(w);
  }
}
