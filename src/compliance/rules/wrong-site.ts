import { Episode, type IncidentOut } from '../episode.js';
import type { Detector, Rule } from '../detector.js';
import type { Judged } from '../vehicle-context.js';
import { StopWatch } from './unloading.js';

/**
 * wrong_site (未按指定地点消纳): a truck on a permit trip unloads (body lifted or load dropping,
 * as illegal_dumping judges it) inside a facility or site other than the permit's disposal site
 * (its own loading site does not count). Opens at the first fix showing the unloading there,
 * from the stop's start; closes when the truck drives off.
 */
class WrongSiteDetector implements Detector {
  private readonly episode = new Episode('wrong_site');
  private readonly stop = new StopWatch();

  step(j: Judged, out: IncidentOut): void {
    const stopped = this.stop.step(j);
    if (this.episode.isOpen) {
      this.episode.add(j);
      if (!stopped) this.episode.close(out, j, j.atMs);
      return;
    }
    if (!stopped || !this.stop.permitId || !this.stop.unloaded) return;
    const here = j.places.filter((p) => p.id !== this.stop.disposalFacilityId && p.id !== this.stop.siteId);
    // Inside the disposal site (even near another place's fence) is where it should be.
    if (here.length === 0 || j.places.some((p) => p.id === this.stop.disposalFacilityId)) return;
    const c = j.profile.compliance;
    this.episode.open(out, j, {
      startMs: this.stop.startMs, fixIds: this.stop.fixIds, permitId: this.stop.permitId,
      thresholds: { disposalFacilityId: this.stop.disposalFacilityId ?? '', payloadDropKg: c.payloadDropKg, facilityToleranceM: c.facilityToleranceM },
      details: {
        siteId: here[0]!.id, siteKind: here[0]!.placeKind, disposalFacilityId: this.stop.disposalFacilityId ?? null,
        bodyLifted: this.stop.lifted, dropKg: Math.round(this.stop.dropKg), loadStateChange: this.stop.stateDrop ?? null,
      },
    });
  }
}

export const wrongSite: Rule = {
  type: 'wrong_site',
  appliesTo: (v) => v.kind === 'muck_truck',
  create: () => new WrongSiteDetector(),
};
