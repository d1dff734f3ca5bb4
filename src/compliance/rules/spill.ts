import { Episode, type IncidentOut } from '../episode.js';
import type { Detector, Rule } from '../detector.js';
import type { Judged } from '../vehicle-context.js';

/**
 * spill (遗撒/抛洒): the load drops while the truck drives away from every facility and site
 * (farther than `compliance.spillAwayFromFacilityM`): the payload `payloadDropKg` below its
 * level over the last `spillWindowS` of moving fixes, or the load state stepping full → half
 * or empty while moving (between fixes at most `spillWindowS` apart: across a gap it may have
 * changed anywhere). A drop at a stop is illegal_dumping's (or wrong_site's). The incident
 * opens at the drop and stays open while the load keeps falling (a load trickling off is one
 * spill); it closes at the first fix that drops no further, whose level is the new reference.
 */
const STOP_RESETS_S = 20;

class SpillDetector implements Detector {
  private readonly episode = new Episode('spill');
  private payload: Array<{ atMs: number; kg: number }> = [];
  private previousState: Judged['loadState'];
  private previousStateAtMs: number | undefined;
  private fromKg: number | undefined;
  private lastKg: number | undefined;

  step(j: Judged, out: IncidentOut): void {
    const c = j.profile.compliance;
    const reportedKg = j.fix.loadKg;
    const reportedState = j.fix.loadState;
    // A state from before a gap in the fixes says nothing of where it changed (inside a place, maybe): not compared.
    const stateBefore = this.previousStateAtMs !== undefined && j.atMs - this.previousStateAtMs <= c.spillWindowS * 1000 ? this.previousState : undefined;
    if (reportedState !== undefined) {
      this.previousState = reportedState;
      this.previousStateAtMs = j.atMs;
    }
    // A stop or a place starts a new reference level: what happened there is another rule's.
    if (j.places.length > 0 || (!j.moving && j.stoppedForS >= STOP_RESETS_S)) this.payload = [];

    if (this.episode.isOpen) {
      this.episode.add(j);
      // A load still falling (payload below the last by more than sensor noise, or the state stepping down) is the same spill.
      const noiseKg = c.payloadDropKg / 10;
      const kgFalling = reportedKg !== undefined && this.lastKg !== undefined && reportedKg < this.lastKg - noiseKg;
      const stateFalling = reportedState !== undefined && stateBefore !== undefined && RANK[reportedState] < RANK[stateBefore];
      if (j.moving && (kgFalling || stateFalling)) {
        if (reportedKg !== undefined) {
          this.lastKg = reportedKg;
          this.episode.add(j, { toKg: reportedKg, dropKg: (this.fromKg ?? reportedKg) - reportedKg });
        }
        if (stateFalling) this.episode.add(j, { loadStateTo: reportedState });
        this.payload = reportedKg !== undefined ? [{ atMs: j.atMs, kg: reportedKg }] : [];
        return;
      }
      this.episode.close(out, j, j.atMs);
      if (j.moving && reportedKg !== undefined) this.payload = [{ atMs: j.atMs, kg: reportedKg }];
      return;
    }

    let drop: Record<string, unknown> | undefined;
    if (j.moving && j.places.length === 0) {
      if (reportedKg !== undefined) {
        const since = j.atMs - c.spillWindowS * 1000;
        this.payload = this.payload.filter((p) => p.atMs >= since);
        const levelKg = this.payload.reduce((m, p) => Math.max(m, p.kg), -Infinity);
        if (levelKg - reportedKg >= c.payloadDropKg) {
          drop = { fromKg: levelKg, toKg: reportedKg, dropKg: levelKg - reportedKg };
          this.payload = [];
        }
        this.payload.push({ atMs: j.atMs, kg: reportedKg });
      }
      if (!drop && stateBefore === 'full' && (reportedState === 'half' || reportedState === 'empty')) {
        drop = { loadStateFrom: stateBefore, loadStateTo: reportedState };
      }
    }
    if (!drop) return;
    const awayM = j.city.places.distanceToNearestM(j.fix.lon, j.fix.lat);
    if (awayM < c.spillAwayFromFacilityM) return;
    this.fromKg = typeof drop.fromKg === 'number' ? drop.fromKg : reportedKg;
    this.lastKg = reportedKg;
    const fixIds = j.previous ? [j.previous.id, j.id] : [j.id];
    this.episode.open(out, j, {
      startMs: j.atMs, fixIds, permitId: j.trip?.permit?.permit.id,
      thresholds: { payloadDropKg: c.payloadDropKg, spillWindowS: c.spillWindowS, spillAwayFromFacilityM: c.spillAwayFromFacilityM, movingKmh: c.movingKmh },
      details: { ...drop, distanceFromPlaceM: Number.isFinite(awayM) ? Math.round(awayM) : null, speedKmh: j.fix.speedKmh, coverOpen: j.coverOpen },
    });
  }
}

const RANK = { empty: 0, half: 1, full: 2 } as const;

export const spill: Rule = {
  type: 'spill',
  appliesTo: (v) => v.kind === 'muck_truck' || v.kind === 'collector',
  create: () => new SpillDetector(),
};
