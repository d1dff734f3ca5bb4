import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, TEST_ADMIN_TOKEN, type TestService } from '../helpers/service.js';

/**
 * Capacity runs over the API: a planner starts a small study of the stored demo city, follows
 * it, and reads the share of days cleared per fleet and the recommendation; others may not.
 */
let svc: TestService;
let planner: string;
let dispatcher: string;
beforeAll(async () => {
  svc = await startTestService({ demo: true, roadNetwork: true });
  await svc.network;
  planner = svc.roleToken('planner');
  dispatcher = svc.roleToken('dispatcher');
}, 600_000);
afterAll(async () => {
  await svc?.stop();
});

async function waitForRun(id: string): Promise<any> {
  const start = Date.now();
  for (;;) {
    const run = await svc.call('GET', `/api/v1/capacity-runs/${id}`, { token: planner });
    if (run.body.status === 'done' || run.body.status === 'failed') return run.body;
    // generous: the machine is shared; the run ends on its iteration budget
    if (Date.now() - start > 600_000) throw new Error(`capacity run ${id} still ${run.body.status}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('capacity runs over the API', () => {
  it('a planner starts a study of the stored city and reads the share of days cleared per fleet and the smallest fleet reaching the target', async () => {
    const asked = await svc.call('POST', '/api/v1/capacity-runs', {
      token: planner, body: { days: 2, seed: 11, iterations: 10, work: ['points'], fleets: [{ collector: 6 }, { collector: 17 }], targetShare: 0.99 },
    });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ id: expect.any(String), progress: { total: 4 } });
    const run = await waitForRun(asked.body.id);
    expect(run.error).toBeNull();
    expect(run.status).toBe('done');
    expect(run.progress).toEqual({ done: 4, total: 4 });
    expect(run.result.days).toHaveLength(4);
    const cleared = (fleet: string) => run.result.days.filter((d: any) => d.fleet === fleet && d.cleared && d.validator.valid && d.validator.served === d.validator.required).length;
    expect(run.result.configs.map((c: any) => [c.label, c.cleared, c.days])).toEqual([['collector=6', cleared('collector=6'), 2], ['collector=17', cleared('collector=17'), 2]]);
    expect(cleared('collector=17')).toBeGreaterThanOrEqual(cleared('collector=6'));
    const reaching = [6, 17].filter((n) => cleared(`collector=${n}`) === 2);
    expect(run.result.recommended?.fleet ?? null).toEqual(reaching.length ? { collector: Math.min(...reaching) } : null);
    const list = await svc.call('GET', '/api/v1/capacity-runs', { token: TEST_ADMIN_TOKEN });
    expect(list.status).toBe(200);
    expect(list.body.items[0]).toMatchObject({ id: asked.body.id, status: 'done' });
  });

  it('refuses bad scenarios with the field named, and other roles', async () => {
    const bad = await svc.call('POST', '/api/v1/capacity-runs', { token: planner, body: { days: 0, fleets: [{ collector: 3 }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: any) => d.path)).toContain('body.days');
    const badKey = await svc.call('POST', '/api/v1/capacity-runs', { token: planner, body: { days: 1, fleets: [{ trucks: 3 }] } });
    expect(badKey.status).toBe(400);
    expect(badKey.body.details[0].path).toMatch(/^body\.fleets\.0/);
    const tooBig = await svc.call('POST', '/api/v1/capacity-runs', { token: planner, body: { days: 1000, fleets: [{ collector: 3 }, { collector: 4 }, { collector: 5 }] } });
    expect(tooBig.status).toBe(400);
    expect(await svc.call('POST', '/api/v1/capacity-runs', { token: dispatcher, body: { days: 1, fleets: [{ collector: 3 }] } })).toMatchObject({ status: 403 });
    expect(await svc.call('GET', '/api/v1/capacity-runs', { token: dispatcher })).toMatchObject({ status: 403 });
    expect(await svc.call('GET', '/api/v1/capacity-runs/cap_nothing', { token: planner })).toMatchObject({ status: 404 });
  });
});
