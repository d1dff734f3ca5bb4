import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshPgliteDataDir } from '../helpers/backends.js';
import { startTestService, TEST_ADMIN_TOKEN } from '../helpers/service.js';
import { waitForJob } from '../helpers/plans.js';

// The run's empty store (copied: a first start on an empty directory makes the same one, after an initdb).
const dataDir = freshPgliteDataDir() ?? mkdtempSync(join(tmpdir(), 'sanifleet-plan-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('plan jobs across a restart', () => {
  it('takes up a queued job, and one a dead process left running, after the service starts again', async () => {
    // an instance that queues plans but runs none (PLAN_WORKERS=0), stopped before anyone runs them
    const first = await startTestService({ demo: true, roadNetwork: true, dataDir, env: { PLAN_WORKERS: '0' } });
    let queued: { jobId: string; planId: string };
    let orphan: { jobId: string; planId: string };
    try {
      await first.network;
      const ask = async () => (await first.call('POST', '/api/v1/plans', { token: TEST_ADMIN_TOKEN, body: { date: '2026-12-02', district: 'Monaco-Ville', iterations: 100 } })).body;
      queued = await ask();
      orphan = await ask();
      // the second one looks as if a process had claimed it and died (its lease far from over)
      await first.db.query(`update plan_jobs set status = 'running', owner = 'gone:1', attempts = 1, lease_until = now() + interval '1 hour' where id = $1`, [orphan.jobId]);
      const job = await first.call('GET', `/api/v1/plan-jobs/${queued.jobId}`, { token: TEST_ADMIN_TOKEN });
      expect(job.body.status).toBe('queued');
    } finally {
      await first.stop();
    }

    const second = await startTestService({ roadNetwork: true, dataDir });
    try {
      const a = await waitForJob(second, TEST_ADMIN_TOKEN, queued!.jobId);
      const b = await waitForJob(second, TEST_ADMIN_TOKEN, orphan!.jobId);
      expect(a).toMatchObject({ status: 'done', attempts: 1 });
      expect(b).toMatchObject({ status: 'done', attempts: 2 });
      for (const id of [queued!.planId, orphan!.planId]) {
        const plan = await second.call('GET', `/api/v1/plans/${id}`, { token: TEST_ADMIN_TOKEN });
        expect(plan.body).toMatchObject({ status: 'draft', district: 'Monaco-Ville', valid: true });
      }
      // versions of the same date and district count on
      const versions = (await second.call('GET', '/api/v1/plans?date=2026-12-02&district=Monaco-Ville', { token: TEST_ADMIN_TOKEN })).body.items.map((p: any) => p.version);
      expect(versions).toEqual([2, 1]);
    } finally {
      await second.stop();
    }
  }, 900_000);
});
