import type { CityProfile } from '../domain/city-profile.js';
import type { Fix } from '../domain/fix.js';
import type { DeviceDirectory } from './device-directory.js';
import { validateFix, type FixRejectReason } from './fix-validation.js';
import type { PositionWriter, StoredFix } from './position-writer.js';

/**
 * The path of every fix, whatever protocol brought it: resolve the vehicle, validate,
 * append to the log (group commit), then — only after commit — update vehicle state and
 * notify listeners. The caller acknowledges the device when submit() resolves.
 */
export interface SubmitOptions {
  /** The device is authenticated as this vehicle (a bound device token, a JT/T 808 session): fixes for others are refused. */
  boundVehicleId?: string;
  /** Fixes name vehicles directly (integrators with a fleet-wide token). */
  allowVehicleIds?: boolean;
}

export interface SubmitResult {
  accepted: number;
  duplicates: number;
  /** detail: the store's own words, for 'store_refused' (for logs, not for devices). */
  rejected: Array<{ index: number; reason: FixRejectReason; detail?: string }>;
}

export class FixPipeline {
  readonly rejectedByReason = new Map<FixRejectReason, number>();
  accepted = 0;
  duplicates = 0;

  constructor(
    private readonly directory: DeviceDirectory,
    private readonly writer: PositionWriter,
    private readonly profile: () => CityProfile,
    private readonly now: () => number = Date.now,
  ) {}

  async submit(fixes: Fix[], options: SubmitOptions = {}): Promise<SubmitResult> {
    const nowMs = this.now();
    const maxAgeMs = this.profile().tracking.maxFixAgeH * 3_600_000;
    const rejected: SubmitResult['rejected'] = [];
    const valid: StoredFix[] = [];
    /** index in `fixes` of each entry of `valid` */
    const validIndex: number[] = [];
    fixes.forEach((fix, index) => {
      const reason = this.check(fix, options, nowMs, maxAgeMs);
      if (typeof reason === 'string') {
        rejected.push({ index, reason });
        this.count(reason);
      } else {
        valid.push(reason);
        validIndex.push(index);
      }
    });
    const written = await this.writer.write(valid);
    for (const r of written.refused) {
      rejected.push({ index: validIndex[r.index]!, reason: 'store_refused', detail: r.code ? `${r.code}: ${r.message}` : r.message });
      this.count('store_refused');
    }
    rejected.sort((a, b) => a.index - b.index);
    this.accepted += written.inserted.length;
    this.duplicates += written.duplicates;
    return { accepted: written.inserted.length, duplicates: written.duplicates, rejected };
  }

  private count(reason: FixRejectReason): void {
    this.rejectedByReason.set(reason, (this.rejectedByReason.get(reason) ?? 0) + 1);
  }

  stats(): { accepted: number; duplicates: number; rejected: Record<string, number>; backlogRows: number } {
    return { accepted: this.accepted, duplicates: this.duplicates, rejected: Object.fromEntries(this.rejectedByReason), backlogRows: this.writer.backlogRows };
  }

  private check(fix: Fix, options: SubmitOptions, nowMs: number, maxAgeMs: number): StoredFix | FixRejectReason {
    let vehicleId: string | undefined;
    if (fix.vehicleId && (options.allowVehicleIds || fix.vehicleId === options.boundVehicleId)) {
      vehicleId = this.directory.hasVehicle(fix.vehicleId) ? fix.vehicleId : undefined;
    } else if (fix.vehicleId && options.boundVehicleId && this.directory.hasVehicle(fix.vehicleId)) {
      // A bound device naming another fleet vehicle is refused for what it is, not as an unknown device.
      return 'foreign_vehicle';
    } else {
      vehicleId = this.directory.findDevice(fix.deviceId)?.vehicleId;
    }
    if (!vehicleId) return 'unknown_device';
    if (options.boundVehicleId && vehicleId !== options.boundVehicleId) return 'foreign_vehicle';
    const reason = validateFix(fix, nowMs, maxAgeMs);
    if (reason) return reason;
    return { ...fix, vehicleId };
  }
}
