import type { TestService } from './service.js';

/**
 * Polls a plan job until it ends. Jobs run on iteration budgets, so they end; the wait is
 * generous because the test machine is shared and slow, not because the result depends on it.
 */
export async function waitForJob(svc: TestService, token: string, jobId: string, timeoutMs = 600_000): Promise<any> {
  const start = Date.now();
  for (;;) {
    const job = await svc.call('GET', `/api/v1/plan-jobs/${jobId}`, { token });
    if (job.body.status === 'done' || job.body.status === 'failed') return job.body;
    if (Date.now() - start > timeoutMs) throw new Error(`job ${jobId} still ${job.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
