import { cityProfileSchema, type CityProfile } from '../../src/domain/city-profile.js';
import type { LoadState } from '../../src/domain/fix.js';
import { constructionSiteSchema, facilitySchema, permitSchema, restrictedZoneSchema, vehicleSchema, type Permit, type RestrictedZone, type Vehicle } from '../../src/domain/model.js';
import type { CityModel } from '../../src/compliance/city.js';
import { ComplianceMonitor } from '../../src/compliance/monitor.js';
import type { LaneContextReader } from '../../src/compliance/lane-context.js';
import type { IncidentEvent } from '../../src/compliance/incident-event.js';
import type { StoredFix } from '../../src/tracking/position-writer.js';

/**
 * A small city in metres around a point (x east, y north): site S (100 m square) at the origin,
 * disposal site D (150 m square outline) 3 km east, another disposal site O (a point only) 2 km
 * north, a permit for truck T1 from S to D along y = 0, 30 m wide, 22:00-06:00 Asia/Shanghai.
 */
const LON0 = 121.4;
const LAT0 = 31.2;
const M_PER_DEG_LAT = 111_195;
const M_PER_DEG_LON = M_PER_DEG_LAT * Math.cos((LAT0 * Math.PI) / 180);

export function at(xM: number, yM: number): [number, number] {
  return [LON0 + xM / M_PER_DEG_LON, LAT0 + yM / M_PER_DEG_LAT];
}

function square(cx: number, cy: number, halfM: number) {
  const ring = [at(cx - halfM, cy - halfM), at(cx + halfM, cy - halfM), at(cx + halfM, cy + halfM), at(cx - halfM, cy + halfM), at(cx - halfM, cy - halfM)];
  return { type: 'Polygon' as const, coordinates: [ring] };
}

export const point = (x: number, y: number) => ({ type: 'Point' as const, coordinates: at(x, y) });

/** 2026-12-01 local (UTC+8) hh:mm:ss as epoch ms. */
export function local(hh: number, mm = 0, ss = 0, day = 1): number {
  return Date.UTC(2026, 11, day, hh - 8, mm, ss);
}

const truck = (id: string): Vehicle => ({ ...vehicleSchema.parse({
  plate: id, kind: 'muck_truck', wasteClasses: ['construction'], capacityKg: 20_000, capacityM3: 12, sealed: true,
  sensors: { cover: true, lift: true, load: true }, homeDepotId: 'dep1', shift: { from: '22:00', to: '06:00' },
}), id });

export function cityModel(extra: { permits?: Permit[]; zones?: RestrictedZone[]; vehicles?: Vehicle[] } = {}): CityModel {
  const permit: Permit = { ...permitSchema.parse({
    number: 'P-1', siteId: 'S', disposalFacilityId: 'D', vehicleIds: ['T1', 'T3'],
    corridor: { line: { type: 'LineString', coordinates: [at(60, 0), at(2_900, 0)] }, widthM: 30 },
    hours: { from: '22:00', to: '06:00' }, loadsPerDay: 10, validFrom: '2026-12-01', validTo: '2026-12-31',
  }), id: 'P1' };
  const expired: Permit = { ...permit, id: 'P2', number: 'P-2', vehicleIds: ['T4'], validFrom: '2026-11-01', validTo: '2026-11-30' };
  const disposal = (id: string, x: number, y: number, outline: boolean) => ({
    ...facilitySchema.parse({
      name: id, kind: 'construction_disposal', location: point(x, y), acceptedClasses: ['construction'],
      openingHours: [{ from: '00:00', to: '24:00' }], dailyCapacityKg: 1e7, unloadS: 300,
    }), id, ...(outline ? { outline: square(x, y, 75) } : {}),
  });
  return {
    vehicles: extra.vehicles ?? [truck('T1'), truck('T2'), truck('T3'), truck('T4')],
    permits: extra.permits ?? [permit, expired],
    facilities: [disposal('D', 3_000, 0, true), disposal('O', 0, 2_000, false)],
    sites: [{ ...constructionSiteSchema.parse({ name: 'S', location: point(0, 0), area: square(0, 0, 50) }), id: 'S' }],
    zones: extra.zones ?? [
      { ...restrictedZoneSchema.parse({ name: 'school', area: square(1_000, 600, 100), vehicleKinds: ['muck_truck'], hours: [{ from: '07:00', to: '09:00' }], mode: 'ban' }), id: 'Z1' },
      { ...restrictedZoneSchema.parse({ name: 'slow', area: square(2_000, 0, 100), vehicleKinds: ['muck_truck'], mode: 'speed_limit', speedLimitKmh: 30 }), id: 'Z2' },
    ],
  };
}

export interface Status {
  speedKmh?: number;
  loadState?: LoadState;
  loadKg?: number;
  coverClosed?: boolean;
  bodyLifted?: boolean;
  implausible?: boolean;
  blindArea?: boolean;
}

export function fix(vehicleId: string, fixTimeMs: number, x: number, y: number, s: Status = {}): StoredFix {
  const [lon, lat] = at(x, y);
  return {
    deviceId: vehicleId, vehicleId, fixTimeMs, lon, lat, speedKmh: s.speedKmh ?? 30, headingDeg: 90, altitudeM: 0, positioned: true,
    alarms: [], source: 'jt808', loadState: s.loadState, loadKg: s.loadKg, coverClosed: s.coverClosed, bodyLifted: s.bodyLifted,
    implausible: s.implausible, blindArea: s.blindArea,
  };
}

/** Loaded, covered, at 30 km/h: the normal state of a permit trip. */
export const LOADED: Status = { speedKmh: 30, loadState: 'full', loadKg: 15_000, coverClosed: true, bodyLifted: false };
export const EMPTY: Status = { speedKmh: 30, loadState: 'empty', loadKg: 0, coverClosed: true, bodyLifted: false };

/** Fixes every `stepS` from (x0,y0) to (x1,y1) starting at startMs, `n` fixes (the last at the end). */
export function line(vehicleId: string, startMs: number, from: [number, number], to: [number, number], n: number, stepS: number, s: Status): StoredFix[] {
  const out: StoredFix[] = [];
  for (let i = 0; i < n; i++) {
    const f = n === 1 ? 0 : i / (n - 1);
    out.push(fix(vehicleId, startMs + i * stepS * 1000, from[0] + (to[0] - from[0]) * f, from[1] + (to[1] - from[1]) * f, s));
  }
  return out;
}

export function profile(overrides: Record<string, unknown> = {}): CityProfile {
  return cityProfileSchema.parse({ timeZone: 'Asia/Shanghai', ...overrides });
}

/** A monitor on the test city with a hand-driven clock; `run` feeds batches and flushes. */
export function monitor(opts: { model?: CityModel; profile?: CityProfile; readContext?: LaneContextReader } = {}) {
  const events: IncidentEvent[] = [];
  let clock = local(23);
  const p = opts.profile ?? profile();
  const m = new ComplianceMonitor({ sink: { emit: (e) => void events.push(e) }, profile: () => p, now: () => clock, readContext: opts.readContext });
  m.setCity(opts.model ?? cityModel());
  return {
    monitor: m,
    events,
    advance(ms: number) {
      clock += ms;
    },
    /** Each argument is one committed batch; the clock moves a second between batches. */
    async run(...batches: StoredFix[][]) {
      for (const b of batches) {
        m.accept(b);
        clock += 1000;
        m.tick();
      }
      await m.flush();
      return events;
    },
  };
}

/** "type phase" per event, in order. */
export const phases = (events: IncidentEvent[]) => events.map((e) => `${e.type} ${e.phase}`);

/** The "type phase" list of one incident type only. */
export const only = (type: IncidentEvent['type'], events: IncidentEvent[]) => phases(events.filter((e) => e.type === type));
