import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../helpers/service.js';
import { SimTerminal } from '../../simulations/jt808-terminal.js';
import type { LocationInput } from '../../src/ingest/jt808/index.js';

/**
 * Over the real protocol into the demo city's service: a muck truck's live 0x0200 fixes leave a
 * gap; the stretch comes later as a 0x0704 blind-area batch holding three fixes at 60 km/h. The
 * speeding in it is stored once — also when the terminal uploads the batch again.
 */
describe('compliance over JT/T 808', () => {
  let svc: TestService;
  let terminal: SimTerminal | undefined;
  beforeAll(async () => {
    svc = await startTestService({ demo: true });
  });
  afterAll(async () => {
    await terminal?.close();
    await svc?.stop();
  });

  it('a late blind-area batch with a speeding stretch raises one incident, and its re-upload none', async () => {
    const list = await svc.call('GET', '/api/v1/vehicles?kind=muck_truck&limit=1', { token: svc.adminToken });
    const truck = list.body.items[0] as { id: string; terminalId: string };
    terminal = await SimTerminal.connect(svc.jt808Port!, truck.terminalId);
    await terminal.login();
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 300_000;
    // empty (load bits 8-9 = 0), cover closed (0xE1 bit 0), on a street of the demo city
    const at = (i: number, speedKmh: number): LocationInput => ({
      fixTimeMs: t0 + i * 10_000, lat: 43.7335 + i * 0.0004, lon: 7.4185, speedKmh, statusWord: 0x3,
      items: [{ id: 0xe1, value: Uint8Array.of(0b01) }],
    });
    for (const i of [0, 1, 2, 3, 8, 9, 10, 11]) expect((await terminal.ack(terminal.sendLocation(at(i, 25)))).result).toBe(0);
    const blind = [4, 5, 6, 7].map((i) => at(i, i === 7 ? 25 : 60));
    for (let k = 0; k < 2; k++) expect((await terminal.ack(terminal.sendBatch(blind, 1), 0x0704)).result).toBe(0);
    await svc.compliance.flush();
    await svc.incidentSink.settle();
    const stored = await svc.call('GET', `/api/v1/incidents?vehicleId=${truck.id}`, { token: svc.adminToken });
    expect(stored.body.items.map((i: { type: string; detection: string; startAt: string; endAt: string }) => [i.type, i.detection, i.startAt, i.endAt])).toEqual([
      ['speeding', 'closed', new Date(t0 + 40_000).toISOString(), new Date(t0 + 70_000).toISOString()],
    ]);
    expect(svc.compliance.stats.replays).toBe(1);
  });
});
