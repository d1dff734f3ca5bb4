import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { startTestService, type TestService } from '../helpers/service.js';
import { validateSolution } from '../../solver/index.js';
import { waitForJob } from '../helpers/plans.js';

let svc: TestService;
let dispatcher: string;
let enforcement: string;
let driver: string;
beforeAll(async () => {
  svc = await startTestService({ demo: true, roadNetwork: true });
  await svc.network;
  dispatcher = svc.roleToken('dispatcher');
  enforcement = svc.roleToken('enforcement');
  driver = svc.roleToken('driver');
}, 600_000);
afterAll(async () => {
  await svc?.stop();
});

describe('plans over the API', () => {
  it('plans a district end to end in a worker thread, with progress pushed to dispatchers, then publishes and re-validates', async () => {
    const socket: Socket = connect(svc.url, { auth: { token: dispatcher }, transports: ['websocket'] });
    const progress: any[] = [];
    socket.on('plan:progress', (e) => progress.push(e));
    await new Promise<void>((resolve, reject) => { socket.on('connect', () => resolve()); socket.on('connect_error', reject); });
    try {
      const asked = await svc.call('POST', '/api/v1/plans', { token: dispatcher, body: { date: '2026-12-01', district: 'Fontvieille', iterations: 200, seed: 3 } });
      expect(asked.status).toBe(202);
      expect(asked.body).toMatchObject({ jobId: expect.any(String), planId: expect.any(String), version: 1 });
      // the service answers while the plan runs
      const health = await svc.call('GET', '/api/v1/health');
      expect(health.status).toBe(200);
      const job = await waitForJob(svc, dispatcher, asked.body.jobId);
      expect(job.error).toBeNull();
      expect(job.status).toBe('done');

      const plan = await svc.call('GET', `/api/v1/plans/${asked.body.planId}`, { token: enforcement });
      expect(plan.status).toBe(200);
      expect(plan.body).toMatchObject({ status: 'draft', date: '2026-12-01', district: 'Fontvieille', valid: true });
      expect(plan.body.figures.violations).toBe(0);
      expect(plan.body.figures.vehicles).toBeGreaterThan(0);
      // the drivers' breaks are in this Problem: the dispatcher sees whether the safety net after the search acted
      expect(plan.body.figures.repairs).toEqual({ facilityTrips: expect.any(Number), breakTasks: expect.any(Number) });
      expect(plan.body.figures.repairs).toEqual(plan.body.solution.stats.repairs);
      const routes = plan.body.routes.features.filter((f: any) => f.properties.kind === 'route');
      const stops = plan.body.routes.features.filter((f: any) => f.properties.kind === 'stop');
      expect(routes.length).toBe(plan.body.solution.routes.length);
      expect(routes.every((f: any) => f.geometry.type === 'LineString' && f.geometry.coordinates.length >= 2)).toBe(true);
      // UTC instants and Asia/Shanghai (UTC+8, the demo's zone) wall-clock times agree
      for (const s of stops) {
        expect(s.properties.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        const local = new Date(Date.parse(s.properties.start) + 8 * 3600_000).toISOString();
        const nextDay = local.slice(0, 10) === '2026-12-02';
        expect(local.slice(0, 10)).toBe(nextDay ? '2026-12-02' : '2026-12-01');
        expect(s.properties.startLocal).toBe(local.slice(11, 16) + (nextDay ? '+1' : ''));
      }
      for (const u of plan.body.unserved) expect(u.reason).toEqual(expect.any(String));
      expect(progress.some((e) => e.jobId === asked.body.jobId && e.status === 'running' && e.phase === 'solve')).toBe(true);
      expect(progress.at(-1)).toMatchObject({ jobId: asked.body.jobId, status: 'done', fraction: 1 });

      // the stored Problem checks out with the validator outside the service too
      const stored = await svc.call('GET', `/api/v1/plans/${asked.body.planId}/problem`, { token: dispatcher });
      expect(validateSolution(stored.body.problem, stored.body.solution).valid).toBe(true);

      const published = await svc.call('POST', `/api/v1/plans/${asked.body.planId}/publish`, { token: dispatcher });
      expect(published.status).toBe(200);
      expect(published.body).toMatchObject({ status: 'published', publishedBy: expect.stringContaining('dispatcher') });
      const again = await svc.call('POST', `/api/v1/plans/${asked.body.planId}/publish`, { token: dispatcher });
      expect(again.status).toBe(409);
      const revalidated = await svc.call('POST', `/api/v1/plans/${asked.body.planId}/revalidate`, { token: dispatcher });
      expect(revalidated.status).toBe(200);
      expect(revalidated.body).toMatchObject({ valid: true, violations: [] });
      const listed = await svc.call('GET', '/api/v1/plans?date=2026-12-01&status=published', { token: enforcement });
      expect(listed.body.items.map((p: any) => p.id)).toEqual([asked.body.planId]);
    } finally {
      socket.close();
    }
  }, 900_000);

  it('refuses bad requests with paths, unknown ids with 404, and drivers', async () => {
    const bad = await svc.call('POST', '/api/v1/plans', { token: dispatcher, body: { date: '2026-02-30', iterations: 5, extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: any) => d.path).sort()).toEqual(['body.date', 'body.extra', 'body.iterations']);
    const district = await svc.call('POST', '/api/v1/plans', { token: dispatcher, body: { date: '2026-12-01', district: 'Atlantis' } });
    expect(district.status).toBe(422);
    expect(district.body.details[0].path).toBe('body.district');
    expect((await svc.call('GET', '/api/v1/plans/plan_nope', { token: dispatcher })).status).toBe(404);
    expect((await svc.call('GET', '/api/v1/plan-jobs/job_nope', { token: dispatcher })).status).toBe(404);
    expect((await svc.call('POST', '/api/v1/plans/plan_nope/publish', { token: dispatcher })).status).toBe(404);
    expect((await svc.call('GET', '/api/v1/plans', { token: driver })).status).toBe(403);
    expect((await svc.call('POST', '/api/v1/plans', { token: enforcement, body: { date: '2026-12-01' } })).status).toBe(403);
  });
});
