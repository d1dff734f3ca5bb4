import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
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
    // the planner follows the run on the socket (planners have no live fleet view, but this room)
    const socket: Socket = connect(svc.url, { auth: { token: planner }, transports: ['websocket'] });
    const events: any[] = [];
    socket.on('capacity:progress', (e) => events.push(e));
    let run: any;
    try {
      expect(await socket.timeout(60_000).emitWithAck('capacity:follow', { runId: asked.body.id })).toEqual({ ok: true });
      run = await waitForRun(asked.body.id);
      const startMs = Date.now();
      while (events.at(-1)?.status !== run.status && Date.now() - startMs < 60_000) await new Promise((r) => setTimeout(r, 100));
    } finally {
      socket.close();
    }
    expect(events[0]).toMatchObject({ runId: asked.body.id, total: 4 });
    expect(events[0].done).toBeLessThan(4);
    expect(events.at(-1)).toMatchObject({ runId: asked.body.id, status: 'done', done: 4, total: 4 });
    expect(events.at(-1).shares).toEqual(run.result.configs.map((c: any) => ({ label: c.label, days: 2, cleared: c.cleared, share: c.cleared / 2 })));
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

  it('lets planners and admins follow a run on the socket, and no one else; planners still see no vehicle', async () => {
    const follow = async (token: string, runId = 'cap_nothing') => {
      const socket: Socket = connect(svc.url, { auth: { token }, transports: ['websocket'] });
      const snapshots: unknown[] = [];
      socket.on('fleet:snapshot', (s) => snapshots.push(s));
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
        const reply = await socket.timeout(60_000).emitWithAck('capacity:follow', { runId });
        const subscribe = await socket.timeout(60_000).emitWithAck('subscribe', {});
        return { reply, subscribe, snapshots };
      } finally {
        socket.close();
      }
    };
    const asPlanner = await follow(planner);
    expect(asPlanner.reply).toMatchObject({ code: 'not_found', details: [{ path: 'runId' }] });
    expect(asPlanner.subscribe).toMatchObject({ code: 'auth.forbidden' });
    expect(asPlanner.snapshots).toEqual([]);
    expect((await follow(planner, 'no spaces allowed')).reply).toMatchObject({ code: 'validation.failed', details: [{ path: 'runId' }] });
    const listed = (await svc.call('GET', '/api/v1/capacity-runs', { token: planner })).body.items[0].id;
    expect((await follow(TEST_ADMIN_TOKEN, listed)).reply).toEqual({ ok: true });
    for (const role of ['driver', 'enforcement', 'dispatcher']) {
      expect((await follow(svc.roleToken(role), listed)).reply).toMatchObject({ error: 'forbidden', code: 'auth.forbidden' });
    }
  });
});
