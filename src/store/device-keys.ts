import { deviceKeysOf, type DeviceKey } from '../domain/terminal-id.js';
import type { Queryable } from './db.js';

/**
 * Device identities already bound in the store. The vehicles table keeps terminal_id and
 * device_id canonical and unique each; that one id may not sit in one vehicle's terminal_id
 * and another's device_id is checked here, under a transaction-scoped lock so two concurrent
 * writes cannot both pass the check.
 */
const DEVICE_KEYS_LOCK = 80_808_007;

export async function lockDeviceKeys(q: Queryable): Promise<void> {
  await q.query('select pg_advisory_xact_lock($1)', [DEVICE_KEYS_LOCK]);
}

export interface BoundDeviceKey extends DeviceKey {
  /** Which of the given vehicles claims the key. */
  index: number;
  /** The stored vehicle that holds the key, and in which of its fields. */
  vehicleId: string;
  vehicleField: DeviceKey['field'];
}

/** Keys of the given vehicles that stored vehicles (other than `exceptIds`) already hold; one query. */
export async function boundDeviceKeys(
  q: Queryable, vehicles: ReadonlyArray<{ terminalId?: string; deviceId?: string }>, exceptIds: readonly string[],
): Promise<BoundDeviceKey[]> {
  const claims = vehicles.flatMap((v, index) => deviceKeysOf(v).map((k) => ({ ...k, index })));
  if (claims.length === 0) return [];
  const res = await q.query<{ id: string; terminal_id: string | null; device_id: string | null }>(
    `select id, terminal_id, device_id from vehicles
     where (terminal_id = any($1::text[]) or device_id = any($1::text[])) and not (id = any($2::text[]))
     order by id`,
    [[...new Set(claims.map((c) => c.key))], exceptIds],
  );
  const holders = new Map<string, Array<{ vehicleId: string; vehicleField: DeviceKey['field'] }>>();
  const hold = (key: string, vehicleId: string, vehicleField: DeviceKey['field']) => {
    const list = holders.get(key) ?? [];
    list.push({ vehicleId, vehicleField });
    holders.set(key, list);
  };
  for (const row of res.rows) {
    if (row.terminal_id !== null) hold(row.terminal_id, row.id, 'terminalId');
    if (row.device_id !== null) hold(row.device_id, row.id, 'deviceId');
  }
  return claims.flatMap((c) => (holders.get(c.key) ?? []).map((h) => ({ ...c, ...h })));
}

/** "terminal id 13800001001" / "device id abc" for messages. */
export function describeKey(field: DeviceKey['field'], key: string): string {
  return `${field === 'terminalId' ? 'terminal id' : 'device id'} "${key}"`;
}

export interface TerminalIdConflict {
  vehicleId: string;
  field: DeviceKey['field'];
  storedValue: string;
  canonicalValue: string;
  keptByVehicleId: string;
}

/**
 * Vehicles that migration 7 unbound from an id another vehicle kept, and that still have no id
 * in that field (the service logs them at every start until someone decides).
 */
export async function unresolvedTerminalIdConflicts(q: Queryable): Promise<TerminalIdConflict[]> {
  const res = await q.query<{ vehicle_id: string; field: DeviceKey['field']; stored_value: string; canonical_value: string; kept_by_vehicle_id: string }>(
    `select c.vehicle_id, c.field, c.stored_value, c.canonical_value, c.kept_by_vehicle_id
     from terminal_id_conflicts c join vehicles v on v.id = c.vehicle_id
     where (c.field = 'terminalId' and v.terminal_id is null) or (c.field = 'deviceId' and v.device_id is null)
     order by c.vehicle_id, c.field`,
  );
  return res.rows.map((r) => ({
    vehicleId: r.vehicle_id, field: r.field, storedValue: r.stored_value, canonicalValue: r.canonical_value, keptByVehicleId: r.kept_by_vehicle_id,
  }));
}
