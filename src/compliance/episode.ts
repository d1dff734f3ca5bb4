import type { IncidentEvent, IncidentType } from './incident-event.js';
import type { Judged } from './vehicle-context.js';

/** Where a detector sends its events: the vehicle's ledger (which makes them idempotent). */
export interface IncidentOut {
  send(event: IncidentEvent): void;
}

/** Fix ids kept per incident: the first ones and the latest (the start and the end are the evidence). */
const MAX_FIX_IDS = 500;

/**
 * One incident as a detector sees it: open → update* → close, with the fixes involved.
 * The key is the detector's own (type, vehicle, start); the ledger maps it to the key the
 * incident was first raised under when a late stretch re-evaluates it.
 */
export class Episode {
  startMs: number | undefined;
  level = 0;
  private fixIds: string[] = [];
  private thresholds: Record<string, number | string> = {};
  private details: Record<string, unknown> = {};
  private permitId?: string;
  private zoneId?: string;

  constructor(readonly type: IncidentType) {}

  get isOpen(): boolean {
    return this.startMs !== undefined;
  }

  open(out: IncidentOut, j: Judged, o: { startMs: number; fixIds: string[]; thresholds: Record<string, number | string>; details: Record<string, unknown>; permitId?: string; zoneId?: string }): void {
    this.startMs = o.startMs;
    this.level = 1;
    this.fixIds = o.fixIds.slice(-MAX_FIX_IDS);
    this.thresholds = o.thresholds;
    this.details = o.details;
    this.permitId = o.permitId;
    this.zoneId = o.zoneId;
    out.send(this.event(j, 'open'));
  }

  /** Records a fix as part of the incident (no event). */
  add(j: Judged, details?: Record<string, unknown>): void {
    if (this.fixIds.length >= MAX_FIX_IDS) this.fixIds.splice(MAX_FIX_IDS / 2, 1);
    if (this.fixIds[this.fixIds.length - 1] !== j.id) this.fixIds.push(j.id);
    if (details) Object.assign(this.details, details);
  }

  update(out: IncidentOut, j: Judged, o: { level?: number; details?: Record<string, unknown> } = {}): void {
    if (o.level !== undefined) this.level = o.level;
    if (o.details) Object.assign(this.details, o.details);
    out.send(this.event(j, 'update'));
  }

  close(out: IncidentOut, j: Judged, endMs: number, details?: Record<string, unknown>): void {
    if (details) Object.assign(this.details, details);
    out.send({ ...this.event(j, 'close'), endMs });
    this.startMs = undefined;
    this.level = 0;
    this.fixIds = [];
    this.details = {};
  }

  private event(j: Judged, phase: IncidentEvent['phase']): IncidentEvent {
    const vehicleId = j.vehicle.id;
    return {
      key: `${this.type}:${vehicleId}:${this.startMs}`, phase, type: this.type, vehicleId,
      ...(this.permitId !== undefined ? { permitId: this.permitId } : {}),
      ...(this.zoneId !== undefined ? { zoneId: this.zoneId } : {}),
      startMs: this.startMs!, atMs: j.atMs, level: this.level, fixIds: this.fixIds.slice(),
      thresholds: { ...this.thresholds }, details: { ...this.details },
    };
  }
}
