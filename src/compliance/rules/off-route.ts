import { Episode, type IncidentOut } from '../episode.js';
import { Run, type Detector, type PositionMatcher, type Rule, type RuleDeps } from '../detector.js';
import type { Judged } from '../vehicle-context.js';

/**
 * off_route (偏离路线): a loaded muck truck on a permit trip farther than half the corridor's
 * width from the approved line (site → drawn line → disposal site), not inside a facility or
 * site, for `corridor.offRouteAfterS` and `offRouteMinFixes` fixes. A fix that looks outside
 * is judged on its map-matched position (the road it is on, from the recent fixes): GPS noise
 * beside the corridor's road is on the road. Back inside takes `backInsideFixes` consecutive
 * fixes at least `hysteresisM` inside the edge (never tighter than half the half-width), so a
 * truck on the edge does not flap; level 2 after `escalateAfterMin`, 3 after `escalateAgainAfterMin`.
 */
const RECENT_FIXES = 8;

class OffRouteDetector implements Detector {
  private readonly episode = new Episode('off_route');
  private readonly run = new Run();
  private recent: Array<{ lon: number; lat: number; timeMs: number; speedKmh: number; headingDeg?: number }> = [];
  private insideRun = 0;
  private firstInsideMs = 0;
  private maxDistanceM = 0;

  constructor(private readonly matcher: () => PositionMatcher | undefined) {}

  step(j: Judged, out: IncidentOut): void {
    this.recent.push({ lon: j.fix.lon, lat: j.fix.lat, timeMs: j.atMs, speedKmh: j.fix.speedKmh, ...(j.fix.headingDeg === undefined ? {} : { headingDeg: j.fix.headingDeg }) });
    if (this.recent.length > RECENT_FIXES) this.recent.shift();
    const corridor = j.trip?.permit;
    if (j.loaded !== true || !corridor) {
      this.run.reset();
      if (this.episode.isOpen) this.episode.close(out, j, j.atMs, { closedBy: 'trip ended' });
      return;
    }
    const c = j.profile.corridor;
    const halfM = corridor.widthM / 2;
    const insideLimitM = Math.max(halfM - c.hysteresisM, halfM / 2);
    const inPlace = j.places.length > 0;
    let distanceM = corridor.geometry.distanceToLineM(j.fix.lon, j.fix.lat);
    let matched = false;
    if (!inPlace && distanceM > insideLimitM) {
      const m = this.matcher()?.matchLast(this.recent);
      if (m) {
        distanceM = corridor.geometry.distanceToLineM(m.lon, m.lat);
        matched = true;
      }
    }
    const outside = !inPlace && distanceM > halfM;
    const inside = inPlace || distanceM <= insideLimitM;
    const thresholds = {
      corridorWidthM: corridor.widthM, offRouteAfterS: c.offRouteAfterS, offRouteMinFixes: c.offRouteMinFixes,
      backInsideFixes: c.backInsideFixes, hysteresisM: c.hysteresisM, escalateAfterMin: c.escalateAfterMin, escalateAgainAfterMin: c.escalateAgainAfterMin,
    };
    if (!this.episode.isOpen) {
      if (!outside) {
        this.run.reset();
        this.maxDistanceM = 0;
        return;
      }
      this.run.add(j);
      this.maxDistanceM = Math.max(this.maxDistanceM, distanceM);
      if (this.run.count >= c.offRouteMinFixes && this.run.spanS(j.atMs) >= c.offRouteAfterS) {
        this.insideRun = 0;
        this.episode.open(out, j, {
          startMs: this.run.startMs, fixIds: this.run.fixIds, thresholds, permitId: corridor.permit.id,
          details: { distanceOutsideM: round(this.maxDistanceM - halfM), maxDistanceM: round(this.maxDistanceM), matched },
        });
        this.run.reset();
        this.escalate(j, out);
      }
      return;
    }
    this.episode.add(j);
    if (inside) {
      if (this.insideRun === 0) this.firstInsideMs = j.atMs;
      this.insideRun++;
      if (this.insideRun >= c.backInsideFixes) {
        this.episode.close(out, j, this.firstInsideMs, { durationS: Math.round((this.firstInsideMs - this.episode.startMs!) / 1000) });
        this.maxDistanceM = 0;
        this.insideRun = 0;
      }
      return;
    }
    this.insideRun = 0;
    if (outside && distanceM > this.maxDistanceM) {
      this.maxDistanceM = distanceM;
      this.episode.add(j, { distanceOutsideM: round(distanceM - halfM), maxDistanceM: round(distanceM) });
    }
    this.escalate(j, out);
  }

  private escalate(j: Judged, out: IncidentOut): void {
    const c = j.profile.corridor;
    const minutes = (j.atMs - this.episode.startMs!) / 60_000;
    const level = minutes >= c.escalateAgainAfterMin ? 3 : minutes >= c.escalateAfterMin ? 2 : 1;
    if (level > this.episode.level) this.episode.update(out, j, { level, details: { durationS: Math.round(minutes * 60) } });
  }
}

const round = (m: number) => Math.round(m * 10) / 10;

export const offRoute: Rule = {
  type: 'off_route',
  appliesTo: (v) => v.kind === 'muck_truck',
  create: (deps: RuleDeps) => new OffRouteDetector(deps.matcher ?? (() => undefined)),
};
