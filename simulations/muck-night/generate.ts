import { haversineM, metresPerDegree, mulberry32 } from '../../solver/index.js';
import { pointInRing } from '../../solver/geo.js';
import type { RoadNetwork } from '../../solver/network/index.js';
import type { DemoCity } from '../../src/demo/demo-city.js';

/**
 * Truth data for the compliance monitor: a night of muck-truck trips on the demo city's real
 * roads and permits, with planted incidents of every type and near misses built to fool a
 * monitor that judges each fix alone, plus the ground truth of what must be raised.
 *
 * Each truck works trips site → corridor → disposal site → back; between trips it is parked
 * with the terminal off (no fixes), so a night stays small. Fixes every 10-30 s, GPS noise
 * σ ≈ 5 m, whole-second fix times (the protocol's BCD clock). Seeded: the same seed, city and
 * night give the same fixes and truth.
 *
 * Ground-truth rules (domain.md is the authority):
 * - a loaded truck driving with the cover open above the cover-open limit (20 km/h) is both
 *   `uncovered` and `speeding` (domain.md: "20 km/h with the cover open"): both are planted;
 * - a permit trip tipping at another place (a facility or site clear of its disposal site's radius) leaves its corridor on the way there: it is
 *   `wrong_site` and `off_route`;
 * - near misses carry no truth entry: any incident on them is a false one.
 */
export type IncidentType = 'off_route' | 'outside_hours' | 'uncovered' | 'spill' | 'illegal_dumping' | 'speeding' | 'restricted_zone' | 'no_permit' | 'wrong_site';
export const INCIDENT_TYPES: readonly IncidentType[] = ['off_route', 'outside_hours', 'uncovered', 'spill', 'illegal_dumping', 'speeding', 'restricted_zone', 'no_permit', 'wrong_site'];

type LonLat = [number, number];

export interface NightFix {
  vehicleId: string;
  fixTimeMs: number;
  lon: number;
  lat: number;
  speedKmh: number;
  loadState: 'empty' | 'half' | 'full';
  loadKg: number;
  coverClosed: boolean;
  bodyLifted: boolean;
  /** Sent late inside a 0x0704 blind-area batch (with the batch's other fixes) at `sendAfterMs` of fix time. */
  blindBatch?: number;
}

export interface PlantedIncident {
  type: IncidentType;
  vehicleId: string;
  startMs: number;
  endMs: number;
  /** Why it is there, e.g. 'cover_open' for the speeding that an uncovered run carries. */
  note?: string;
  /**
   * Too close to a threshold to call (an excursion near 60 s, broken by places): raising it is not
   * false, missing it is not a miss. Scored apart.
   */
  optional?: boolean;
}

export interface NearMiss {
  kind: 'multipath_spike' | 'brief_excursion' | 'cover_open_loading' | 'lift_in_disposal' | 'speed_spike' | 'late_batch' | 'out_of_order' | 'duplicate' | 'window_start';
  vehicleId: string;
  atMs: number;
}

/** One frame to send: a live 0x0200 or a 0x0704 blind-area batch, in send order. */
type Unsent = { kind: 'live'; fix: NightFix } | { kind: 'batch'; fixes: NightFix[] };
/** `sendAtMs`: when, on the night's clock, the terminal sends it (a late batch minutes after its fixes). */
export type NightFrame = Unsent & { sendAtMs: number };

export interface MuckNight {
  seed: number;
  /** Local date the night begins on (YYYY-MM-DD, the permit window's evening). */
  night: string;
  /** Vehicles the replay must register first (a muck truck on no permit). */
  extraVehicles: Array<{ id: string; terminalId: string; plate: string }>;
  frames: NightFrame[];
  truth: PlantedIncident[];
  nearMisses: NearMiss[];
}

export interface NightOptions {
  seed: number;
  /** Local date of the evening (the city profile's zone is Asia/Shanghai, UTC+8). */
  night: string;
  /** Trips per permit truck (default 4); every planted type appears at least once per night whatever the count. */
  tripsPerTruck?: number;
}

const UTC_OFFSET_MS = 8 * 3_600_000;
const NOISE_M = 5;
/** Travel speed; reported speeds 24-30 km/h stay under the centre's 30 km/h zone limit. */
const SPEED_KMH = 27;
const FULL_KG = 15_000;

type TripKind = 'clean' | 'off_route' | 'uncovered' | 'spill' | 'illegal_dumping' | 'speeding' | 'wrong_site' | 'blind_speeding';

export function generateMuckNight(city: DemoCity, network: RoadNetwork, options: NightOptions): MuckNight {
  const rng = mulberry32(options.seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const [y, mo, d] = options.night.split('-').map(Number) as [number, number, number];
  const localMidnight = Date.UTC(y, mo - 1, d) - UTC_OFFSET_MS;
  const at = (hh: number, mm: number, ss = 0) => localMidnight + ((hh * 60 + mm) * 60 + ss) * 1000;
  const travel = { vehicleKind: 'truck' as const };
  const out: { fixes: NightFix[]; truth: PlantedIncident[]; nearMisses: NearMiss[]; batches: NightFix[][] } = { fixes: [], truth: [], nearMisses: [], batches: [] };
  const place = (id: string): LonLat => {
    const f = city.facilities.find((x) => x.id === id) ?? city.constructionSites.find((x) => x.id === id);
    return f!.location.coordinates as LonLat;
  };

  /** A truck's fix stream: the clock and interval draw live here. */
  class Truck {
    t: number;
    fixes: NightFix[] = [];
    constructor(readonly id: string, startMs: number) {
      this.t = startMs;
    }
    step(): number {
      return (10 + Math.floor(rng() * 21)) * 1000;
    }
    push(p: LonLat, speedKmh: number, s: Pick<NightFix, 'loadState' | 'loadKg' | 'coverClosed' | 'bodyLifted'>): NightFix {
      const m = metresPerDegree(p[1]);
      const fix: NightFix = {
        vehicleId: this.id, fixTimeMs: this.t, lon: p[0] + (gauss() * NOISE_M) / m.xM, lat: p[1] + (gauss() * NOISE_M) / m.yM,
        speedKmh: Math.max(0, Math.round(speedKmh * 10) / 10), ...s,
      };
      this.fixes.push(fix);
      return fix;
    }
    /** Stopped at a point for `n` fixes. */
    park(p: LonLat, n: number, s: (i: number) => Pick<NightFix, 'loadState' | 'loadKg' | 'coverClosed' | 'bodyLifted'>): void {
      for (let i = 0; i < n; i++) {
        this.push(p, rng() * 1.5, s(i));
        this.t += this.step();
      }
    }
    /** Drives a polyline at ~30 km/h, one fix per step; `hook` may alter each fix. Returns the fixes. */
    drive(path: LonLat[], s: Pick<NightFix, 'loadState' | 'loadKg' | 'coverClosed' | 'bodyLifted'>, hook?: (fix: NightFix, k: number, n: number) => void): NightFix[] {
      const cum = [0];
      for (let i = 1; i < path.length; i++) cum.push(cum[i - 1]! + haversineM(path[i - 1]![0], path[i - 1]![1], path[i]![0], path[i]![1]));
      const total = cum[cum.length - 1]!;
      const mps = SPEED_KMH / 3.6;
      const made: NightFix[] = [];
      let distM = 0;
      let seg = 1;
      while (distM <= total) {
        while (seg < cum.length - 1 && cum[seg]! < distM) seg++;
        const a = path[seg - 1]!, b = path[seg]!;
        const len = cum[seg]! - cum[seg - 1]!;
        const u = len > 0 ? Math.min(1, (distM - cum[seg - 1]!) / len) : 0;
        made.push(this.push([a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u], 24 + rng() * 5.5, { ...s, loadKg: s.loadKg + (s.loadKg > 1000 ? rng() * 200 : rng() * 100) }));
        const dt = this.step();
        this.t += dt;
        distM += mps * (dt / 1000);
      }
      made.forEach((f, k) => hook?.(f, k, made.length));
      return made;
    }
  }

  const routeVia = (points: LonLat[]): LonLat[] => {
    const path: LonLat[] = [];
    for (let i = 1; i < points.length; i++) {
      const leg = network.route(network.snap(...points[i - 1]!, travel)!, network.snap(...points[i]!, travel)!, travel);
      if (leg) path.push(...(leg.geometry as LonLat[]));
    }
    return path;
  };
  // Spills and dumping are planted where no rule could call them legal: 250 m from every facility and site point.
  const placePoints = [...city.facilities, ...city.constructionSites].map((x) => x.location.coordinates as LonLat);
  const awayFromPlaces = (f: NightFix) => placePoints.every((c) => haversineM(c[0], c[1], f.lon, f.lat) > 250);
  const firstAway = (run: NightFix[], from: number) => {
    for (let k = from; k < run.length - 3; k++) if (awayFromPlaces(run[k]!)) return k;
    return -1;
  };
  const loaded = { loadState: 'full' as const, loadKg: FULL_KG, coverClosed: true, bodyLifted: false };
  const empty = { loadState: 'empty' as const, loadKg: 150, coverClosed: true, bodyLifted: false };
  const plant = (type: IncidentType, vehicleId: string, fixes: NightFix[], note?: string, optional?: boolean) => {
    out.truth.push({ type, vehicleId, startMs: fixes[0]!.fixTimeMs, endMs: fixes[fixes.length - 1]!.fixTimeMs, ...(note ? { note } : {}), ...(optional ? { optional } : {}) });
  };
  /**
   * off_route truth for a run (domain.md: outside = farther than half the width and in no place):
   * a stretch clearly outside (half width + 10 m, 175 m from every point-only place) for 80 s or
   * more is planted; an excursion that never is (near the 60 s threshold, or broken by places on
   * the way) is optional.
   */
  const plantOffRoute = (vehicleId: string, run: NightFix[], line: LonLat[], halfM: number, note?: string) => {
    const nearPlaceM = (f: NightFix) => Math.min(...placePoints.map((c) => haversineM(c[0], c[1], f.lon, f.lat)));
    const strict: NightFix[][] = [];
    const loose: NightFix[][] = [];
    let s: NightFix[] = [], l: NightFix[] = [];
    for (const f of run) {
      const d = distanceToLineM([f.lon, f.lat], line), p = nearPlaceM(f);
      if (d > halfM + 10 && p > 175) s.push(f);
      else if (s.length) (strict.push(s), (s = []));
      if (d > halfM - 5 && p > 125) l.push(f);
      else if (l.length) (loose.push(l), (l = []));
    }
    if (s.length) strict.push(s);
    if (l.length) loose.push(l);
    const span = (x: NightFix[]) => x[x.length - 1]!.fixTimeMs - x[0]!.fixTimeMs;
    const clear = strict.filter((x) => x.length >= 3 && span(x) >= 80_000);
    // one excursion is one incident: clear stretches parted only by places on the way (never back on the corridor) merge
    const merged: NightFix[][] = [];
    for (const x of clear) {
      const prev = merged[merged.length - 1];
      const between = prev ? run.filter((f) => f.fixTimeMs > prev[prev.length - 1]!.fixTimeMs && f.fixTimeMs < x[0]!.fixTimeMs) : [];
      if (prev && between.every((f) => distanceToLineM([f.lon, f.lat], line) > halfM)) prev.push(...between, ...x);
      else merged.push([...x]);
    }
    for (const x of merged) plant('off_route', vehicleId, x, note);
    if (!clear.length) {
      const all = loose.flat();
      if (all.length >= 3) plant('off_route', vehicleId, all, note, true);
    }
  };
  const miss = (kind: NearMiss['kind'], vehicleId: string, atMs: number) => out.nearMisses.push({ kind, vehicleId, atMs });

  /** One trip: loading at the site (cover open: legal), the loaded run, tipping, the empty run back. */
  function trip(truck: Truck, permit: DemoCity['permits'][number], kind: TripKind, leaveAtMs?: number): void {
    const site = place(permit.siteId);
    const disposal = place(permit.disposalFacilityId);
    const line = permit.corridor.line.coordinates as LonLat[];
    // Loading: 8 fixes stopped at the site, cover open while the load goes on.
    const loadN = 8;
    if (leaveAtMs !== undefined) {
      // the loaded run's first fix falls exactly on leaveAtMs
      truck.t = leaveAtMs - loadN * 15_000;
      for (let i = 0; i < loadN; i++) {
        truck.push(site, rng(), { loadState: i < 4 ? 'empty' : 'full', loadKg: i < 4 ? 200 : FULL_KG, coverClosed: i >= 6, bodyLifted: false });
        truck.t += 15_000;
      }
    } else truck.park(site, loadN, (i) => ({ loadState: i < 4 ? 'empty' : 'full', loadKg: i < 4 ? 200 : FULL_KG, coverClosed: i >= 6, bodyLifted: false }));
    miss('cover_open_loading', truck.id, truck.t);
    let target = disposal;
    let run: NightFix[];
    if (kind === 'off_route') {
      const a = network.snap(...line[Math.floor(line.length * 0.3)]!, travel)!;
      const b = network.snap(...line[Math.floor(line.length * 0.7)]!, travel)!;
      const mid = line[Math.floor(line.length * 0.5)]!;
      const m = metresPerDegree(mid[1]);
      // Through a street ~400 m off the corridor: of the eight directions, the way that strays farthest longest.
      let detour: LonLat[] = [];
      let bestAwayM = -1;
      const turn = rng() * Math.PI * 2;
      for (let k = 0; k < 8; k++) {
        const angle = turn + (k * Math.PI) / 4;
        const off = network.snap(mid[0] + (Math.cos(angle) * 400) / m.xM, mid[1] + (Math.sin(angle) * 400) / m.yM, travel);
        const there = off && network.route(a, off, travel);
        const back = off && network.route(off, b, travel);
        if (!there || !back) continue;
        const way = [...(there.geometry as LonLat[]), ...(back.geometry as LonLat[])];
        const awayM = way.reduce((sum, c, i) => sum + (i > 0 && distanceToLineM(c, line) > 60 ? haversineM(c[0], c[1], way[i - 1]![0], way[i - 1]![1]) : 0), 0);
        if (awayM > bestAwayM) [detour, bestAwayM] = [way, awayM];
      }
      run = truck.drive([...line.slice(0, Math.floor(line.length * 0.3)), ...detour, ...line.slice(Math.floor(line.length * 0.7) + 1)], loaded);
      plantOffRoute(truck.id, run, line, halfWidthM(permit));
    } else if (kind === 'wrong_site') {
      // Another place to tip at: the one nearest the disposal site yet 400 m clear of it (clear of any
      // point-only place's 150 m radius too).
      const far = (c: LonLat, q: LonLat) => haversineM(c[0], c[1], q[0], q[1]) > 400;
      const others = [...city.facilities, ...city.constructionSites]
        .map((x) => x.location.coordinates as LonLat)
        .filter((c) => far(c, disposal) && far(c, site))
        .sort((a, b) => haversineM(a[0], a[1], disposal[0], disposal[1]) - haversineM(b[0], b[1], disposal[0], disposal[1]));
      target = others[0]!;
      run = truck.drive(routeVia([site, target]), loaded);
      plantOffRoute(truck.id, run, line, halfWidthM(permit), 'wrong_site');
    } else {
      let spillAt = -1;
      run = truck.drive(line, loaded, (f, k, n) => {
        const from = Math.floor(n * 0.3), to = Math.floor(n * 0.3) + 8;
        if (k === 0 && (kind === 'spill' || kind === 'illegal_dumping')) spillAt = firstAway(truck.fixes.slice(truck.fixes.length - n), Math.floor(n * 0.4));
        if (kind === 'uncovered' && k >= from && k < to) f.coverClosed = false;
        if ((kind === 'speeding' || kind === 'blind_speeding') && k >= from && k < from + 5) f.speedKmh = 52 + rng() * 10;
        if (kind === 'spill' && spillAt >= 0 && k >= spillAt) {
          f.loadKg -= 4_000;
          f.loadState = 'half';
        }
      });
      const n = run.length;
      const from = Math.floor(n * 0.3);
      if (kind === 'uncovered') {
        plant('uncovered', truck.id, run.slice(from, from + 8));
        plant('speeding', truck.id, run.slice(from, from + 8), 'cover_open');
      }
      if (kind === 'speeding' || kind === 'blind_speeding') plant('speeding', truck.id, run.slice(from, from + 5));
      if (kind === 'blind_speeding') out.batches.push(run.slice(from - 2, from + 7));
      if (kind === 'spill' && spillAt >= 0) plant('spill', truck.id, run.slice(spillAt, spillAt + 1));
      if (kind === 'illegal_dumping' && spillAt >= 0) {
        // stops on the corridor away from every place, tips the load on the road, drives back empty
        const k = spillAt + 1;
        const keep = run.slice(0, k);
        truck.fixes.splice(truck.fixes.length - (n - k));
        truck.t = keep[keep.length - 1]!.fixTimeMs + truck.step();
        const spot: LonLat = [keep[keep.length - 1]!.lon, keep[keep.length - 1]!.lat];
        const stopFrom = truck.fixes.length;
        truck.park(spot, 9, (i) => ({ loadState: i < 4 ? 'full' : 'empty', loadKg: i < 4 ? FULL_KG : 300, coverClosed: true, bodyLifted: i >= 2 && i < 6 }));
        plant('illegal_dumping', truck.id, truck.fixes.slice(stopFrom + 2));
        truck.drive(routeVia([spot, site]), empty);
        truck.t += 20 * 60_000;
        return;
      }
      // near misses on clean runs: a multipath spike, a brief excursion, a one-fix speed spike
      if (kind === 'clean' && n >= 12) {
        const spike = run[Math.floor(n * 0.2)]!, ex = Math.floor(n * 0.5), fast = run[Math.floor(n * 0.8)]!;
        const m = metresPerDegree(spike.lat);
        spike.lat += 80 / m.yM;
        miss('multipath_spike', truck.id, spike.fixTimeMs);
        run[ex]!.lon += 35 / m.xM;
        run[ex + 1]!.lon += 35 / m.xM;
        miss('brief_excursion', truck.id, run[ex]!.fixTimeMs);
        fast.speedKmh = 70;
        miss('speed_spike', truck.id, fast.fixTimeMs);
        // every other clean run loses coverage around its spike: that stretch comes late, in one 0x0704 batch
        if (rng() < 0.5) out.batches.push(run.slice(Math.floor(n * 0.2) - 1, Math.floor(n * 0.2) + 3));
      }
    }
    // Tipping inside the disposal site with the body lifted (legal there; wrong_site elsewhere).
    const tipFrom = truck.fixes.length;
    truck.park(target, 9, (i) => ({ loadState: i < 4 ? (run[run.length - 1]!.loadState) : 'empty', loadKg: i < 4 ? run[run.length - 1]!.loadKg : 250, coverClosed: true, bodyLifted: i >= 2 && i < 6 }));
    if (kind === 'wrong_site') plant('wrong_site', truck.id, truck.fixes.slice(tipFrom + 2, tipFrom + 9));
    else miss('lift_in_disposal', truck.id, truck.fixes[tipFrom + 2]!.fixTimeMs);
    truck.drive(target === disposal ? [...line].reverse() : routeVia([target, site]), empty);
    // parked, terminal off, until the next trip
    truck.t += (10 + Math.floor(rng() * 20)) * 60_000;
  }

  // The planted kinds, shuffled over the permit trucks' trips; every kind at least once.
  const trucks = city.permits.flatMap((p) => p.vehicleIds.map((id) => ({ permit: p, truck: new Truck(id, at(22, 0) + Math.floor(rng() * 30) * 60_000) })));
  const tripsPer = options.tripsPerTruck ?? 4;
  const kinds: TripKind[] = ['off_route', 'uncovered', 'spill', 'illegal_dumping', 'speeding', 'wrong_site', 'blind_speeding'];
  while (kinds.length < trucks.length * tripsPer) kinds.push(kinds.length % 2 ? 'clean' : (['off_route', 'uncovered', 'spill', 'illegal_dumping', 'speeding', 'wrong_site', 'blind_speeding'] as const)[Math.floor(rng() * 7)]!);
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  trucks.forEach(({ permit, truck }, ti) => {
    for (let k = 0; k < tripsPer; k++) {
      // the first truck leaves its site exactly at the window's start (22:00:00): no outside_hours
      if (ti === 0 && k === 0) {
        trip(truck, permit, kinds[ti * tripsPer + k]!, at(22, 0));
        miss('window_start', truck.id, at(22, 0));
      } else trip(truck, permit, kinds[ti * tripsPer + k]!);
    }
  });

  // outside_hours: one truck per permit starts a loaded trip after the window (06:00) closes.
  city.permits.forEach((permit, pi) => {
    const truck = trucks.find((t) => t.permit === permit)!.truck;
    truck.t = Math.max(truck.t, at(30, 5 + pi * 7 + Math.floor(rng() * 5)));
    const before = truck.fixes.length;
    trip(truck, permit, 'clean');
    const run = truck.fixes.slice(before + 8).filter((f) => f.loadState !== 'empty' && f.speedKmh >= 5);
    plant('outside_hours', truck.id, run);
  });

  // restricted_zone: an empty truck drives through the school zone in its banned hours (07:00-09:00).
  const school = city.restrictedZones.find((z) => z.mode === 'ban')!;
  const ring = school.area.coordinates[0] as LonLat[];
  const centre: LonLat = [ring.reduce((s, c) => s + c[0], 0) / ring.length, ring.reduce((s, c) => s + c[1], 0) / ring.length];
  {
    const { truck, permit } = trucks[trucks.length - 1]!;
    truck.t = Math.max(truck.t, at(31, 20 + Math.floor(rng() * 20)));
    const path = routeVia([place(permit.siteId), centre, place(permit.disposalFacilityId)]);
    const fixes = truck.drive(path, empty);
    const inside = fixes.filter((f) => pointInRing(f.lon, f.lat, ring));
    if (inside.length >= 2) plant('restricted_zone', truck.id, inside);
  }

  // no_permit: a muck truck on no permit hauls a load between the first permit's site and disposal site.
  const extra = { id: `muck-np-${options.seed}`, terminalId: String(13900000000 + (options.seed % 100_000)), plate: `沪B${String(options.seed % 100_000).padStart(5, '0')}` };
  {
    const truck = new Truck(extra.id, at(23, 10 + Math.floor(rng() * 40)));
    trip(truck, city.permits[0]!, 'clean');
    const run = truck.fixes.filter((f) => f.loadState !== 'empty' && f.speedKmh >= 5);
    plant('no_permit', truck.id, run);
    trucks.push({ permit: city.permits[0]!, truck });
  }

  // Send order: fix-time order across trucks; blind stretches leave the live stream and follow
  // 3 minutes of fix time later as one 0x0704 batch; a few fixes are swapped or sent twice.
  const inBatch = new Set(out.batches.flat());
  const frames: Array<{ sendAtMs: number; frame: Unsent }> = [];
  for (const { truck } of trucks) {
    const list = truck.fixes;
    for (let i = 0; i < list.length; i++) {
      const f = list[i]!;
      if (inBatch.has(f)) continue;
      frames.push({ sendAtMs: f.fixTimeMs, frame: { kind: 'live', fix: f } });
    }
    // out of order: a pair of fixes sent in swapped order, one fix sent twice
    if (list.length > 60) {
      const k = 40 + Math.floor(rng() * 10);
      if (!inBatch.has(list[k]!) && !inBatch.has(list[k + 1]!)) {
        const a = frames.find((x) => x.frame.kind === 'live' && x.frame.fix === list[k]);
        const b = frames.find((x) => x.frame.kind === 'live' && x.frame.fix === list[k + 1]);
        if (a && b) {
          [a.sendAtMs, b.sendAtMs] = [b.sendAtMs, a.sendAtMs + 1];
          miss('out_of_order', truck.id, list[k]!.fixTimeMs);
        }
      }
      const dup = list[55]!;
      if (!inBatch.has(dup)) {
        frames.push({ sendAtMs: dup.fixTimeMs + 20_000, frame: { kind: 'live', fix: dup } });
        miss('duplicate', truck.id, dup.fixTimeMs);
      }
    }
  }
  for (const batch of out.batches) {
    frames.push({ sendAtMs: batch[batch.length - 1]!.fixTimeMs + 180_000, frame: { kind: 'batch', fixes: batch } });
    miss('late_batch', batch[0]!.vehicleId, batch[0]!.fixTimeMs);
  }
  frames.sort((a, b) => a.sendAtMs - b.sendAtMs);
  out.truth.sort((a, b) => a.startMs - b.startMs);
  return { seed: options.seed, night: options.night, extraVehicles: [extra], frames: frames.map((f) => ({ ...f.frame, sendAtMs: f.sendAtMs }) as NightFrame), truth: out.truth, nearMisses: out.nearMisses };

  function halfWidthM(permit: DemoCity['permits'][number]): number {
    return Math.min(50, Math.max(15, permit.corridor.widthM ?? 30)) / 2;
  }
}

/** Distance from a point to a polyline, metres (local equirectangular: a city is small). */
export function distanceToLineM(p: LonLat, line: LonLat[]): number {
  const m = metresPerDegree(p[1]);
  let best = Infinity;
  for (let i = 1; i < line.length; i++) {
    const ax = (line[i - 1]![0] - p[0]) * m.xM, ay = (line[i - 1]![1] - p[1]) * m.yM;
    const bx = (line[i]![0] - p[0]) * m.xM, by = (line[i]![1] - p[1]) * m.yM;
    const dx = bx - ax, dy = by - ay;
    const len2 = dx * dx + dy * dy;
    const u = len2 > 0 ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2)) : 0;
    best = Math.min(best, Math.hypot(ax + u * dx, ay + u * dy));
  }
  return best;
}
