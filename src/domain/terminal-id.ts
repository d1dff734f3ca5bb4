/**
 * The one canonical form of a device identity, used wherever a terminal or device id is
 * stored, looked up or compared (vehicle records, the device directory, JT/T 808 sessions,
 * OsmAnd and JSON ingestion, auth codes).
 *
 * A JT/T 808 terminal phone number is BCD, left-padded with zeros to the width of its header
 * field: 12 digits in 2011/2013 headers, 20 in 2019 headers. "13800001001",
 * "013800001001" and "00000000013800001001" are therefore one terminal. The canonical form is
 * the digits with the leading zeros stripped ("0" when all are zero), because:
 * - it does not depend on the header version (padding to 12 would not hold a 2019 number,
 *   padding to 20 would turn every id into 20 mostly-zero digits on maps and in logs);
 * - it is what people write: the SIM's mobile number (11 digits), an IMEI (15 digits);
 * - it is what the session's decoder has always produced (a binary IMEI is rebuilt as the
 *   number plus its Luhn digit, which has no leading zero), so no wire behaviour changes.
 *
 * Ids that are not all digits (free-form device ids of integrators) are kept as they are:
 * their zeros carry meaning and no protocol pads them.
 */
const DIGITS = /^[0-9]+$/;

export function canonicalTerminalId(id: string): string {
  if (!DIGITS.test(id)) return id;
  let i = 0;
  while (i < id.length - 1 && id.charCodeAt(i) === 48) i++;
  return i === 0 ? id : id.slice(i);
}


/** A device identity a vehicle claims: its terminal id or its device id, canonical. */
export interface DeviceKey {
  field: 'terminalId' | 'deviceId';
  key: string;
}

/**
 * The identities a vehicle record binds. The device directory resolves an id through either
 * field (an OsmAnd id may name a terminal id, a JT/T 808 terminal a device id), so one key
 * may belong to one vehicle only, whichever field holds it.
 */
export function deviceKeysOf(vehicle: { terminalId?: string; deviceId?: string }): DeviceKey[] {
  const keys: DeviceKey[] = [];
  if (vehicle.terminalId !== undefined) keys.push({ field: 'terminalId', key: canonicalTerminalId(vehicle.terminalId) });
  if (vehicle.deviceId !== undefined) keys.push({ field: 'deviceId', key: canonicalTerminalId(vehicle.deviceId) });
  return keys;
}

export interface DeviceKeyClash {
  /** Index of the later record in the list, and the field of it that repeats a key. */
  index: number;
  field: DeviceKey['field'];
  key: string;
  /** The earlier record holding the key. */
  otherIndex: number;
  otherField: DeviceKey['field'];
}

/** Keys claimed by two different records of one list (an import batch). */
export function deviceKeyClashes(vehicles: ReadonlyArray<{ terminalId?: string; deviceId?: string }>): DeviceKeyClash[] {
  const owner = new Map<string, { index: number; field: DeviceKey['field'] }>();
  const clashes: DeviceKeyClash[] = [];
  vehicles.forEach((v, index) => {
    for (const { field, key } of deviceKeysOf(v)) {
      const first = owner.get(key);
      if (!first) owner.set(key, { index, field });
      else if (first.index !== index) clashes.push({ index, field, key, otherIndex: first.index, otherField: first.field });
    }
  });
  return clashes;
}
