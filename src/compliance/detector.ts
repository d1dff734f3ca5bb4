import type { Vehicle } from '../domain/model.js';
import type { IncidentOut } from './episode.js';
import type { IncidentType } from './incident-event.js';
import type { Judged } from './vehicle-context.js';

/** Where a fix was on the road network: the map-matched position of the newest of recent fixes. */
export interface PositionMatcher {
  /** `recent` in fix-time order, the fix to place last (with the speed and course the terminal reported); null when it cannot be matched. */
  matchLast(recent: ReadonlyArray<{ lon: number; lat: number; timeMs: number; speedKmh?: number; headingDeg?: number }>): { lon: number; lat: number } | null;
}

export interface RuleDeps {
  matcher?: () => PositionMatcher | undefined;
}

/** One vehicle's state machine for one rule: fed every fix of the vehicle in fix-time order. */
export interface Detector {
  step(j: Judged, out: IncidentOut): void;
}

/** A rule: which vehicles it watches and a fresh state machine per vehicle (and per re-run). */
export interface Rule {
  type: IncidentType;
  appliesTo(vehicle: Vehicle): boolean;
  create(deps: RuleDeps): Detector;
}

/**
 * Fixes that make a candidate incident, before it opens: its start, its fixes, how many. A gap
 * longer than `compliance.maxGapS` starts it again: what happened in the gap is unknown live (a
 * blind-area upload fills it later and the stretch is re-run).
 */
export class Run {
  startMs = 0;
  lastMs = 0;
  count = 0;
  fixIds: string[] = [];

  add(j: Judged): void {
    if (this.count > 0 && j.atMs - this.lastMs > j.profile.compliance.maxGapS * 1000) this.reset();
    if (this.count === 0) this.startMs = j.atMs;
    this.lastMs = j.atMs;
    this.count++;
    if (this.fixIds.length < 200) this.fixIds.push(j.id);
  }

  reset(): void {
    this.count = 0;
    this.fixIds = [];
  }

  /** Seconds from the run's first fix to `atMs`. */
  spanS(atMs: number): number {
    return this.count === 0 ? 0 : (atMs - this.startMs) / 1000;
  }

  /** The run has lasted `afterS` seconds over two fixes or more: one fix alone (a spike) never holds. */
  held(atMs: number, afterS: number): boolean {
    return this.count >= 2 && this.spanS(atMs) >= afterS;
  }
}
