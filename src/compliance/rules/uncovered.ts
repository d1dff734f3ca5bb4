import { Episode, type IncidentOut } from '../episode.js';
import { Run, type Detector, type Rule } from '../detector.js';
import type { Judged } from '../vehicle-context.js';

/**
 * uncovered (未密闭): loaded, the cover reported open and moving for `compliance.uncoveredAfterS`
 * (and two fixes). Cover open while empty, or while stopped (being loaded at the site), is legal;
 * a stop on the road neither starts nor ends it; the time counts from the first fix outside every
 * facility and site (inside one the cover may be open: loading, driving to the exit).
 * Closes at the first fix with the cover closed or the truck empty.
 */
class UncoveredDetector implements Detector {
  private readonly episode = new Episode('uncovered');
  private readonly run = new Run();
  private maxSpeedKmh = 0;

  step(j: Judged, out: IncidentOut): void {
    const c = j.profile.compliance;
    const active = j.loaded === true && j.coverOpen;
    if (this.episode.isOpen) {
      this.episode.add(j);
      if (j.fix.speedKmh > this.maxSpeedKmh) this.episode.add(j, { maxSpeedKmh: (this.maxSpeedKmh = j.fix.speedKmh) });
      if (!active || (!j.moving && j.places.length > 0)) this.episode.close(out, j, j.atMs);
      return;
    }
    // Inside a place the cover may be open (loading, moving to the exit): the time counts from the road.
    if (!active || j.places.length > 0) {
      this.run.reset();
      this.maxSpeedKmh = 0;
      return;
    }
    if (!j.moving) return;
    this.run.add(j);
    this.maxSpeedKmh = Math.max(this.maxSpeedKmh, j.fix.speedKmh);
    if (this.run.held(j.atMs, c.uncoveredAfterS)) {
      this.episode.open(out, j, {
        startMs: this.run.startMs, fixIds: this.run.fixIds, permitId: j.trip?.permit?.permit.id,
        thresholds: { uncoveredAfterS: c.uncoveredAfterS, movingKmh: c.movingKmh },
        details: { maxSpeedKmh: this.maxSpeedKmh, loadState: j.loadState ?? null, loadKg: j.loadKg ?? null },
      });
      this.run.reset();
    }
  }
}

export const uncovered: Rule = {
  type: 'uncovered',
  appliesTo: (v) => v.kind === 'muck_truck' || v.sensors.cover,
  create: () => new UncoveredDetector(),
};
