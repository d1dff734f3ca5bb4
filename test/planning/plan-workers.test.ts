import type { ChildProcess } from 'node:child_process';
import { startWorkerProcess } from '../../bench/worker-process.js';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { createScratchDatabase, type ScratchDatabase } from '../../src/store/scratch-database.js';
import { startTestService, TEST_ADMIN_TOKEN, type TestService } from '../helpers/service.js';
import { childBundle } from '../helpers/child-bundles.js';
import { TEST_NETWORK_CACHE } from '../helpers/planning.js';
import { waitForJob } from '../helpers/plans.js';
import { describeWith, serverUrls } from '../helpers/servers.js';

const serverUrl = serverUrls.postgres;
/** A `npm run worker` process; resolves once it says it is ready. */
function startWorker(databaseUrl: string): Promise<ChildProcess> {
  return startWorkerProcess({ DATABASE_URL: databaseUrl, NETWORK_CACHE_DIR: TEST_NETWORK_CACHE }, childBundle('worker'));
}

describeWith('postgres', 'plan jobs over worker processes [postgres]', () => {
  let scratch: ScratchDatabase;
  let svc: TestService;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    scratch = await createScratchDatabase(serverUrl!, 'sanifleet_workers');
    // this instance only queues plans and serves pages: the two worker processes plan
    svc = await startTestService({ demo: true, roadNetwork: true, env: { DATABASE_URL: scratch.url, PLAN_WORKERS: '0' } });
    await svc.network;
  }, 600_000);
  afterAll(async () => {
    for (const w of workers) {
      w.kill('SIGTERM');
      if (w.exitCode === null) await once(w, 'exit');
    }
    await svc?.stop();
    await scratch?.drop();
  });

  it('plans a city of several districts as jobs spread over two worker processes, progress relayed to dispatchers', async () => {
    const profile = (await svc.call('GET', '/api/v1/city-profile', { token: TEST_ADMIN_TOKEN })).body;
    await svc.call('PUT', '/api/v1/city-profile', { token: TEST_ADMIN_TOKEN, body: { ...profile, planning: { ...profile.planning, iterations: 100 } } });
    workers.push(...(await Promise.all([startWorker(scratch.url), startWorker(scratch.url)])));
    const dispatcher = svc.roleToken('dispatcher');
    const socket: Socket = connect(svc.url, { auth: { token: dispatcher }, transports: ['websocket'] });
    const progress: any[] = [];
    socket.on('plan:progress', (e) => progress.push(e));
    try {
      const planIds = await svc.nightlyPlanning.runOnce(Date.UTC(2026, 11, 14, 4));
      expect(planIds).toHaveLength(4);
      const jobs = [];
      for (const planId of planIds) {
        const plan = (await svc.call('GET', `/api/v1/plans/${planId}`, { token: dispatcher })).body;
        jobs.push(await waitForJob(svc, dispatcher, plan.jobId));
      }
      expect(jobs.map((j) => j.status)).toEqual(['done', 'done', 'done', 'done']);
      // both processes took jobs
      expect(new Set(jobs.map((j) => j.owner.split(':').slice(0, 2).join(':'))).size).toBe(2);
      for (const planId of planIds) {
        const plan = (await svc.call('GET', `/api/v1/plans/${planId}`, { token: dispatcher })).body;
        expect(plan).toMatchObject({ status: 'draft', valid: true, date: '2026-12-15' });
      }
      // the pushes may trail the jobs' rows: wait for the last done (the poll's timeout only guards a hang)
      await expect.poll(() => progress.filter((e) => e.status === 'done').length, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(planIds.length);
      expect(progress.some((e) => e.status === 'running')).toBe(true);
      expect(progress.filter((e) => e.status === 'done').map((e) => e.planId).sort()).toEqual([...planIds].sort());
    } finally {
      socket.close();
    }
  }, 900_000);
});
