import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PlanJobInput, PlanJobResult, PlanProgress } from './plan-job.js';
import type { FromWorker, ToWorker } from './plan-worker.js';

/** The thread died under the job (out of memory, killed): the job may be tried again. */
export class PlanThreadCrash extends Error {}

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

  private start(): Worker {
    const entry = new URL('./plan-worker.ts', import.meta.url).href;
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
    const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
    const worker = new Worker(boot, { eval: true, name: 'plan-worker' });
    worker.on('message', (m: FromWorker) => {
      const job = this.current;
      if (!job || m.jobId !== job.jobId) return;
      if (m.type === 'progress') job.onProgress(m.progress);
      else {
        this.current = undefined;
        if (m.type === 'done') job.resolve(m.result);
        else job.reject(Object.assign(new Error(m.message), { stack: m.stack }));
      }
    });
    const died = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      const job = this.current;
      this.current = undefined;
      job?.reject(new PlanThreadCrash(`plan worker thread died: ${err.message}`));
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`exit code ${code}`)));
    return worker;
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

  /** Stops the thread (a running job is rejected as a crash, to be tried again). */
  async terminate(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
