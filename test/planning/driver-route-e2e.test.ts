import { afterAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { PlanClock } from '../../src/planning/plan-clock.js';
import { SimTerminal } from '../../simulations/jt808-terminal.js';
import { waitForJob } from '../helpers/plans.js';
import { demoCityForFile } from '../helpers/service.js';

/**
 * A real plan to the trucks, as a user would see it: the demo city on its road network, a
 * district planned by the solver in a worker thread, published by the dispatcher; the route
 * of a routed truck reads along the roads, and its in-cab terminal (a simulated JT/T 808
 * terminal over real TCP) receives the route in chunks and answers each one, the answers
 * stored; a second terminal that connects only after the publishing gets its route then.
 */
async function until<T>(what: string, probe: () => Promise<T | undefined>, tries = 1200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const got = await probe();
    if (got !== undefined) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const city = demoCityForFile();
const terminals: SimTerminal[] = [];
// registered after the city's: runs before its service stops
afterAll(async () => {
  for (const t of terminals) await t.close();
});

describe('a solved plan reaches the trucks', () => {
  it('publishes a district plan; the route follows the roads and goes to the terminals in answered chunks', async () => {
    const { svc, dispatcher } = city;
    const date = PlanClock.localDate(Date.now(), 'Asia/Shanghai');
    const asked = await svc.call('POST', '/api/v1/plans', { token: dispatcher, body: { date, district: 'Fontvieille', iterations: 50, seed: 5 } });
    expect(asked.status).toBe(202);
    expect((await waitForJob(svc, dispatcher, asked.body.jobId)).status).toBe('done');
    const planId = asked.body.planId;
    const plan = (await svc.call('GET', `/api/v1/plans/${planId}`, { token: dispatcher })).body;
    const vehicles = (await svc.call('GET', '/api/v1/vehicles?limit=1000', { token: dispatcher })).body.items as Array<{ id: string; terminalId?: string }>;
    const terminalOf = new Map(vehicles.filter((v) => v.terminalId).map((v) => [v.id, v.terminalId!]));
    const routed = (plan.solution.routes as Array<{ vehicleId: string; stops: unknown[] }>).filter((r) => terminalOf.has(r.vehicleId));
    expect(routed.length).toBeGreaterThanOrEqual(2);
    const [first, second] = routed as [typeof routed[0], typeof routed[0]];

    const early = await SimTerminal.connect(svc.jt808Port!, terminalOf.get(first.vehicleId)!);
    terminals.push(early);
    await early.login();
    expect((await svc.call('POST', `/api/v1/plans/${planId}/publish`, { token: dispatcher })).status).toBe(200);

    const route = (await svc.call('GET', `/api/v1/vehicles/${first.vehicleId}/route`, { token: dispatcher })).body;
    expect(route.plan).toMatchObject({ id: planId, status: 'published' });
    expect(route.stops).toHaveLength(first.stops.length);
    // along the roads: many more points than stops
    expect(route.route.path.coordinates.length).toBeGreaterThan(2 * route.stops.length);
    expect(route.stops[0].action.kind).toBe('leave_depot');
    expect(route.stops.at(-1).action.kind).toBe('return_depot');

    const delivered = await until('the first terminal answers every chunk', async () => {
      const m = await svc.call('GET', `/api/v1/plans/${planId}/terminal-messages?vehicleId=${first.vehicleId}`, { token: dispatcher });
      return m.body.items.length > 0 && m.body.items.every((i: any) => i.status === 'replied') ? m.body.items : undefined;
    });
    expect(early.texts).toEqual(delivered.map((i: any) => i.text));
    for (const item of delivered) {
      expect(item.replyResult).toBe(0);
      expect(iconv.encode(item.text, 'gbk').length).toBeLessThanOrEqual(1021);
    }
    // every stop has its line in the text the driver reads
    const whole = early.texts.map((t) => t.replace(/^\(\d+\/\d+\) /, '')).join('');
    for (const stop of route.stops) expect(whole).toContain(`\n${stop.seq} ${stop.startLocal}`);

    const pending = (await svc.call('GET', `/api/v1/plans/${planId}/terminal-messages?vehicleId=${second.vehicleId}`, { token: dispatcher })).body.items;
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.every((i: any) => i.status === 'queued')).toBe(true);
    const late = await SimTerminal.connect(svc.jt808Port!, terminalOf.get(second.vehicleId)!);
    terminals.push(late);
    await late.login();
    const later = await until('the late terminal answers', async () => {
      const m = await svc.call('GET', `/api/v1/plans/${planId}/terminal-messages?vehicleId=${second.vehicleId}`, { token: dispatcher });
      return m.body.items.every((i: any) => i.status === 'replied') ? m.body.items : undefined;
    });
    expect(late.texts).toEqual(later.map((i: any) => i.text));
  });
});
