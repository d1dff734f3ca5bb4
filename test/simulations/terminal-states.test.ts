import { describe, expect, it } from 'vitest';
import { loadTerminalProfilesFile } from '../../src/config.js';
import { DEMO_TERMINAL_PROFILES } from '../../src/demo/demo-files.js';
import { decodeLocation, DEFAULT_TERMINAL_PROFILE, parseTerminalModelProfile } from '../../src/ingest/jt808/index.js';
import { locationBody } from '../../src/ingest/jt808/terminal.js';
import { encodeStates, type TruckStates } from '../../simulations/fleet/terminal-states.js';

const profiles = loadTerminalProfilesFile(DEMO_TERMINAL_PROFILES);

/** What the platform reads back from a 0x0200 the simulator wrote for this model. */
function roundTrip(profile: ReturnType<typeof parseTerminalModelProfile>, states: TruckStates) {
  const body = locationBody({ fixTimeMs: Date.UTC(2026, 11, 1, 2), lat: 43.73, lon: 7.42, speedKmh: 20, ...encodeStates(profile, states) });
  const r = decodeLocation(body, 0, body.length, '13800001000', profile);
  if (!r.ok) throw new Error(`undecodable: ${JSON.stringify(r)}`);
  return r.fix;
}

describe('truck states in the bits the terminal profile names', () => {
  it('a muck truck: cover, lift and payload in its vendor items, the load in the standard bits', () => {
    const muck = profiles['muck-generic']!;
    expect(roundTrip(muck, { loadKg: 12_340, capacityKg: 16_000, coverClosed: true, bodyLifted: false })).toMatchObject({ coverClosed: true, bodyLifted: false, loadKg: 12_340, loadState: 'half' });
    expect(roundTrip(muck, { loadKg: 15_900, capacityKg: 16_000, coverClosed: false, bodyLifted: true })).toMatchObject({ coverClosed: false, bodyLifted: true, loadKg: 15_900, loadState: 'full' });
    expect(roundTrip(muck, { loadKg: 0, capacityKg: 16_000, coverClosed: true, bodyLifted: false })).toMatchObject({ loadKg: 0, loadState: 'empty' });
  });

  it('a sweeper: the gear working in its bit; a status-word mapping with activeWhen 0 is honoured', () => {
    const sweeper = profiles['sweeper-generic']!;
    expect(roundTrip(sweeper, { working: true }).working).toBe(true);
    expect(roundTrip(sweeper, { working: false }).working).toBe(false);
    const statusBits = parseTerminalModelProfile({ name: 'x', coverClosed: { from: 'status', bit: 20, activeWhen: 0 }, bodyLifted: { from: 'alarm', bit: 25 } });
    expect(roundTrip(statusBits, { coverClosed: true, bodyLifted: true })).toMatchObject({ coverClosed: true, bodyLifted: true });
    expect(roundTrip(statusBits, { coverClosed: false, bodyLifted: false })).toMatchObject({ coverClosed: false, bodyLifted: false });
  });

  it('a model without a profile sends no vendor states: the platform reads them as unknown', () => {
    const fix = roundTrip(DEFAULT_TERMINAL_PROFILE, { loadKg: 100, capacityKg: 8000, coverClosed: true, bodyLifted: false, working: true });
    expect(fix.coverClosed).toBeUndefined();
    expect(fix.bodyLifted).toBeUndefined();
    expect(fix.working).toBeUndefined();
  });
});
