import { describe, expect, it } from 'vitest';
import { demoCityForFile } from '../helpers/service.js';
import { waitForJob } from '../helpers/plans.js';

const city = demoCityForFile();

describe('snow-day plans over the API', () => {
  it('plans a district for a snow day: snow clearing and de-icing instead of sweeping, valid, marked snow', async () => {
    const { svc, dispatcher } = city;
    const asked = await svc.call('POST', '/api/v1/plans', { token: dispatcher, body: { date: '2026-12-01', district: 'Fontvieille', iterations: 100, seed: 2, mode: 'snow' } });
    expect(asked.status).toBe(202);
    const job = await waitForJob(svc, dispatcher, asked.body.jobId);
    expect(job.error).toBeNull();
    expect(job.status).toBe('done');
    const plan = await svc.call('GET', `/api/v1/plans/${asked.body.planId}`, { token: dispatcher });
    expect(plan.body).toMatchObject({ status: 'draft', valid: true, options: { mode: 'snow' } });
    expect(plan.body.figures.violations).toBe(0);
    const stored = await svc.call('GET', `/api/v1/plans/${asked.body.planId}/problem`, { token: dispatcher });
    const tasks: Array<{ id: string }> = stored.body.problem.sweepTasks;
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.every((t) => /^(plow|deice|spread):/.test(t.id))).toBe(true);
    // the demo city's spreaders put salt on the bridges, ramps and grade-1 roads, reloading at the salt yard
    const spreading = stored.body.solution.routes.filter((r: any) => r.carries === 'deicer');
    expect(spreading.length).toBeGreaterThan(0);
    expect(spreading.every((r: any) => r.vehicleId.startsWith('spreader-') && r.stops.every((s: any) => s.type !== 'facility' || s.id === 'fac-deicer-store-1'))).toBe(true);
    const worked = stored.body.solution.routes.flatMap((r: any) => r.stops).filter((s: any) => s.type === 'sweep');
    expect(worked.length).toBeGreaterThan(0);
    // what is not served is explained
    for (const u of plan.body.unserved) expect(u.reason).toEqual(expect.any(String));

    // a breakdown at 05:00 local (UTC+8) re-plans the snow day as a snow day
    const published = await svc.call('POST', `/api/v1/plans/${asked.body.planId}/publish`, { token: dispatcher });
    expect(published.status).toBe(200);
    const sweeper = stored.body.solution.routes.find((r: any) => r.carries === 'sweepings' && r.stops.some((s: any) => s.type === 'sweep')).vehicleId;
    // the sweeper's driver reads snow clearing, not sweeping
    const route = await svc.call('GET', `/api/v1/vehicles/${sweeper}/route?date=2026-12-01`, { token: dispatcher });
    const work = route.body.stops.filter((s: any) => s.action.kind === 'street_work').map((s: any) => s.action.work);
    expect(work.length).toBeGreaterThan(0);
    expect(new Set(work)).toEqual(new Set(['plow']));
    // the spreader's driver reads salt spreading
    const salting = await svc.call('GET', `/api/v1/vehicles/${spreading[0].vehicleId}/route?date=2026-12-01`, { token: dispatcher });
    expect(new Set(salting.body.stops.filter((s: any) => s.action.kind === 'street_work').map((s: any) => s.action.work))).toEqual(new Set(['spread']));
    const replan = await svc.call('POST', `/api/v1/plans/${asked.body.planId}/replan`, { token: dispatcher, body: { event: { kind: 'breakdown', vehicleId: sweeper }, at: '2026-11-30T21:00:00Z', iterations: 100, seed: 2 } });
    expect(replan.status).toBe(202);
    expect((await waitForJob(svc, dispatcher, replan.body.jobId)).status).toBe('done');
    const again = await svc.call('GET', `/api/v1/plans/${replan.body.planId}`, { token: dispatcher });
    expect(again.body).toMatchObject({ valid: true, options: { mode: 'snow' } });

    const bad = await svc.call('POST', '/api/v1/plans', { token: dispatcher, body: { date: '2026-12-01', district: 'Fontvieille', mode: 'blizzard' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('mode');
  });
});
