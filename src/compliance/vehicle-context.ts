import type { CityProfile } from '../domain/city-profile.js';
import type { LoadState } from '../domain/fix.js';
import type { Vehicle } from '../domain/model.js';
import type { StoredFix } from '../tracking/position-writer.js';
import type { ComplianceCity, PermitCorridor } from './city.js';
import { fixId } from './fix-id.js';
import { localTime, type LocalTime } from './local-time.js';
import type { Place } from './places.js';

/**
 * What the detectors read of a fix. A lane keeps half an hour of fixes per vehicle for re-runs:
 * this slim copy (no alarms, attributes…) keeps that affordable for a large fleet. The course stays:
 * the map matcher tells a road from the one across it at a junction by it.
 */
export type ComplianceFix = Pick<StoredFix, 'vehicleId' | 'fixTimeMs' | 'lat' | 'lon' | 'speedKmh' | 'positioned' | 'loadState' | 'loadKg' | 'coverClosed' | 'bodyLifted'>
  & { headingDeg?: number };

export function slimFix(f: StoredFix): ComplianceFix {
  return {
    vehicleId: f.vehicleId, fixTimeMs: f.fixTimeMs, lat: f.lat, lon: f.lon, speedKmh: f.speedKmh, headingDeg: f.headingDeg, positioned: f.positioned,
    loadState: f.loadState, loadKg: f.loadKg, coverClosed: f.coverClosed, bodyLifted: f.bodyLifted,
  };
}

/**
 * One fix with everything the rules ask of it, worked out once for all of them, plus what
 * the vehicle's earlier fixes say (like Traccar's handlers, which see the last and the new
 * position). A terminal that leaves a status out of a fix has not changed it: load, cover,
 * lift and payload carry over from the latest fix that reported them.
 */
export interface Judged {
  fix: ComplianceFix;
  id: string;
  atMs: number;
  vehicle: Vehicle;
  profile: CityProfile;
  city: ComplianceCity;
  local: LocalTime;
  moving: boolean;
  /** undefined: the vehicle reports neither a load state nor a payload. */
  loaded: boolean | undefined;
  loadState?: LoadState;
  loadKg?: number;
  /** true only when the terminal says open (unknown counts as closed: no evidence). */
  coverOpen: boolean;
  bodyLifted: boolean;
  /** Facilities and sites holding the position (outline + tolerance, or point radius). */
  places: readonly Place[];
  /** Seconds since the vehicle last moved (0 while moving). */
  stoppedForS: number;
  /** The current loaded trip, if any. */
  trip?: Trip;
  validPermits: readonly PermitCorridor[];
  /** The fix before this one (fix-time order), as judged then. */
  previous?: Judged;
}

export interface Trip {
  startMs: number;
  /** The construction site the truck was loaded at, when it was seen there. */
  originSiteId?: string;
  permit?: PermitCorridor;
}

export class VehicleContext {
  private loadState?: LoadState;
  private loadKg?: number;
  private coverClosed?: boolean;
  private bodyLifted?: boolean;
  private stoppedSinceMs?: number;
  private trip?: Trip;
  /** Where the truck was last seen empty or being loaded: the site its next load comes from. */
  private lastSiteId?: string;
  private previous?: Judged;

  constructor(public vehicle: Vehicle) {}

  judge(fix: ComplianceFix, city: ComplianceCity): Judged {
    const profile = city.profile;
    const c = profile.compliance;
    if (fix.loadState !== undefined) this.loadState = fix.loadState;
    if (fix.loadKg !== undefined) this.loadKg = fix.loadKg;
    if (fix.coverClosed !== undefined) this.coverClosed = fix.coverClosed;
    if (fix.bodyLifted !== undefined) this.bodyLifted = fix.bodyLifted;
    const moving = fix.speedKmh >= c.movingKmh;
    if (moving) this.stoppedSinceMs = undefined;
    else if (this.stoppedSinceMs === undefined) this.stoppedSinceMs = fix.fixTimeMs;
    const loaded = this.loadState !== undefined ? this.loadState !== 'empty'
      : this.loadKg !== undefined ? this.loadKg > c.loadedAboveKg : undefined;
    const places = city.places.containing(fix.lon, fix.lat);
    const local = localTime(fix.fixTimeMs, profile.timeZone);
    const validPermits = this.vehicle.kind === 'muck_truck' ? city.validPermits(this.vehicle.id, local) : [];
    const site = places.find((p) => p.kind === 'site');
    if (loaded) {
      if (!this.trip) {
        const originSiteId = site?.id ?? this.lastSiteId;
        this.trip = { startMs: fix.fixTimeMs, originSiteId, permit: choosePermit(validPermits, originSiteId, fix) };
      } else if (!this.trip.permit && validPermits.length > 0) {
        this.trip.permit = choosePermit(validPermits, this.trip.originSiteId, fix);
      }
    } else {
      this.trip = undefined;
    }
    if (site && !moving) this.lastSiteId = site.id;
    else if (!loaded && places.length === 0 && moving) this.lastSiteId = undefined;
    const judged: Judged = {
      fix, get id() {
        // An ISO string per fix costs more than judging it: made only for fixes kept as evidence.
        const id = fixId(fix.vehicleId, fix.fixTimeMs);
        Object.defineProperty(this, 'id', { value: id });
        return id;
      }, atMs: fix.fixTimeMs, vehicle: this.vehicle, profile, city, local,
      moving, loaded, loadState: this.loadState, loadKg: this.loadKg, coverOpen: this.coverClosed === false, bodyLifted: this.bodyLifted === true,
      places, stoppedForS: this.stoppedSinceMs === undefined ? 0 : (fix.fixTimeMs - this.stoppedSinceMs) / 1000,
      trip: this.trip, validPermits, previous: this.previous,
    };
    // Only one fix back is kept: a chain of previous links would hold the whole night.
    if (this.previous) this.previous.previous = undefined;
    this.previous = judged;
    return judged;
  }
}

/** The permit of a loaded trip: the one for the site it was loaded at, else the one whose corridor is nearest. */
function choosePermit(valid: readonly PermitCorridor[], originSiteId: string | undefined, fix: ComplianceFix): PermitCorridor | undefined {
  if (valid.length <= 1) return valid[0];
  const bySite = valid.filter((p) => p.permit.siteId === originSiteId);
  if (bySite.length === 1) return bySite[0];
  const pool = bySite.length > 1 ? bySite : valid;
  let best = pool[0]!;
  let bestM = Infinity;
  for (const p of pool) {
    const d = p.geometry.distanceToLineM(fix.lon, fix.lat);
    if (d < bestM) {
      bestM = d;
      best = p;
    }
  }
  return best;
}
