import { createHash, randomBytes } from 'node:crypto';
import type { Vehicle } from '../domain/model.js';
import { canonicalTerminalId } from '../domain/terminal-id.js';
import type { Db } from '../store/db.js';

/**
 * Which vehicle a device speaks for: a JT/T 808 terminal id or another device id bound to
 * a vehicle in the city model. Kept in memory (the hot path asks for every fix) and
 * reloaded when the fleet changes. Also issues and checks JT/T 808 auth codes.
 * Every id is keyed and looked up in its canonical form (canonicalTerminalId), so a 2013
 * header, a 2019 header and an OsmAnd id with or without leading zeros name one vehicle.
 */
export interface DeviceBinding {
  vehicleId: string;
  model?: string;
}

const hashCode = (code: string) => createHash('sha256').update(code).digest('hex');

export class DeviceDirectory {
  private byTerminal = new Map<string, DeviceBinding>();
  private byDevice = new Map<string, DeviceBinding>();
  private vehicles = new Set<string>();

  constructor(private readonly db: Db) {}

  load(vehicles: Vehicle[]): void {
    const byTerminal = new Map<string, DeviceBinding>();
    const byDevice = new Map<string, DeviceBinding>();
    for (const v of vehicles) {
      if (v.terminalId) byTerminal.set(canonicalTerminalId(v.terminalId), { vehicleId: v.id, model: v.terminalModel });
      if (v.deviceId) byDevice.set(canonicalTerminalId(v.deviceId), { vehicleId: v.id, model: v.terminalModel });
    }
    this.byTerminal = byTerminal;
    this.byDevice = byDevice;
    this.vehicles = new Set(vehicles.map((v) => v.id));
  }

  hasVehicle(vehicleId: string): boolean {
    return this.vehicles.has(vehicleId);
  }

  /** A device id as sent by OsmAnd / JSON integrators: the device id, else the terminal id. */
  findDevice(deviceId: string): DeviceBinding | null {
    const key = canonicalTerminalId(deviceId);
    return this.byDevice.get(key) ?? this.byTerminal.get(key) ?? null;
  }

  // --- the JT/T 808 session's TerminalDirectory ---

  async findByTerminalId(terminalId: string): Promise<DeviceBinding | null> {
    const key = canonicalTerminalId(terminalId);
    return this.byTerminal.get(key) ?? this.byDevice.get(key) ?? null;
  }

  async issueAuthCode(terminalId: string): Promise<string> {
    const code = randomBytes(8).toString('hex');
    await this.db.query(
      `insert into terminal_auth (terminal_id, code_hash) values ($1, $2)
       on conflict (terminal_id) do update set code_hash = excluded.code_hash, issued_at = now()`,
      [canonicalTerminalId(terminalId), hashCode(code)],
    );
    return code;
  }

  async checkAuthCode(terminalId: string, code: string): Promise<boolean> {
    if (!(await this.findByTerminalId(terminalId))) return false;
    const res = await this.db.query<{ code_hash: string }>('select code_hash from terminal_auth where terminal_id = $1', [canonicalTerminalId(terminalId)]);
    return res.rows[0]?.code_hash === hashCode(code);
  }
}

