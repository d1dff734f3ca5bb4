import type { Judged } from '../vehicle-context.js';

/**
 * A stop and whether the truck unloaded during it: the body lifted, the payload fallen
 * `payloadDropKg` below its level at the stop's start, or the load state gone from full/half
 * to empty or from full to half. Shared by illegal_dumping (outside every place) and
 * wrong_site (inside the wrong one).
 */
export class StopWatch {
  startMs = 0;
  fixIds: string[] = [];
  inPlace = false;
  placeIds = new Set<string>();
  private refKg: number | undefined;
  private refState: Judged['loadState'];
  lifted = false;
  dropKg = 0;
  stateDrop: string | undefined;
  /** The permit of the trip when the stop began (the trip ends once the truck is empty). */
  permitId: string | undefined;
  disposalFacilityId: string | undefined;
  siteId: string | undefined;
  private stopped = false;

  get active(): boolean {
    return this.stopped;
  }

  /** Lifting counts when the truck was not known empty at the stop's start (an empty body lifted at the depot is no dumping). */
  get unloaded(): boolean {
    return (this.lifted && this.loadedAtStart !== false) || this.stateDrop !== undefined || this.dropKgAtLeast;
  }

  private loadedAtStart: boolean | undefined;

  private dropKgAtLeast = false;

  /** Feeds a stopped fix; false when the fix is moving (the stop, if any, is over). */
  step(j: Judged): boolean {
    if (j.moving) {
      this.stopped = false;
      return false;
    }
    if (!this.stopped) {
      this.stopped = true;
      this.startMs = j.atMs;
      this.fixIds = [];
      this.inPlace = false;
      this.placeIds = new Set();
      this.refKg = j.loadKg;
      this.refState = j.loadState;
      this.lifted = false;
      this.dropKg = 0;
      this.dropKgAtLeast = false;
      this.stateDrop = undefined;
      // The previous fix still knew the trip when this one already reports the truck empty — unless a
      // gap lies between them (the truck may have unloaded at its disposal site meanwhile).
      const previous = j.previous && j.atMs - j.previous.atMs <= j.profile.compliance.maxGapS * 1000 ? j.previous : undefined;
      const trip = j.trip ?? previous?.trip;
      this.permitId = trip?.permit?.permit.id;
      this.disposalFacilityId = trip?.permit?.permit.disposalFacilityId;
      this.siteId = trip?.permit?.permit.siteId ?? trip?.originSiteId;
      this.loadedAtStart = j.loaded;
      if (previous && !j.trip && previous.loaded) {
        this.refKg = previous.loadKg;
        this.refState = previous.loadState;
        this.loadedAtStart = true;
      }
    }
    if (this.fixIds.length < 200) this.fixIds.push(j.id);
    for (const p of j.places) {
      this.inPlace = true;
      this.placeIds.add(p.id);
    }
    if (j.bodyLifted) this.lifted = true;
    if (j.loadKg !== undefined) {
      if (this.refKg === undefined || j.loadKg > this.refKg) this.refKg = Math.max(this.refKg ?? 0, j.loadKg);
      this.dropKg = Math.max(this.dropKg, (this.refKg ?? j.loadKg) - j.loadKg);
      if (this.dropKg >= j.profile.compliance.payloadDropKg) this.dropKgAtLeast = true;
    }
    if (j.loadState !== undefined && this.refState !== undefined && this.refState !== j.loadState) {
      if ((this.refState !== 'empty' && j.loadState === 'empty') || (this.refState === 'full' && j.loadState === 'half')) {
        this.stateDrop = `${this.refState}->${j.loadState}`;
      }
    }
    return true;
  }
}
