import type { LoadState } from '../domain/fix.js';
import { windowMinutes, type TimeWindow } from '../domain/time-of-day.js';
import { localDayStartMs, zoneOffsetMs } from '../tracking/local-day.js';
import { fixId } from './fix-id.js';

/**
 * The e-manifest (电子联单) as a per-vehicle state machine over a muck truck's fixes in
 * fix-time order:
 *
 *   idle ──(inside one of its permits' sites)──▶ at site
 *   at site ──(first fix outside the site, loaded)──▶ trip open  (opened at the site exit)
 *   at site ──(outside, empty)──▶ idle                            (left without a load)
 *   trip open ──(inside the permit's disposal site, body lifted or load gone)──▶ closed
 *   trip open ──(body lifted or load gone anywhere else)──▶ flagged 'ended_elsewhere'
 *   trip open ──(still open past the permit window's end + grace)──▶ flagged 'late'
 *                (a late trip that then reaches its disposal site is closed there, still flagged)
 *
 * "Loaded" is the load state when the terminal reports one, else the payload above
 * `loadedAboveKg`; a truck reporting neither opens no trip (nothing to account for). Fixes
 * older than the vehicle's latest are ignored: the caller feeds them in fix-time order (the
 * compliance pipeline's reorder window, or the position log read in order).
 */
export interface ManifestFix {
  vehicleId: string;
  fixTimeMs: number;
  lon: number;
  lat: number;
  loadState?: LoadState | null;
  loadKg?: number | null;
  bodyLifted?: boolean | null;
  implausible?: boolean;
}

export interface ManifestPermit {
  id: string;
  siteId: string;
  disposalFacilityId: string;
  hours: TimeWindow;
  validFrom: string;
  validTo: string;
}

export interface ManifestWorld {
  timeZone: string;
  /** A trip still open this long after its permit window's end is flagged late. */
  graceMin: number;
  loadedAboveKg: number;
  permitsOf(vehicleId: string): ManifestPermit[];
  /** Construction sites whose area (or radius) holds the position. */
  sitesAt(lon: number, lat: number): string[];
  /** Facilities whose outline plus tolerance (or radius) holds the position. */
  facilitiesAt(lon: number, lat: number): string[];
}

export type TripStatus = 'open' | 'closed' | 'flagged';
export type TripFlag = 'ended_elsewhere' | 'late';

export interface ManifestTrip {
  vehicleId: string;
  permitId: string;
  siteId: string;
  disposalFacilityId: string;
  /** Local date the permit night began on (a 02:00 trip in a 22:00-06:00 window: the evening before). */
  night: string;
  openedAtMs: number;
  openFixId: string;
  loadKg?: number;
  /** The permit window's end for this night; late is judged against it plus the grace. */
  windowEndMs: number;
  status: TripStatus;
  flag?: TripFlag;
  closedAtMs?: number;
  closedFacilityId?: string;
  closeFixId?: string;
}

export interface ManifestChange {
  kind: 'opened' | 'closed' | 'flagged';
  trip: ManifestTrip;
}

/** The night a moment belongs to under a window, and that night's window end. */
export function permitNight(ms: number, timeZone: string, hours: TimeWindow): { night: string; windowEndMs: number } {
  const dayStart = localDayStartMs(ms, timeZone);
  const minute = (ms - dayStart) / 60_000;
  const [start, end] = windowMinutes(hours);
  let nightStart = dayStart;
  // A window crossing midnight: the morning, up to the middle of the day's gap, belongs to the previous evening.
  if (end > 1440 && minute < (end - 1440 + start) / 2) nightStart = localDayStartMs(dayStart - 1, timeZone);
  const night = new Date(nightStart + zoneOffsetMs(nightStart, timeZone)).toISOString().slice(0, 10);
  return { night, windowEndMs: nightStart + end * 60_000 };
}

interface VehicleManifest {
  lastMs: number;
  atSite?: string;
  trip?: ManifestTrip;
}

export class ManifestMachine {
  private readonly vehicles = new Map<string, VehicleManifest>();

  constructor(private world: ManifestWorld) {}

  /** The city changed (permits, sites, facilities): open trips keep the permit they opened under. */
  setWorld(world: ManifestWorld): void {
    this.world = world;
  }

  /** Trips open now (for a restart, or a look at the night so far). */
  openTrips(): ManifestTrip[] {
    return [...this.vehicles.values()].flatMap((v) => (v.trip ? [v.trip] : []));
  }

  onFix(fix: ManifestFix): ManifestChange[] {
    let v = this.vehicles.get(fix.vehicleId);
    if (!v) this.vehicles.set(fix.vehicleId, (v = { lastMs: -Infinity }));
    if (fix.fixTimeMs <= v.lastMs || fix.implausible) return [];
    v.lastMs = fix.fixTimeMs;
    const changes: ManifestChange[] = [];
    const permits = this.world.permitsOf(fix.vehicleId);
    if (permits.length === 0) return changes;
    const loaded = this.loaded(fix);
    const permitSites = new Set(permits.map((p) => p.siteId));
    const atSites = this.world.sitesAt(fix.lon, fix.lat).filter((s) => permitSites.has(s));

    if (v.trip) {
      const trip = v.trip;
      const emptied = fix.bodyLifted === true || loaded === false;
      if (emptied) {
        const facilities = this.world.facilitiesAt(fix.lon, fix.lat);
        const atDisposal = facilities.includes(trip.disposalFacilityId);
        trip.closedAtMs = fix.fixTimeMs;
        trip.closeFixId = fixId(fix.vehicleId, fix.fixTimeMs);
        if (atDisposal) {
          trip.closedFacilityId = trip.disposalFacilityId;
          trip.status = trip.flag ? 'flagged' : 'closed';
          changes.push({ kind: 'closed', trip: { ...trip } });
        } else {
          const elsewhere = facilities[0] ?? atSites[0];
          if (elsewhere !== undefined) trip.closedFacilityId = elsewhere;
          trip.status = 'flagged';
          trip.flag = 'ended_elsewhere';
          changes.push({ kind: 'flagged', trip: { ...trip } });
        }
        v.trip = undefined;
      } else {
        changes.push(...this.flagLate(v, fix.fixTimeMs));
        return changes;
      }
    }

    if (atSites.length > 0) {
      v.atSite = atSites[0];
    } else if (v.atSite !== undefined) {
      const siteId = v.atSite;
      v.atSite = undefined;
      if (loaded) {
        const trip = this.open(fix, siteId, permits);
        if (trip) {
          v.trip = trip;
          changes.push({ kind: 'opened', trip: { ...trip } });
        }
      }
    }
    return changes;
  }

  /** Flags every open trip past its window's end plus the grace (call it now and then: a truck may stop reporting). */
  tick(nowMs: number): ManifestChange[] {
    return [...this.vehicles.values()].flatMap((v) => this.flagLate(v, nowMs));
  }

  private flagLate(v: VehicleManifest, atMs: number): ManifestChange[] {
    const trip = v.trip;
    if (!trip || trip.flag || atMs <= trip.windowEndMs + this.world.graceMin * 60_000) return [];
    trip.status = 'flagged';
    trip.flag = 'late';
    return [{ kind: 'flagged', trip: { ...trip } }];
  }

  /** true / false when the terminal tells; undefined when it reports neither state nor payload. */
  private loaded(fix: ManifestFix): boolean | undefined {
    if (fix.loadState) return fix.loadState !== 'empty';
    if (fix.loadKg !== undefined && fix.loadKg !== null) return fix.loadKg > this.world.loadedAboveKg;
    return undefined;
  }

  private open(fix: ManifestFix, siteId: string, permits: ManifestPermit[]): ManifestTrip | undefined {
    const ofSite = permits.filter((p) => p.siteId === siteId);
    const valid = ofSite.find((p) => {
      const { night } = permitNight(fix.fixTimeMs, this.world.timeZone, p.hours);
      return p.validFrom <= night && night <= p.validTo;
    });
    const permit = valid ?? ofSite[0];
    if (!permit) return undefined;
    const { night, windowEndMs } = permitNight(fix.fixTimeMs, this.world.timeZone, permit.hours);
    return {
      vehicleId: fix.vehicleId, permitId: permit.id, siteId, disposalFacilityId: permit.disposalFacilityId, night,
      openedAtMs: fix.fixTimeMs, openFixId: fixId(fix.vehicleId, fix.fixTimeMs),
      ...(fix.loadKg !== undefined && fix.loadKg !== null ? { loadKg: fix.loadKg } : {}),
      windowEndMs, status: 'open',
    };
  }
}
