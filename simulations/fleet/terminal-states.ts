import type { LocationInput } from '../../src/ingest/jt808/terminal.js';
import type { ItemValueSource, SignalSource, TerminalModelProfile } from '../../src/ingest/jt808/index.js';

/**
 * The sanitation states of a simulated truck written into a 0x0200 body the way its terminal
 * model's profile says the platform reads them: the inverse of the profile decoding in
 * src/ingest/jt808/location.ts. A state the profile does not map is not sent (a real terminal
 * of that model could not send it either); the standard load bits 8-9 always carry the load.
 */
export interface TruckStates {
  loadKg?: number;
  capacityKg?: number;
  coverClosed?: boolean;
  bodyLifted?: boolean;
  working?: boolean;
}

const ACC_ON = 0x1;
const POSITIONED = 0x2;

export function encodeStates(profile: TerminalModelProfile, s: TruckStates): Pick<LocationInput, 'statusWord' | 'alarmWord' | 'items'> {
  let statusWord = ACC_ON | POSITIONED;
  let alarmWord = 0;
  const items = new Map<number, Buffer>();
  const itemBuffer = (id: number, bytes: number) => {
    let b = items.get(id);
    if (!b || b.length < bytes) {
      const grown = Buffer.alloc(Math.max(bytes, b?.length ?? 0));
      b?.copy(grown);
      items.set(id, grown);
      b = grown;
    }
    return b;
  };
  if (s.loadKg !== undefined && s.capacityKg) {
    const share = s.loadKg / s.capacityKg;
    // 00 empty, 01 half, 11 full
    statusWord |= (share <= 0.02 ? 0 : share < 0.9 ? 1 : 3) << 8;
  }
  const setSignal = (source: SignalSource | undefined, on: boolean | undefined) => {
    if (!source || on === undefined) return;
    const bitValue = on === ((source.activeWhen ?? 1) === 1);
    if (!bitValue) return;
    if (source.from === 'status') statusWord |= 1 << source.bit;
    else if (source.from === 'alarm') alarmWord |= 1 << source.bit;
    else {
      // an item holding bits is read big-endian over its bytes: bit 0 is the last byte's lowest
      const bytes = Math.max(1, Math.ceil((source.bit + 1) / 8));
      const b = itemBuffer(source.itemId, bytes);
      b[b.length - 1 - Math.floor(source.bit / 8)]! |= 1 << (source.bit % 8);
    }
  };
  const setValue = (source: ItemValueSource | undefined, value: number | undefined) => {
    if (!source || value === undefined) return;
    const raw = Math.max(0, Math.round(value / source.scale));
    const b = itemBuffer(source.itemId, (source.offset ?? 0) + source.bytes);
    const max = 2 ** (8 * source.bytes) - 1;
    b.writeUIntBE(Math.min(raw, max), source.offset ?? 0, source.bytes);
  };
  setSignal(profile.coverClosed, s.coverClosed);
  setSignal(profile.bodyLifted, s.bodyLifted);
  setSignal(profile.working, s.working);
  // the signal bits of a profile may share an item with nothing set: send it all-zero then
  for (const src of [profile.coverClosed, profile.bodyLifted, profile.working]) {
    if (src?.from === 'item') itemBuffer(src.itemId, Math.max(1, Math.ceil((src.bit + 1) / 8)));
  }
  setValue(profile.loadKg, s.loadKg);
  return {
    statusWord: statusWord >>> 0, alarmWord: alarmWord >>> 0,
    items: [...items].sort((a, b) => a[0] - b[0]).map(([id, value]) => ({ id, value })),
  };
}
