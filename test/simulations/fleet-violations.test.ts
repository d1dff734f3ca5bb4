import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { runFleetCli } from '../../simulations/fleet/cli.js';
import { startTestService, type TestService } from '../helpers/service.js';

/**
 * `npm run simulate -- fleet --mode violations`: the truth generator's night planted into a running
 * demo city over JT/T 808; an enforcement officer's own socket (not the simulator's score) sees the
 * planted incident types raised.
 */
describe('fleet simulator, violations mode', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ demo: true, roadNetwork: true });
    await svc.network; // off-route is judged on map-matched positions, as in production
  }, 600_000);
  afterAll(async () => {
    await svc?.stop();
  });

  it('plants a night of muck-truck violations and the enforcement desk receives each planted type', async () => {
    const officer: Socket = connect(svc.url, { auth: { token: svc.roleToken('enforcement') }, transports: ['websocket'] });
    const raised: Array<{ type: string; vehicleId?: string }> = [];
    officer.on('incident', (n: { change: string; incident: { type: string; vehicleId?: string } }) => {
      if (n.change === 'opened') raised.push(n.incident);
    });
    await new Promise<void>((resolve, reject) => {
      officer.once('connect', () => resolve());
      officer.once('connect_error', reject);
    });
    const out: string[] = [];
    let code: number;
    try {
      code = await runFleetCli(['--mode', 'violations', '--url', svc.url, '--token', svc.adminToken, '--jt808-port', String(svc.jt808Port), '--seed', '11', '--trips', '1', '--score'], {}, {
        out: (l) => out.push(l), progress: () => undefined,
      });
      await svc.compliance.flush();
      await svc.incidentSink.settle();
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      officer.close();
    }
    expect(code).toBe(0);
    const summary = JSON.parse(out.at(-1)!);
    const plantedTypes = Object.keys(summary.planted).sort();
    // the generator's night holds every type of rule, even on one trip per truck
    expect(plantedTypes).toEqual(['illegal_dumping', 'no_permit', 'off_route', 'outside_hours', 'restricted_zone', 'speeding', 'spill', 'uncovered', 'wrong_site']);
    const raisedTypes = [...new Set(raised.filter((i) => i.vehicleId?.startsWith('muck')).map((i) => i.type))].sort();
    expect(raisedTypes).toEqual(plantedTypes);
    for (const type of plantedTypes) expect(raised.filter((i) => i.type === type).length, type).toBeGreaterThanOrEqual(summary.planted[type]);
    // the simulator's own score (--score) agrees: nothing planted was missed
    expect(summary.score).toMatchObject({ missed: 0, duplicates: 0 });
    expect(out.some((l) => l.startsWith('| speeding |'))).toBe(true);
  }, 900_000);
});
