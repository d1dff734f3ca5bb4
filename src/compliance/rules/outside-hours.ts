import { Episode, type IncidentOut } from '../episode.js';
import { Run, type Detector, type Rule } from '../detector.js';
import { inWindow } from '../local-time.js';
import type { Judged } from '../vehicle-context.js';

/**
 * outside_hours (未按规定时段): a loaded muck truck driving outside its permit's window, in the
 * city profile's local time (windows may cross midnight; the window's start is inside it, to
 * the second). It opens after `compliance.outsideHoursAfterS` of loaded driving outside the
 * window and closes when the truck is unloaded, the window begins, or it stays parked
 * `tripBreakS`. Fixes inside a facility or site count neither way. A truck with no permit for the night is no_permit's, not this rule's.
 */
class OutsideHoursDetector implements Detector {
  private readonly episode = new Episode('outside_hours');
  private readonly run = new Run();

  step(j: Judged, out: IncidentOut): void {
    const c = j.profile.compliance;
    const permits = j.trip?.permit ? [j.trip.permit] : j.validPermits;
    const outsideWindow = permits.length > 0 && !permits.some((p) => inWindow(j.local, p.permit.hours));
    const active = j.loaded === true && outsideWindow && j.stoppedForS < c.tripBreakS;
    if (this.episode.isOpen) {
      this.episode.add(j);
      if (!active) this.episode.close(out, j, j.atMs);
      return;
    }
    if (!active) {
      this.run.reset();
      return;
    }
    // A stop at a light neither starts nor ends it; nor does driving inside a site (loading, queueing to leave).
    if (!j.moving || j.places.length > 0) return;
    this.run.add(j);
    if (this.run.held(j.atMs, c.outsideHoursAfterS)) {
      const p = permits[0]!.permit;
      this.episode.open(out, j, {
        startMs: this.run.startMs, fixIds: this.run.fixIds, permitId: p.id,
        thresholds: { permitHours: `${p.hours.from}-${p.hours.to}`, timeZone: j.profile.timeZone, outsideHoursAfterS: c.outsideHoursAfterS },
        details: { localTimeAtStart: hhmmss(j.local.secondOfDay - this.run.spanS(j.atMs)), localDate: j.local.date },
      });
      this.run.reset();
    }
  }
}

function hhmmss(secondOfDay: number): string {
  const s = ((Math.floor(secondOfDay) % 86_400) + 86_400) % 86_400;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

export const outsideHours: Rule = {
  type: 'outside_hours',
  appliesTo: (v) => v.kind === 'muck_truck',
  create: () => new OutsideHoursDetector(),
};
