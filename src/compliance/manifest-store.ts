import type { CityProfile } from '../domain/city-profile.js';
import type { Db, Queryable } from '../store/db.js';
import { newId } from '../store/city-repo.js';
import { windowMinutes } from '../domain/time-of-day.js';
import { localDayStartMs } from '../tracking/local-day.js';
import { ManifestMachine, type ManifestChange, type ManifestFix, type ManifestPermit, type ManifestTrip, type ManifestWorld } from './manifest.js';
import { PlaceIndex, type Place } from './places.js';

/**
 * E-manifest trips in the store (migration 12) and what a city audits from them: the trips of
 * a night by permit and site, and the site-to-disposal balance — per night, site and permit,
 * trips opened, loads delivered (closed inside the permit's disposal site), trips flagged,
 * still open, and the kg they carried.
 *
 * `rebuildNight` derives a night's trips from the position log (fixes in fix-time order per
 * truck, through the state machine of manifest.ts) and replaces what the store held for it:
 * re-running it gives the same trips.
 */
export interface StoredTrip extends Omit<ManifestTrip, 'openedAtMs' | 'closedAtMs' | 'windowEndMs'> {
  id: string;
  openedAt: string;
  closedAt?: string;
}

export interface BalanceRow {
  night: string;
  siteId: string;
  permitId: string;
  disposalFacilityId: string;
  trips: number;
  /** closed inside the permit's disposal site (on time or late) */
  loads: number;
  flagged: number;
  open: number;
  endedElsewhere: number;
  late: number;
  kg: number;
  kgDelivered: number;
  /** trips − loads: loads the site sent out that no disposal site took in */
  unaccounted: number;
}

interface Row {
  id: string; vehicle_id: string; permit_id: string; site_id: string; disposal_facility_id: string; night: string | Date;
  opened_at: Date | string; closed_at: Date | string | null; closed_facility_id: string | null; status: ManifestTrip['status'];
  flag: ManifestTrip['flag'] | null; load_kg: number | null; open_fix_id: string | null; close_fix_id: string | null;
}

const dateOnly = (d: string | Date): string => (typeof d === 'string' ? d.slice(0, 10) : `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`);

function toTrip(r: Row): StoredTrip {
  return {
    id: r.id, vehicleId: r.vehicle_id, permitId: r.permit_id, siteId: r.site_id, disposalFacilityId: r.disposal_facility_id,
    night: dateOnly(r.night), openedAt: new Date(r.opened_at).toISOString(), openFixId: r.open_fix_id ?? '',
    status: r.status, ...(r.flag ? { flag: r.flag } : {}),
    ...(r.closed_at ? { closedAt: new Date(r.closed_at).toISOString() } : {}),
    ...(r.closed_facility_id ? { closedFacilityId: r.closed_facility_id } : {}),
    ...(r.close_fix_id ? { closeFixId: r.close_fix_id } : {}),
    ...(r.load_kg !== null ? { loadKg: r.load_kg } : {}),
  };
}

export interface TripFilter {
  night: string;
  permitId?: string;
  siteId?: string;
  /** trips of the vehicles listed under this contractor / district (a dispatcher's fleet) */
  contractor?: string;
  district?: string;
}

function where(f: TripFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [f.night];
  const parts = ['night = $1'];
  if (f.permitId) parts.push(`permit_id = $${params.push(f.permitId)}`);
  if (f.siteId) parts.push(`site_id = $${params.push(f.siteId)}`);
  if (f.contractor !== undefined) parts.push(`vehicle_id in (select id from vehicles where doc->>'contractor' = $${params.push(f.contractor)})`);
  if (f.district !== undefined) parts.push(`vehicle_id in (select id from vehicles where district = $${params.push(f.district)})`);
  return { sql: parts.join(' and '), params };
}

export class ManifestStore {
  constructor(private readonly db: Db) {}

  /** One trip as the machine last saw it (an open, then its close or flag, land on the same row). */
  async record(trip: ManifestTrip, q: Queryable = this.db): Promise<void> {
    await q.query(
      `insert into manifest_trips (id, vehicle_id, permit_id, site_id, disposal_facility_id, night, opened_at, closed_at, closed_facility_id, status, flag, load_kg, open_fix_id, close_fix_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       on conflict (vehicle_id, opened_at) do update set closed_at = excluded.closed_at, closed_facility_id = excluded.closed_facility_id,
         status = excluded.status, flag = excluded.flag, close_fix_id = excluded.close_fix_id, updated_at = now()`,
      [
        newId('trip'), trip.vehicleId, trip.permitId, trip.siteId, trip.disposalFacilityId, trip.night, new Date(trip.openedAtMs),
        trip.closedAtMs !== undefined ? new Date(trip.closedAtMs) : null, trip.closedFacilityId ?? null, trip.status, trip.flag ?? null,
        trip.loadKg ?? null, trip.openFixId, trip.closeFixId ?? null,
      ],
    );
  }

  async trips(f: TripFilter): Promise<StoredTrip[]> {
    const w = where(f);
    const res = await this.db.query<Row>(`select * from manifest_trips where ${w.sql} order by opened_at, vehicle_id`, w.params);
    return res.rows.map(toTrip);
  }

  async balance(f: TripFilter): Promise<BalanceRow[]> {
    const w = where(f);
    const res = await this.db.query<Record<string, any>>(
      `select night, site_id, permit_id, disposal_facility_id,
              count(*)::int as trips,
              count(*) filter (where closed_facility_id = disposal_facility_id)::int as loads,
              count(*) filter (where status = 'flagged')::int as flagged,
              count(*) filter (where closed_at is null)::int as open,
              count(*) filter (where flag = 'ended_elsewhere')::int as ended_elsewhere,
              count(*) filter (where flag = 'late')::int as late,
              coalesce(sum(load_kg), 0)::float8 as kg,
              coalesce(sum(load_kg) filter (where closed_facility_id = disposal_facility_id), 0)::float8 as kg_delivered
       from manifest_trips where ${w.sql}
       group by night, site_id, permit_id, disposal_facility_id order by site_id, permit_id`,
      w.params,
    );
    return res.rows.map((r) => ({
      night: dateOnly(r.night), siteId: r.site_id, permitId: r.permit_id, disposalFacilityId: r.disposal_facility_id,
      trips: r.trips, loads: r.loads, flagged: r.flagged, open: r.open, endedElsewhere: r.ended_elsewhere, late: r.late,
      kg: Number(r.kg), kgDelivered: Number(r.kg_delivered), unaccounted: r.trips - r.loads,
    }));
  }

  /**
   * Derives one night's trips from the position log and replaces the night's rows. Fixes from
   * two hours before the earliest permit window to two hours after the latest end plus the grace
   * are read, in fix-time order per truck; open trips past their end plus grace at `nowMs` are
   * flagged late.
   */
  async rebuildNight(night: string, world: ManifestWorld & { permits: ManifestPermit[]; vehicleIds: string[] }, nowMs: number): Promise<StoredTrip[]> {
    const permitsValid = world.permits.filter((p) => p.validFrom <= night && night <= p.validTo);
    if (permitsValid.length === 0 || world.vehicleIds.length === 0) {
      await this.db.query('delete from manifest_trips where night = $1', [night]);
      return [];
    }
    // local midnight of the night's date (noon UTC lies on that local date in zones within ±11 h)
    const dayStartMs = localDayStartMs(Date.parse(`${night}T12:00:00Z`), world.timeZone);
    let fromMs = Infinity;
    let toMs = -Infinity;
    for (const p of permitsValid) {
      const [startMin, endMin] = windowMinutes(p.hours);
      fromMs = Math.min(fromMs, dayStartMs + startMin * 60_000);
      toMs = Math.max(toMs, dayStartMs + endMin * 60_000);
    }
    fromMs -= 2 * 3_600_000;
    toMs += world.graceMin * 60_000 + 2 * 3_600_000;
    const res = await this.db.query<{ vehicle_id: string; fix_time: Date | string; lon: number; lat: number; load_state: any; load_kg: number | null; body_lifted: boolean | null; implausible: boolean }>(
      `select vehicle_id, fix_time, lon, lat, load_state, load_kg, body_lifted, implausible from positions
       where vehicle_id = any($1) and fix_time >= $2 and fix_time < $3 and positioned order by vehicle_id, fix_time`,
      [world.vehicleIds, new Date(fromMs), new Date(toMs)],
    );
    const machine = new ManifestMachine(world);
    const latest = new Map<string, ManifestTrip>();
    const keep = (t: ManifestTrip) => latest.set(`${t.vehicleId}|${t.openedAtMs}`, t);
    for (const r of res.rows) {
      for (const c of machine.onFix({
        vehicleId: r.vehicle_id, fixTimeMs: new Date(r.fix_time).getTime(), lon: r.lon, lat: r.lat,
        loadState: r.load_state, loadKg: r.load_kg, bodyLifted: r.body_lifted, implausible: r.implausible,
      })) keep(c.trip);
    }
    for (const c of machine.tick(Math.min(nowMs, toMs))) keep(c.trip);
    const trips = [...latest.values()].filter((t) => t.night === night);
    await this.db.transaction(async (tx) => {
      await tx.query('delete from manifest_trips where night = $1', [night]);
      for (const t of trips) await this.record(t, tx);
    });
    return this.trips({ night });
  }
}

type Doc = Record<string, any>;

/** The manifest's view of the stored city: muck-truck permits, sites and facilities as places. */
export async function loadManifestWorld(db: Db, profile: CityProfile, options: { graceMin?: number; toleranceM?: number; pointRadiusM?: number; loadedAboveKg?: number } = {}) {
  const docs = async (table: string) => (await db.query<{ doc: Doc }>(`select doc from ${table} order by id`)).rows.map((r) => r.doc);
  const [permitDocs, siteDocs, facilityDocs] = await Promise.all([docs('permits'), docs('construction_sites'), docs('facilities')]);
  // the compliance profile keys when present (src/compliance detectors), else the documented defaults
  const compliance = (profile as CityProfile & { compliance?: { facilityToleranceM?: number; facilityPointRadiusM?: number; loadedAboveKg?: number; manifestGraceMin?: number } }).compliance;
  const toleranceM = options.toleranceM ?? compliance?.facilityToleranceM ?? 25;
  const pointRadiusM = options.pointRadiusM ?? compliance?.facilityPointRadiusM ?? 150;
  const sitePlaces: Place[] = siteDocs.map((s) => ({ id: s.id, kind: 'site', placeKind: 'construction_site', lon: s.location.coordinates[0], lat: s.location.coordinates[1], outline: s.area }));
  const facilityPlaces: Place[] = facilityDocs.map((f) => ({ id: f.id, kind: 'facility', placeKind: f.kind, lon: f.location.coordinates[0], lat: f.location.coordinates[1], outline: f.outline }));
  const sites = new PlaceIndex(sitePlaces, toleranceM, pointRadiusM);
  const facilities = new PlaceIndex(facilityPlaces, toleranceM, pointRadiusM);
  const permits: Array<ManifestPermit & { vehicleIds: string[] }> = permitDocs.map((p) => ({
    id: p.id, siteId: p.siteId, disposalFacilityId: p.disposalFacilityId, hours: p.hours, validFrom: p.validFrom, validTo: p.validTo, vehicleIds: p.vehicleIds,
  }));
  const byVehicle = new Map<string, ManifestPermit[]>();
  for (const p of permits) for (const v of p.vehicleIds) byVehicle.set(v, [...(byVehicle.get(v) ?? []), p]);
  return {
    timeZone: profile.timeZone,
    graceMin: options.graceMin ?? compliance?.manifestGraceMin ?? DEFAULT_MANIFEST_GRACE_MIN,
    loadedAboveKg: options.loadedAboveKg ?? compliance?.loadedAboveKg ?? 1_000,
    permits,
    vehicleIds: [...byVehicle.keys()].sort(),
    permitsOf: (vehicleId: string) => byVehicle.get(vehicleId) ?? [],
    sitesAt: (lon: number, lat: number) => sites.containing(lon, lat).map((p) => p.id),
    facilitiesAt: (lon: number, lat: number) => facilities.containing(lon, lat).map((p) => p.id),
  } satisfies ManifestWorld & { permits: ManifestPermit[]; vehicleIds: string[] };
}

/** A trip still open this long after its permit window's end is flagged late. */
export const DEFAULT_MANIFEST_GRACE_MIN = 60;

/**
 * The e-manifest kept live: fixes in fix-time order per truck (the compliance pipeline's
 * reorder lanes deliver them so) go through the state machine, and every change is written to
 * the trip's row in the order it happened. `tick` flags trips past their window plus grace
 * when their trucks have gone quiet.
 */
export class ManifestRecorder {
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly machine: ManifestMachine, private readonly store: ManifestStore, private readonly onError: (err: unknown) => void = () => undefined) {}

  onFix(fix: ManifestFix): Promise<void> {
    return this.write(this.machine.onFix(fix));
  }

  tick(nowMs: number): Promise<void> {
    return this.write(this.machine.tick(nowMs));
  }

  /** Every change so far is written. */
  settle(): Promise<void> {
    return this.chain;
  }

  private write(changes: ManifestChange[]): Promise<void> {
    if (changes.length === 0) return this.chain;
    this.chain = this.chain.then(async () => {
      for (const c of changes) await this.store.record(c.trip);
    }).catch((err: unknown) => this.onError(err));
    return this.chain;
  }
}
