import { Episode, type IncidentOut } from '../episode.js';
import { Run, type Detector, type Rule } from '../detector.js';
import { nightDate } from '../local-time.js';
import type { Judged } from '../vehicle-context.js';

/**
 * no_permit (无证运输): a muck truck driving loaded when none of its permits is valid for the
 * night (the vehicle is on no permit, or the dates do not cover the night the fix belongs to).
 * Opens after `compliance.noPermitAfterS` of loaded driving; closes when it is unloaded or
 * parked `tripBreakS`.
 */
class NoPermitDetector implements Detector {
  private readonly episode = new Episode('no_permit');
  private readonly run = new Run();

  step(j: Judged, out: IncidentOut): void {
    const c = j.profile.compliance;
    const active = j.loaded === true && j.validPermits.length === 0 && j.stoppedForS < c.tripBreakS;
    if (this.episode.isOpen) {
      this.episode.add(j);
      if (!active) this.episode.close(out, j, j.atMs);
      return;
    }
    if (!active) {
      this.run.reset();
      return;
    }
    if (!j.moving || j.places.length > 0) return; // driving inside a site is not a trip on the road
    this.run.add(j);
    if (this.run.held(j.atMs, c.noPermitAfterS)) {
      this.episode.open(out, j, {
        startMs: this.run.startMs, fixIds: this.run.fixIds,
        thresholds: { noPermitAfterS: c.noPermitAfterS },
        // The night of the city's muck-truck hours the trip belongs to (a trip at 02:00 is the evening before's).
        details: { nightDate: nightDate(j.local, j.profile.muckTruckHours) },
      });
      this.run.reset();
    }
  }
}

export const noPermit: Rule = {
  type: 'no_permit',
  appliesTo: (v) => v.kind === 'muck_truck',
  create: () => new NoPermitDetector(),
};
