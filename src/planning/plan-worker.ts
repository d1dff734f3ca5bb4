import { parentPort } from 'node:worker_threads';
import { runPlanJob, type PlanJobInput } from './plan-job.js';

/**
 * The worker thread's side of plan-thread.ts: one job at a time, progress posted as it comes
 * (at most every 200 ms, and every phase change), then the result or the error.
 */
export type ToWorker = { type: 'run'; jobId: string; input: PlanJobInput };
export type FromWorker =
  | { type: 'progress'; jobId: string; progress: import('./plan-job.js').PlanProgress }
  | { type: 'done'; jobId: string; result: import('./plan-job.js').PlanJobResult }
  | { type: 'error'; jobId: string; message: string; stack?: string };

const port = parentPort;
if (!port) throw new Error('plan-worker.ts runs in a worker thread');

port.on('message', (message: ToWorker) => {
  if (message.type !== 'run') return;
  const { jobId, input } = message;
  let lastMs = 0;
  let lastPhase = '';
  runPlanJob(input, (progress) => {
    const now = Date.now();
    if (progress.phase === lastPhase && now - lastMs < 200) return;
    lastMs = now;
    lastPhase = progress.phase;
    port.postMessage({ type: 'progress', jobId, progress } satisfies FromWorker);
  }).then((result) => {
    // copied, not transferred: a small Buffer may share its memory with others
    port.postMessage({ type: 'done', jobId, result } satisfies FromWorker);
  }, (err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    port.postMessage({ type: 'error', jobId, message: e.message, stack: e.stack } satisfies FromWorker);
  });
});
