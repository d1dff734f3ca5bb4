import { Episode, type IncidentOut } from '../episode.js';
import { Run, type Detector, type Rule } from '../detector.js';
import type { Judged } from '../vehicle-context.js';

/**
 * restricted_zone (禁区): inside a ban zone for the vehicle's kind during its banned hours
 * (no hours = all day) for `compliance.zoneFixes` consecutive fixes; closes after as many
 * fixes outside it (or once its hours end). One incident per zone entry.
 */
class RestrictedZoneDetector implements Detector {
  private readonly episode = new Episode('restricted_zone');
  private readonly run = new Run();
  private runZoneId: string | undefined;
  private outsideRun = 0;
  private firstOutsideMs = 0;

  step(j: Judged, out: IncidentOut): void {
    const c = j.profile.compliance;
    const zones = j.city.zonesAt(j.fix.lon, j.fix.lat, j.vehicle.kind, j.local, 'ban');
    if (this.episode.isOpen) {
      this.episode.add(j);
      if (zones.some((z) => z.id === this.runZoneId)) {
        this.outsideRun = 0;
        return;
      }
      if (this.outsideRun === 0) this.firstOutsideMs = j.atMs;
      if (++this.outsideRun >= c.zoneFixes) {
        this.episode.close(out, j, this.firstOutsideMs);
        this.outsideRun = 0;
        this.run.reset();
      }
      return;
    }
    const zone = zones.find((z) => z.id === this.runZoneId) ?? zones[0];
    if (!zone) {
      this.run.reset();
      return;
    }
    if (zone.id !== this.runZoneId) this.run.reset();
    this.runZoneId = zone.id;
    this.run.add(j);
    if (this.run.count < c.zoneFixes) return;
    this.outsideRun = 0;
    this.episode.open(out, j, {
      startMs: this.run.startMs, fixIds: this.run.fixIds, zoneId: zone.id, permitId: j.trip?.permit?.permit.id,
      thresholds: { zoneHours: zone.hours.map((w) => `${w.from}-${w.to}`).join(',') || 'all day', zoneFixes: c.zoneFixes, timeZone: j.profile.timeZone },
      details: { zoneName: zone.name },
    });
    this.run.reset();
  }
}

export const restrictedZone: Rule = {
  type: 'restricted_zone',
  appliesTo: () => true,
  create: () => new RestrictedZoneDetector(),
};
