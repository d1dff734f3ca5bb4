import { Episode, type IncidentOut } from '../episode.js';
import type { Detector, Rule } from '../detector.js';
import type { Judged } from '../vehicle-context.js';
import { StopWatch } from './unloading.js';

/**
 * illegal_dumping (非法倾倒): stopped `compliance.dumpingStoppedS` or longer outside every
 * facility and site (their outline plus tolerance, or point radius) while the body is lifted
 * (on a truck not known empty when it stopped) or the load drops (payload by `payloadDropKg`, or the load state falling). Lifting inside the
 * disposal site, or loading at the site, is legal: a stop with any fix inside a place is not
 * judged here. Opens when both hold, from the stop's start; closes when the truck drives off.
 */
class IllegalDumpingDetector implements Detector {
  private readonly episode = new Episode('illegal_dumping');
  private readonly stop = new StopWatch();

  step(j: Judged, out: IncidentOut): void {
    const c = j.profile.compliance;
    const stopped = this.stop.step(j);
    if (this.episode.isOpen) {
      this.episode.add(j);
      if (!stopped) this.episode.close(out, j, j.atMs, { stoppedS: Math.round((j.atMs - this.episode.startMs!) / 1000) });
      else this.episode.add(j, this.evidence());
      return;
    }
    if (!stopped || this.stop.inPlace || !this.stop.unloaded) return;
    if ((j.atMs - this.stop.startMs) / 1000 < c.dumpingStoppedS) return;
    const nearest = j.city.places.nearest(j.fix.lon, j.fix.lat);
    this.episode.open(out, j, {
      startMs: this.stop.startMs, fixIds: this.stop.fixIds, permitId: this.stop.permitId,
      thresholds: { dumpingStoppedS: c.dumpingStoppedS, payloadDropKg: c.payloadDropKg, facilityToleranceM: c.facilityToleranceM, facilityPointRadiusM: c.facilityPointRadiusM },
      details: {
        ...this.evidence(), lon: j.fix.lon, lat: j.fix.lat,
        nearestPlaceId: nearest?.place.id ?? null, nearestPlaceM: nearest ? Math.round(nearest.distanceM) : null,
      },
    });
  }

  private evidence(): Record<string, unknown> {
    return { bodyLifted: this.stop.lifted, dropKg: Math.round(this.stop.dropKg), loadStateChange: this.stop.stateDrop ?? null };
  }
}

export const illegalDumping: Rule = {
  type: 'illegal_dumping',
  appliesTo: (v) => v.kind === 'muck_truck' || v.kind === 'collector',
  create: () => new IllegalDumpingDetector(),
};
