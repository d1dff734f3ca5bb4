import type { IncidentEvent } from './incident-event.js';
import type { IncidentOut } from './episode.js';

/**
 * Per vehicle, every incident raised and how far it went — what makes detection idempotent.
 * Live, it passes a detector's events on, never opening a second incident of a type while one
 * is open and never closing one twice. When a late stretch (a blind-area upload) makes the lane
 * re-run its detectors over the history, the ledger collects the re-run's incidents whole and
 * then reconciles them by time overlap with those already raised: an incident already raised is
 * neither raised again (whatever start the late fixes give it) nor hidden; one only the late
 * fixes reveal is raised (open and, when over, close); one the re-run no longer sees is closed.
 */
interface Raised {
  key: string;
  type: IncidentEvent['type'];
  zoneId?: string;
  startMs: number;
  endMs?: number;
  level: number;
  closed: boolean;
  last: IncidentEvent;
}

interface Collected {
  events: IncidentEvent[];
  startMs: number;
  endMs?: number;
  level: number;
  closed: boolean;
}

export class VehicleLedger implements IncidentOut {
  private raised: Raised[] = [];
  /** A detector's own key → the key the incident was raised under. */
  private alias = new Map<string, string>();
  private collecting: Map<string, Collected> | undefined;

  constructor(private readonly emit: (event: IncidentEvent) => void) {}

  send(e: IncidentEvent): void {
    if (this.collecting) this.collect(e);
    else this.live(e);
  }

  /** The incidents raised and still open (for tests and the monitor's figures). */
  openCount(): number {
    return this.raised.filter((r) => !r.closed).length;
  }

  beginReplay(): void {
    this.collecting = new Map();
  }

  /** Reconciles a re-run's incidents with those raised; `lastFixMs` (the last fix judged) closes what it no longer sees. */
  endReplay(lastFixMs: number): void {
    const collected = [...this.collecting!.entries()].sort((a, b) => a[1].startMs - b[1].startMs);
    this.collecting = undefined;
    const openBefore = this.raised.filter((r) => !r.closed);
    const matched = new Set<Raised>();
    // The re-run's detectors are new: their keys replace the old ones.
    this.alias = new Map();
    for (const [localKey, c] of collected) {
      const first = c.events[0]!;
      const r = this.overlapping(first.type, first.zoneId, c.startMs, c.endMs ?? Infinity);
      if (!r) {
        for (const e of c.events) this.live(e);
        continue;
      }
      matched.add(r);
      this.alias.set(localKey, r.key);
      if (r.closed) continue;
      const last = c.events[c.events.length - 1]!;
      if (c.closed) this.pass(r, last);
      else if (c.level > r.level) this.pass(r, { ...last, phase: 'update', level: c.level });
    }
    for (const r of openBefore) {
      if (matched.has(r) || r.closed) continue;
      this.pass(r, { ...r.last, phase: 'close', atMs: lastFixMs, endMs: Math.max(lastFixMs, r.startMs), details: { ...r.last.details, closedBy: 're-evaluation' } });
    }
  }

  /** Closes every open incident as of `atMs` (the vehicle fell silent). */
  closeOpen(atMs: number, closedBy: string): void {
    for (const r of this.raised) {
      if (!r.closed) this.pass(r, { ...r.last, phase: 'close', atMs, endMs: Math.max(atMs, r.startMs), details: { ...r.last.details, closedBy } });
    }
  }

  /** Incidents raised before and forgotten here (read back from the store for a late stretch): never raised twice. */
  remember(incidents: Array<{ event: IncidentEvent; closed: boolean }>): void {
    const known = new Set(this.raised.map((r) => r.key));
    for (const { event, closed } of incidents) {
      if (known.has(event.key)) continue;
      this.raised.push({ key: event.key, type: event.type, zoneId: event.zoneId, startMs: event.startMs, endMs: event.endMs, level: event.level, closed, last: event });
    }
  }

  /** Forgets incidents closed before this time (they cannot overlap anything the lane still holds). */
  prune(beforeMs: number): void {
    this.raised = this.raised.filter((r) => !r.closed || (r.endMs ?? Infinity) >= beforeMs);
    const keys = new Set(this.raised.map((r) => r.key));
    for (const [local, key] of this.alias) if (!keys.has(key)) this.alias.delete(local);
  }

  private collect(e: IncidentEvent): void {
    let c = this.collecting!.get(e.key);
    if (!c) {
      if (e.phase !== 'open') return;
      this.collecting!.set(e.key, (c = { events: [], startMs: e.startMs, level: e.level, closed: false }));
    }
    c.events.push(e);
    c.level = Math.max(c.level, e.level);
    if (e.phase === 'close') {
      c.closed = true;
      c.endMs = e.endMs ?? e.atMs;
    }
  }

  private live(e: IncidentEvent): void {
    const key = this.alias.get(e.key);
    if (e.phase === 'open') {
      if (key !== undefined) return;
      const r = this.overlapping(e.type, e.zoneId, e.startMs, e.atMs);
      if (r) {
        this.alias.set(e.key, r.key);
        if (!r.closed && e.level > r.level) this.pass(r, { ...e, phase: 'update' });
        return;
      }
      this.raised.push({ key: e.key, type: e.type, zoneId: e.zoneId, startMs: e.startMs, level: e.level, closed: false, last: e });
      this.alias.set(e.key, e.key);
      this.emit(e);
      return;
    }
    if (key === undefined) return;
    const r = this.raised.find((x) => x.key === key);
    if (!r || r.closed) return;
    this.pass(r, e);
  }

  /** Sends an update or close of a raised incident under its key and start. */
  private pass(r: Raised, e: IncidentEvent): void {
    const level = Math.max(r.level, e.level);
    const out: IncidentEvent = { ...e, key: r.key, startMs: r.startMs, level };
    r.level = level;
    r.last = out;
    if (e.phase === 'close') {
      r.closed = true;
      r.endMs = out.endMs ?? out.atMs;
    }
    this.emit(out);
  }

  /** A raised incident of the type (and zone) whose time overlaps [fromMs, toMs] (an open one: up to now). */
  private overlapping(type: IncidentEvent['type'], zoneId: string | undefined, fromMs: number, toMs: number): Raised | undefined {
    return this.raised.find((r) => r.type === type && r.zoneId === zoneId && r.startMs <= toMs && (r.closed ? r.endMs! : Infinity) >= fromMs);
  }
}
