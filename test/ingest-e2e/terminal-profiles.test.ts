import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../helpers/service.js';
import { SimTerminal } from '../../simulations/jt808-terminal.js';

/**
 * Cover, body lift and payload have no standard JT/T 808 encoding: the service reads them
 * per terminal model from TERMINAL_PROFILES (the demo ships one for its muck trucks), and
 * leaves them unknown for models it has no profile for.
 */
describe('terminal-model profiles in the service', () => {
  let svc: TestService;
  const terminals: SimTerminal[] = [];
  beforeAll(async () => {
    svc = await startTestService({ demo: true });
  });
  afterAll(async () => {
    for (const t of terminals) await t.close();
    await svc?.stop();
  });

  async function vehicleOf(kind: string) {
    const list = await svc.call('GET', `/api/v1/vehicles?kind=${kind}&limit=1`, { token: svc.adminToken });
    return list.body.items[0] as { id: string; terminalId: string; terminalModel: string };
  }

  it("decodes a muck truck's cover, lift and load from its model's vendor items", async () => {
    const truck = await vehicleOf('muck_truck');
    expect(truck.terminalModel).toBe('muck-generic');
    const t = await SimTerminal.connect(svc.jt808Port!, truck.terminalId);
    terminals.push(t);
    await t.login();
    const nowMs = Math.floor(Date.now() / 1000) * 1000;
    // 0xE1: bit0 cover closed = 0 (open), bit1 body lifted = 1; 0xE2: 1,234 × 10 kg.
    const serial = t.sendLocation({ fixTimeMs: nowMs, lat: 43.74, lon: 7.43, speedKmh: 12, items: [
      { id: 0xe1, value: Uint8Array.of(0b10) },
      { id: 0xe2, value: Uint8Array.of(0x04, 0xd2) },
    ] });
    expect((await t.ack(serial)).result).toBe(0);
    const state = (await svc.call('GET', `/api/v1/vehicles/${truck.id}/state`, { token: svc.adminToken })).body;
    expect(state).toMatchObject({ coverClosed: false, bodyLifted: true, loadKg: 12_340 });
  });

  it('leaves them unknown for a model without a profile', async () => {
    const sweeper = await vehicleOf('sweeper');
    const t = await SimTerminal.connect(svc.jt808Port!, sweeper.terminalId);
    terminals.push(t);
    await t.login();
    const serial = t.sendLocation({ fixTimeMs: Math.floor(Date.now() / 1000) * 1000, lat: 43.74, lon: 7.43, speedKmh: 8, items: [{ id: 0xe1, value: Uint8Array.of(0b11) }] });
    expect((await t.ack(serial)).result).toBe(0);
    const state = (await svc.call('GET', `/api/v1/vehicles/${sweeper.id}/state`, { token: svc.adminToken })).body;
    expect(state.coverClosed).toBeUndefined();
    expect(state.bodyLifted).toBeUndefined();
  });
});
