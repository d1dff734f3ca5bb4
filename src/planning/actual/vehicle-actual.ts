import { metresPerDegree } from '../../../solver/index.js';
import type { SegmentTarget, StopTarget } from './targets.js';

/**
 * One vehicle's day against its plan, from its fixes in fix-time order: where it dwelt at its
 * planned stops, and which passes it made over its planned streets while mechanically working.
 * Pure and incremental: the live path feeds fixes as they are committed, the batch path feeds a
 * stored day; both end in the same state for the same fixes.
 */
export interface ActualSettings {
  /** A stop is served by a dwell within this distance of where the truck parks for it. */
  stopRadiusM: number;
  /** ... lasting at least this long (estimated from the fixes around it). */
  minDwellS: number;
  /** Fixes further apart than this are a gap: nothing is assumed about the time between. */
  maxFixGapS: number;
  /** Stationary below this reported speed (the profile's tracking.stoppedBelowKmh). */
  stoppedBelowKmh: number;
  /** A working sweeper's path within this distance of a street is on it. */
  segmentToleranceM: number;
  /** A pass counts when the path covers this share of the street's length. */
  minCoverage: number;
  /** Working speed: a sweeper faster than this is driving, not working. */
  workSpeedMaxKmh: number;
  /** A spreader (salt/grit) spreads faster than a sweeper sweeps: its working speed limit. */
  spreadSpeedMaxKmh?: number;
  /** Missed without fixes from after the due time only once this long past it (a blind area uploads late). */
  silentGraceMs?: number;
  /** The terminals send a fix the moment the gear goes on or off (the profile's planning.actual.gearReportedAtOnce). */
  gearReportedAtOnce?: boolean;
}

export interface ActualFix {
  timeMs: number;
  lon: number;
  lat: number;
  speedKmh: number;
  /** The course the terminal reported (degrees clockwise from north); undefined = not reported. */
  headingDeg?: number;
  /** The terminal says the sweeping / washing gear is on; undefined = not reported (not counted). */
  working?: boolean;
  /** The body's cover (closed while driving, opened to load a bin); undefined = not reported. */
  coverClosed?: boolean;
}

/**
 * The road path a vehicle drove from `trace[index]` to `trace[index + 1]`, or null when unknown;
 * `trace` holds a few fixes before and after the two, in time order (map matching needs them).
 */
export type Router = (trace: ActualFix[], index: number, expected?: ReadonlySet<string>) => Array<[number, number]> | null;

export interface StopVisit {
  arrivalMs: number;
  departureMs: number;
}

interface Loc {
  x: number;
  y: number;
  radiusM: number;
  cluster: number;
  stops: StopTarget[];
}

interface Piece {
  task: number;
  oneWay: boolean;
  ax: number;
  ay: number;
  dx: number;
  dy: number;
  lenM: number;
  offsetM: number;
}

/** A stay of a working vehicle on a street: what it covered and how far it went along it. */
interface Pass {
  lastAlong: number;
  bins: Uint8Array;
  lastMs: number;
  /** Runs along the street ended by a turn: [from, to] along it. */
  runs: Array<[number, number]>;
  /** The run going on: where it began, its furthest point, its direction (+1 / -1 along the line, 0 not yet known). */
  runFrom: number;
  runFurthest: number;
  runDir: number;
  /** When the stay began, and whether the plan had this street among the vehicle's next ones then. */
  fromMs: number;
  expected: boolean;
}

const BIN_M = 5;
const SAMPLE_M = 5;
const CELL_M = 50;
/** Stops whose parking places are closer than this are told apart by plan order, not by position. */
const CLUSTER_M = 15;
/** Within a cluster, places this much farther from the dwell's mean than the nearest are other places. */
const SAME_PLACE_M = 2;
/** A sample further along the street than this from the last is a jump between its loops, not travel. */
const MAX_ALONG_STEP_M = 30;
/** Samples off a street tolerated in a row (the way from a fix to its road runs across it). */
const GAP_SAMPLES = 3;
/** The path must run along the street (|cos| of the angle), not across it. */
const MIN_ALIGNMENT = 0.7;
/** Fixes on each side of a step given to the router as context (map matching decides a fix's road by its neighbours). */
const MATCH_CONTEXT = 2;
/** A vehicle this far back from its furthest point along a street has turned (less is the matched position's jitter). */
const TURN_M = 10;
/** How much longer than driven a map-matched way may come out (its ends are the fixes' matched places, a few metres off). */
const MATCH_SLACK_M = 15;
/**
 * A map-matched path runs on the roads' own lines, so a street is on it only where the two lines
 * coincide (the stored street and the network are the same map): the parallel street 15 m away is not.
 */
const MATCHED_TOLERANCE_M = 3;
/**
 * The way worked up to a switch-off fix: at most the working fix's speed for the time between, times
 * this (a speed is a moment's, and the sweeper slows and speeds up between fixes), plus MATCH_SLACK_M.
 */
const SWITCH_OFF_REACH = 1.5;
/** How many of its next planned passes a vehicle is expected on, and how far ahead a pass seen may move it on. */
const ORDER_AHEAD = 5;
const ORDER_JUMP = 8;
/** Two passes credited from one way: each stay overlaps the other's for this share of the shorter. */
const TWIN_SHARE = 0.5;
/** A street whose ends are this close is a loop (a roundabout), at least this long. */
const LOOP_CLOSE_M = 5;
const LOOP_MIN_M = 15;
/** A lap fits the time unaccounted for when that distance is within this share of the loop's length. */
const LOOP_FIT = [0.6, 1.6] as const;
/** A stretch's distance worked makes whole laps of a roundabout within this share of its length. */
const LAP_FIT = 0.35;
/** The way's end lies on the loop within the matched places' error. */
const LOOP_REACH_M = 10;
/**
 * A working stretch's fixes lie at a roundabout when within this of its ring: three sigmas of a 5 m
 * error per axis (two, 10 m, left one fix in seven off it: one lap in four between two fixes).
 */
const LAP_REACH_M = 15;
/**
 * A working vehicle's fix this close to the end of the street it is working, ahead of it, is at that
 * end (two sigmas of a 5 m error), whichever road the matcher put it on past the junction.
 */
const END_REACH_M = 10;
/**
 * A working stretch credited to no street lies along one when all its fixes are within this of it (three
 * sigmas of a 5 m error per axis), its first and last within STRETCH_END_M of its ends (four sigmas: the
 * switch reports at each end), and its distance worked within STRETCH_FIT of the street's length.
 */
const STREET_REACH_M = 15;
const STRETCH_END_M = 20;
const STRETCH_FIT = 0.5;

export class VehicleActual {
  readonly visits = new Map<string, StopVisit>();
  /** Completed passes per segment key: when each ended (epoch ms). */
  readonly passes = new Map<string, number[]>();
  /**
   * Per segment key, the largest share of the street one working stay on it covered without making a
   * pass (the coverage evidence of a street judged missed: 0.6 of it swept is not 0).
   */
  readonly partialShares = new Map<string, number>();
  lastFixMs = -Infinity;

  private readonly lon0: number;
  private readonly lat0: number;
  private readonly xM: number;
  private readonly yM: number;
  private readonly locs: Loc[] = [];
  /** The stops of each cluster of places, in plan order. */
  private readonly clusterStops: Record<number, StopTarget[]> = {};
  /** The distinct places of each cluster. */
  private readonly clusterPlaces: Record<number, Array<[number, number]>> = {};
  /** Depots and facilities inside clusters of stops. */
  private readonly otherXY: Array<[number, number]> = [];
  private readonly segKeys: string[];
  private readonly segLengthM: number[];
  /** Each street's first and last point, in local metres. */
  private readonly segEnds: Array<[[number, number], [number, number]]> = [];
  /** Each street's line in local metres, and whether it may be worked only in its direction. */
  private readonly segLines: Array<{ line: Array<[number, number]>; oneWay: boolean }> = [];
  private readonly grid = new Map<string, Piece[]>();
  /** Planned streets that close on themselves (roundabouts), in local metres. */
  private readonly loops: Array<{ line: Array<[number, number]>; lengthM: number; task: number; centre: [number, number]; radiusM: number }> = [];
  /** The working stretch going on since the gear was switched on (switches reported at once): its fixes and the distance worked. */
  private stretch: { fromMs: number; points: Array<[number, number]>; workedM: number; fast?: boolean } | undefined;
  /** The tasks of those streets. */
  private readonly loopTasks = new Set<number>();
  private readonly active = new Map<number, Pass>();
  /** This vehicle's planned passes in route order (task of each), and how far along them it has been seen working. */
  private readonly passOrder: number[] = [];
  private passProgress = -1;
  /** When the last pass credited by the ways ended (a working stretch whose work they explained is not looked at again). */
  private lastCreditMs = -Infinity;
  /** Passes credited lately (to tell one way along two streets beside each other). */
  private credited: Array<{ task: number; fromMs: number; toMs: number; count: number; expected: boolean }> = [];
  /** Fixes waiting for their successor (a single stray fix between two of the same stop is smoothed away). */
  private readonly queue: Array<{ fix: ActualFix; x: number; y: number; loc: number }> = [];
  private prev: { fix: ActualFix; x: number; y: number } | undefined;
  /** The fixes processed before `prev` (newest last), context for map matching. */
  private readonly before: ActualFix[] = [];
  private run: { loc: number; enterMs: number; lastMs: number; fixes: number; still: Array<{ x: number; y: number; t: number }>; times: Array<{ t: number; open: boolean }>; coverReported: boolean } | undefined;
  private readonly stopXY = new Map<string, [number, number]>();
  /** How far the vehicle could have gone past the last fix before a turn (half the step's reach at working speed). */
  private turnReachM = 0;
  /** Where the step being judged ends and how far a working vehicle could go in it (streets' ends reached in it). */
  private stepEnd: { x: number; y: number; reachM: number } | undefined;
  /** Where the gear was switched on (reported at once) at the fix that begins the step to come. */
  private switchedOnAt: [number, number] | undefined;

  /**
   * `router`: the road path between two fixes ([lon, lat] pairs), where a street network is at
   * hand (map matching between fixes); without it the way between fixes is a straight line.
   */
  constructor(readonly vehicleId: string, stops: StopTarget[], segments: SegmentTarget[], private readonly settings: ActualSettings,
    private readonly router?: Router, otherPlaces: Array<{ lon: number; lat: number }> = []) {
    const first = stops[0] ?? { lon: segments[0]?.geometry[0]?.[0] ?? 0, lat: segments[0]?.geometry[0]?.[1] ?? 0 };
    this.lon0 = first.lon;
    this.lat0 = first.lat;
    ({ xM: this.xM, yM: this.yM } = metresPerDegree(this.lat0));
    const byPlace = new Map<string, Loc>();
    for (const s of stops) {
      const k = `${s.lon.toFixed(6)},${s.lat.toFixed(6)}`;
      let loc = byPlace.get(k);
      if (!loc) {
        const [x, y] = this.project(s.lon, s.lat);
        byPlace.set(k, (loc = { x, y, radiusM: settings.stopRadiusM, cluster: 0, stops: [] }));
        this.locs.push(loc);
      }
      loc.stops.push(s);
      this.stopXY.set(s.key, [loc.x, loc.y]);
    }
    // depots and facilities it stands at by plan take their ground too: unloading next to a point is no service of it
    for (const p of otherPlaces) {
      const [x, y] = this.project(p.lon, p.lat);
      this.locs.push({ x, y, radiusM: settings.stopRadiusM, cluster: 0, stops: [] });
    }
    // Places closer than GPS can tell apart are one place for dwells (a cluster); a fix between
    // neighbouring clusters goes to the nearer (nearestLoc), each keeping its ground out to the
    // neighbour itself (never under 10 m). Half the way to the neighbour was too little: a truck
    // serving a point 22 m from a facility had one of its two fixes there 17 m off the point (5 m
    // of error per axis), and a single fix left inside is no dwell.
    const parent = this.locs.map((_, i) => i);
    const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
    this.locs.forEach((a, i) => this.locs.forEach((b, j) => {
      if (i < j && Math.hypot(a.x - b.x, a.y - b.y) < CLUSTER_M) parent[root(j)] = root(i);
    }));
    this.locs.forEach((a, i) => {
      a.cluster = root(i);
      this.locs.forEach((b, j) => {
        if (root(i) !== root(j)) a.radiusM = Math.min(a.radiusM, Math.max(10, Math.hypot(a.x - b.x, a.y - b.y)));
      });
    });
    for (const l of this.locs) {
      if (l.stops.length === 0 && !this.locs.some((o) => o.cluster === l.cluster && o.stops.length > 0)) continue;
      (this.clusterStops[l.cluster] ??= []).push(...l.stops);
      (this.clusterPlaces[l.cluster] ??= []).push([l.x, l.y]);
      if (l.stops.length === 0) this.otherXY.push([l.x, l.y]);
    }
    for (const list of Object.values(this.clusterStops)) list.sort((a, b) => a.seq - b.seq);
    this.segKeys = segments.map((s) => s.key);
    this.passOrder = segments.flatMap((seg, task) => (seg.visits ?? []).filter((v) => v.vehicleId === vehicleId).map((v) => ({ task, seq: v.seq })))
      .sort((x, y) => x.seq - y.seq).map((v) => v.task);
    this.segLengthM = segments.map(() => 0);
    segments.forEach((seg, task) => {
      let offset = 0;
      for (let i = 1; i < seg.geometry.length; i++) {
        const [ax, ay] = this.project(seg.geometry[i - 1]![0], seg.geometry[i - 1]![1]);
        const [bx, by] = this.project(seg.geometry[i]![0], seg.geometry[i]![1]);
        const lenM = Math.hypot(bx - ax, by - ay);
        if (lenM < 1e-6) continue;
        const piece: Piece = { task, oneWay: seg.oneWay, ax, ay, dx: (bx - ax) / lenM, dy: (by - ay) / lenM, lenM, offsetM: offset };
        offset += lenM;
        const pad = settings.segmentToleranceM;
        for (let cx = Math.floor((Math.min(ax, bx) - pad) / CELL_M); cx <= Math.floor((Math.max(ax, bx) + pad) / CELL_M); cx++) {
          for (let cy = Math.floor((Math.min(ay, by) - pad) / CELL_M); cy <= Math.floor((Math.max(ay, by) + pad) / CELL_M); cy++) {
            const key = `${cx},${cy}`;
            const cell = this.grid.get(key);
            if (cell) cell.push(piece);
            else this.grid.set(key, [piece]);
          }
        }
      }
      this.segLengthM[task] = offset;
      const line = seg.geometry.map(([lon, lat]) => this.project(lon, lat));
      const [f, l] = [line[0]!, line[line.length - 1]!];
      this.segEnds[task] = [f, l];
      this.segLines[task] = { line, oneWay: seg.oneWay };
      if (offset >= LOOP_MIN_M && Math.hypot(f[0] - l[0], f[1] - l[1]) <= LOOP_CLOSE_M) {
        const centre: [number, number] = [line.reduce((a, p) => a + p[0], 0) / line.length, line.reduce((a, p) => a + p[1], 0) / line.length];
        this.loops.push({ line, lengthM: offset, task, centre, radiusM: Math.max(...line.map((p) => Math.hypot(p[0] - centre[0], p[1] - centre[1]))) });
        this.loopTasks.add(task);
      }
    });
  }

  /** The next fix of this vehicle; fix times must not go backwards (the caller replays the day when they would). */
  ingest(fix: ActualFix): void {
    const [x, y] = this.project(fix.lon, fix.lat);
    this.lastFixMs = fix.timeMs;
    this.queue.push({ fix, x, y, loc: this.nearestLoc(x, y) });
    if (this.queue.length === 3) {
      const [a, b, c] = this.queue as [typeof this.queue[0], typeof this.queue[0], typeof this.queue[0]];
      // (a standing one: a fix driving through outside the place is the truck leaving and coming by again, no stray)
      if (a.loc === c.loc && b.loc !== a.loc && a.loc >= 0 && b.fix.speedKmh < this.settings.stoppedBelowKmh) b.loc = a.loc;
      this.process(this.queue.shift()!);
    }
  }

  /** The day is over (batch) or judged now: the fixes held back are processed and open dwells and passes end. */
  flush(): void {
    while (this.queue.length) this.process(this.queue.shift()!);
    if (this.run) this.closeRun(this.run.lastMs);
    this.closeAllPasses();
  }

  /** True while the vehicle is (or, by the fixes held back, may be) dwelling at the stop. */
  dwellingAt(stopKey: string): boolean {
    const locs = new Set<number>(this.queue.map((q) => q.loc));
    if (this.run) locs.add(this.run.loc);
    for (const l of locs) if (l >= 0 && this.clusterStops[l]?.some((s) => s.key === stopKey)) return true;
    return false;
  }

  private project(lon: number, lat: number): [number, number] {
    return [(lon - this.lon0) * this.xM, (lat - this.lat0) * this.yM];
  }

  /** The cluster of the nearest stop place whose radius holds the point, or -1. */
  private nearestLoc(x: number, y: number): number {
    let best = -1;
    let bestD = Infinity;
    this.locs.forEach((l, i) => {
      const d = Math.hypot(l.x - x, l.y - y);
      if (d <= l.radiusM && d < bestD) {
        best = l.cluster;
        bestD = d;
      }
    });
    return best;
  }

  private process(q: { fix: ActualFix; x: number; y: number; loc: number }): void {
    const { fix } = q;
    const gap = this.prev !== undefined && fix.timeMs - this.prev.fix.timeMs > this.settings.maxFixGapS * 1000;
    if (this.run && (q.loc !== this.run.loc || gap)) {
      this.closeRun(gap ? this.run.lastMs : (this.run.lastMs + fix.timeMs) / 2);
    }
    if (q.loc >= 0 && !this.run) {
      this.run = { loc: q.loc, enterMs: this.prev && !gap ? (this.prev.fix.timeMs + fix.timeMs) / 2 : fix.timeMs, lastMs: fix.timeMs, fixes: 0, still: [], times: [], coverReported: false };
    }
    if (this.run) {
      this.run.lastMs = fix.timeMs;
      this.run.fixes++;
      this.run.times.push({ t: fix.timeMs, open: fix.coverClosed === false });
      if (fix.coverClosed !== undefined) this.run.coverReported = true;
      if (fix.speedKmh < this.settings.stoppedBelowKmh) this.run.still.push({ x: q.x, y: q.y, t: fix.timeMs });
    }
    if (this.prev && !gap) {
      const stretch = this.followStretch(this.prev, q);
      this.coverStep(this.prev, q);
      if (stretch) {
        this.lapsWorked(stretch, fix.timeMs);
        this.streetWorked(stretch, fix.timeMs);
      }
    } else {
      this.stretch = undefined;
      this.closeAllPasses();
    }
    if (this.prev) {
      this.before.push(this.prev.fix);
      if (this.before.length > MATCH_CONTEXT) this.before.shift();
    }
    this.prev = q;
  }

  private closeRun(endMs: number): void {
    const run = this.run!;
    this.run = undefined;
    // a drive-by (no stationary fix) or a single fix is not a service
    if (run.fixes < 2 || run.still.length < 1 || (endMs - run.enterMs) / 1000 < this.settings.minDwellS) return;
    if (!this.clusterStops[run.loc]) return; // a depot or facility
    const before = new Set(this.visits.keys());
    for (const e of this.episodes(run, endMs)) this.serve(run.loc, e, this.workedS(run, e.fromMs, e.toMs));
    // Two stops the plan serves one after the other a few metres apart can look like one place: a
    // dwell long enough for both services serves the plan's neighbour of a stop it served too.
    const served = this.clusterStops[run.loc]!.filter((s) => this.visits.has(s.key) && !before.has(s.key));
    if (served.length === 0) return;
    // (at least half its service beyond the other's: the dwell's ends are known to a fix interval)
    let spareS = this.workedS(run, run.enterMs, endMs) - served.reduce((a, s) => a + s.serviceS, 0);
    for (const s of this.clusterStops[run.loc]!) {
      if (this.visits.has(s.key) || endMs < s.windowStartMs || !served.some((x) => Math.abs(x.seq - s.seq) === 1)) continue;
      if (spareS < Math.max(this.settings.minDwellS, s.serviceS / 2)) continue;
      spareS -= s.serviceS;
      const visit = this.visits.get(served[0]!.key)!;
      this.visits.set(s.key, { ...visit });
    }
  }

  /**
   * How long the truck worked at a place in [fromMs, toMs] of a dwell: while its cover was open when
   * the terminal reports the cover (each open fix for half the time to its neighbours; none when it
   * stayed shut all along), else the whole time it stood there. A truck that waits at a point with the
   * cover shut (a break, a hold-up) is not loading bins: one bin emptied there is not two, and a
   * point it drove past and then waited at for an hour is not served.
   */
  private workedS(run: NonNullable<VehicleActual['run']>, fromMs: number, toMs: number): number {
    if (!run.times.some((f) => f.open)) return run.coverReported ? 0 : (toMs - fromMs) / 1000;
    const times = run.times.filter((f) => f.t >= fromMs && f.t <= toMs);
    let ms = 0;
    times.forEach((f, i) => {
      if (!f.open) return;
      const from = i === 0 ? fromMs : (times[i - 1]!.t + f.t) / 2;
      const to = i === times.length - 1 ? toMs : (f.t + times[i + 1]!.t) / 2;
      ms += to - from;
    });
    return ms / 1000;
  }

  /**
   * A dwell at a cluster of places split by where the truck stood: each stationary fix goes to
   * its nearest place, smoothed over five fixes; a stretch of under three fixes, or whose mean is
   * not clearly at its place (noise around the middle between two), belongs to its neighbours.
   */
  private episodes(run: NonNullable<VehicleActual['run']>, endMs: number): Array<{ fromMs: number; toMs: number; x: number; y: number }> {
    const places = this.clusterPlaces[run.loc]!;
    const mean = (fixes: Array<{ x: number; y: number }>) => ({ x: fixes.reduce((a, f) => a + f.x, 0) / fixes.length, y: fixes.reduce((a, f) => a + f.y, 0) / fixes.length });
    const whole = { fromMs: run.enterMs, toMs: endMs, ...mean(run.still) };
    if (places.length === 1 || run.still.length < 6) return [whole];
    const nearestPlace = (x: number, y: number) => {
      let best = 0;
      places.forEach((p, i) => { if (Math.hypot(p[0] - x, p[1] - y) < Math.hypot(places[best]![0] - x, places[best]![1] - y)) best = i; });
      return best;
    };
    const raw = run.still.map((f) => nearestPlace(f.x, f.y));
    const label = raw.map((_, i) => {
      const votes = new Map<number, number>();
      for (let j = Math.max(0, i - 2); j <= Math.min(raw.length - 1, i + 2); j++) votes.set(raw[j]!, (votes.get(raw[j]!) ?? 0) + 1);
      return [...votes].sort((a, b) => b[1] - a[1] || (a[0] === raw[i] ? -1 : 1))[0]![0];
    });
    let parts: Array<{ label: number; fixes: Array<{ x: number; y: number; t: number }> }> = [];
    label.forEach((l, i) => {
      const last = parts[parts.length - 1];
      if (last && last.label === l) last.fixes.push(run.still[i]!);
      else parts.push({ label: l, fixes: [run.still[i]!] });
    });
    const clear = (p: (typeof parts)[number]) => {
      const m = mean(p.fixes);
      const own = Math.hypot(places[p.label]![0] - m.x, places[p.label]![1] - m.y);
      return p.fixes.length >= 3 && places.every((q, i) => i === p.label || Math.hypot(q[0] - m.x, q[1] - m.y) >= own + 2);
    };
    const merged: typeof parts = [];
    for (const p of parts) {
      const last = merged[merged.length - 1];
      if (last && (last.label === p.label || !clear(p))) last.fixes.push(...p.fixes);
      else if (last && !clear(last)) merged[merged.length - 1] = { label: p.label, fixes: [...last.fixes, ...p.fixes] };
      else merged.push({ label: p.label, fixes: [...p.fixes] });
    }
    parts = merged;
    if (parts.length === 1) return [whole];
    return parts.map((p, i) => ({
      fromMs: i === 0 ? run.enterMs : (parts[i - 1]!.fixes[parts[i - 1]!.fixes.length - 1]!.t + p.fixes[0]!.t) / 2,
      toMs: i === parts.length - 1 ? endMs : (p.fixes[p.fixes.length - 1]!.t + parts[i + 1]!.fixes[0]!.t) / 2,
      ...mean(p.fixes),
    }));
  }

  /**
   * Which of the cluster's stops a dwell served: those whose place is nearest the dwell's mean
   * position (GPS noise averages out over a dwell), then the one whose window the dwell falls in,
   * else the next one due, else the oldest (late); a dwell that ends before a window opens serves
   * nothing in it. A long enough dwell serves the next ones at the same place too (bins side by side).
   */
  private serve(cluster: number, e: { fromMs: number; toMs: number; x: number; y: number }, workedS: number): void {
    if ((e.toMs - e.fromMs) / 1000 < this.settings.minDwellS || workedS < this.settings.minDwellS) return;
    const at = e.fromMs;
    const nearestOther = Math.min(Infinity, ...this.otherXY.map(([x, y]) => Math.hypot(x - e.x, y - e.y)));
    const open = this.clusterStops[cluster]!
      .filter((s) => !this.visits.has(s.key) && e.toMs >= s.windowStartMs)
      .map((s) => ({ s, d: Math.hypot(this.stopXY.get(s.key)![0] - e.x, this.stopXY.get(s.key)![1] - e.y) }));
    if (open.length === 0) return;
    const nearest = Math.min(...open.map((o) => o.d));
    if (nearestOther < nearest) return; // it stood at the depot or facility
    const here = open.filter((o) => o.d <= nearest + SAME_PLACE_M).map((o) => o.s);
    let budgetS = workedS;
    const served = new Set<string>();
    for (;;) {
      const left = here.filter((s) => !this.visits.has(s.key) && !served.has(s.pointId));
      const due = left.filter((s) => at >= s.windowStartMs && at <= s.windowEndMs);
      // Stops at one place that the dwell cannot all hold: the one whose service the time spent fits
      // (which bin was emptied is not told by position; a skipped neighbour's is not the time taken).
      const fits = due.length > 1 && budgetS < due.reduce((a, s) => a + s.serviceS, 0)
        ? due.reduce((b, s) => (Math.abs(s.serviceS - budgetS) < Math.abs(b.serviceS - budgetS) ? s : b))
        : undefined;
      const pick = fits ?? due[0]
        ?? left.find((s) => s.windowEndMs >= at)
        ?? left[0];
      if (!pick || budgetS < this.settings.minDwellS) break;
      // after the first, a stop needs at least half its service left in the dwell (its ends are known to a fix interval)
      if (served.size > 0 && budgetS < pick.serviceS / 2) break;
      this.visits.set(pick.key, { arrivalMs: Math.round(Math.max(e.fromMs, Math.min(pick.windowStartMs, e.toMs))), departureMs: Math.round(e.toMs) });
      served.add(pick.pointId);
      budgetS -= pick.serviceS;
    }
  }

  private coverStep(a: { fix: ActualFix; x: number; y: number }, b: { fix: ActualFix; x: number; y: number }): void {
    const onAt = this.switchedOnAt;
    this.switchedOnAt = undefined;
    const max = this.settings.workSpeedMaxKmh;
    const stopped = this.settings.stoppedBelowKmh;
    const aWorks = a.fix.working === true && a.fix.speedKmh <= max;
    const bWorks = b.fix.working === true && b.fix.speedKmh <= max;
    if ((!aWorks && !bWorks) || this.segKeys.length === 0) {
      this.stepEnd = undefined;
      this.closeAllPasses();
      return;
    }
    // standing still with the brushes on covers nothing, and ends nothing (moving, it came back round a loop)
    if (Math.hypot(b.x - a.x, b.y - a.y) < 1 && a.fix.speedKmh < stopped && b.fix.speedKmh < stopped) return;
    this.turnReachM = (((b.fix.timeMs - a.fix.timeMs) / 1000) * (max / 3.6)) / 2;
    this.stepEnd = { x: b.x, y: b.y, reachM: 2 * this.turnReachM };
    // the way between the two fixes: along the roads when a router is given, else straight
    const { path: way, toleranceM } = this.path(a, b);
    const path = this.aroundLoop(aWorks && bWorks ? this.aroundTurn(way, a.fix, b.fix) : way, aWorks && bWorks ? (a.fix.speedKmh + b.fix.speedKmh) / 2 : aWorks ? a.fix.speedKmh : b.fix.speedKmh, b.fix.timeMs - a.fix.timeMs);
    let sampled = this.sampleWay(path, toleranceM, a.fix, b.fix);
    // A matched way on none of the vehicle's planned streets, where the fixes run along one: the
    // matcher took the road beside it (a parallel carriageway 10 m off), and a working vehicle is
    // on its own streets far more often than next to them: judged on the straight line instead.
    if (toleranceM < this.settings.segmentToleranceM && sampled && sampled.samples.every((x) => x.hits.size === 0)) {
      sampled = this.sampleWay([[a.x, a.y], [b.x, b.y]], this.settings.segmentToleranceM, a.fix, b.fix);
    }
    if (!sampled) return;
    const { samples, n, distM } = sampled;
    // The gear went on or off between the two fixes. A vehicle standing at the other end switched as
    // it moved off (or came to a stop): the whole way counts. A moving one worked the street it was
    // on up to where it left it (switching off) or from where it entered it (switching on): sweepers
    // work streets end to end.
    const aSwitched = !aWorks && a.fix.speedKmh >= stopped;
    const bSwitched = !bWorks && b.fix.speedKmh >= stopped;
    const touched = new Set<number>();
    if (this.settings.gearReportedAtOnce && a.fix.working !== undefined && b.fix.working !== undefined && a.fix.working !== b.fix.working) {
      // `b` is where the gear switched: switched on there, nothing before it was worked; switched off
      // there, the whole way from a working `a` was
      if (b.fix.working) {
        this.closeAllPasses();
        this.switchedOnAt = [b.x, b.y];
        return;
      }
      // A matched way longer than it could work in the time (round a loop, or to the driving fix
      // matched past the street's end or onto a road reached by a detour) has its ends off: the
      // straight line between the fixes is nearer the truth, as far as it could work.
      const workedM = (Math.min(a.fix.speedKmh, max) / 3.6) * ((b.fix.timeMs - a.fix.timeMs) / 1000) * SWITCH_OFF_REACH + MATCH_SLACK_M;
      const way = distM <= workedM ? sampled : this.sampleWay([[a.x, a.y], [b.x, b.y]], this.settings.segmentToleranceM, a.fix, b.fix);
      way?.samples.forEach((sample, k) => {
        if ((k / way.n) * way.distM <= workedM) for (const [task, along] of sample.hits) this.cover(task, along, sample.tMs, touched);
      });
      for (const task of [...this.active.keys()]) if (!touched.has(task)) this.closePass(task);
      for (const task of touched) this.reachEnd(task);
      if (onAt) this.reachStart(onAt);
      this.closeAllPasses();
      return;
    }
    if (!aSwitched && !bSwitched) {
      for (const sample of samples) for (const [task, along] of sample.hits) this.cover(task, along, sample.tMs, touched);
      if (onAt) this.reachStart(onAt);
      for (const task of [...this.active.keys()]) if (!touched.has(task)) this.closePass(task);
      for (const task of touched) this.reachEnd(task);
      return;
    }
    // How much of the way it worked, from the time taken: the rest it drove at the non-working fix's
    // speed (a terminal that reports the switch at once puts that fix at the switch: it worked the
    // whole way, or none of it).
    const workedM = this.workedShareM(bSwitched ? a.fix : b.fix, bSwitched ? b.fix : a.fix, distM);
    if (workedM !== undefined) {
      if (aSwitched) this.closeAllPasses();
      samples.forEach((sample, k) => {
        const atM = (k / n) * distM;
        if (bSwitched ? atM <= workedM : atM >= distM - workedM) for (const [task, along] of sample.hits) this.cover(task, along, sample.tMs, touched);
      });
      if (bSwitched) this.closeAllPasses();
      return;
    }
    if (bSwitched) {
      // worked on from `a`: the streets it was already on, while it stayed on them
      for (const task of [...this.active.keys()]) {
        let misses = 0;
        for (const sample of samples) {
          const along = sample.hits.get(task);
          if (along === undefined) {
            if (++misses > GAP_SAMPLES) break;
            continue;
          }
          misses = 0;
          this.cover(task, along, sample.tMs, touched);
        }
      }
      this.closeAllPasses();
      return;
    }
    // switched on before `b`: the streets it is on at `b`, back to where it entered them
    this.closeAllPasses();
    const startOf = new Map<number, number>();
    const atB = new Set<number>();
    for (let k = samples.length - 1; k >= Math.max(0, samples.length - 1 - GAP_SAMPLES); k--) for (const task of samples[k]!.hits.keys()) atB.add(task);
    for (const task of atB) {
      let k = samples.length - 1;
      let start = k;
      let misses = 0;
      for (; k >= 0; k--) {
        if (samples[k]!.hits.has(task)) {
          start = k;
          misses = 0;
        } else if (++misses > GAP_SAMPLES) break;
      }
      startOf.set(task, start);
    }
    samples.forEach((sample, k) => {
      for (const [task, along] of sample.hits) if (k >= (startOf.get(task) ?? Infinity)) this.cover(task, along, sample.tMs, touched);
    });
  }

  /** Samples every SAMPLE_M along a way (local metres) from `a` to `b`, each with the streets it is on within `toleranceM`; undefined when it is under a metre. */
  private sampleWay(path: Array<[number, number]>, toleranceM: number, a: ActualFix, b: ActualFix): { samples: Array<{ tMs: number; hits: Map<number, number> }>; n: number; distM: number } | undefined {
    const cum = [0];
    for (let i = 1; i < path.length; i++) cum.push(cum[i - 1]! + Math.hypot(path[i]![0] - path[i - 1]![0], path[i]![1] - path[i - 1]![1]));
    const distM = cum[cum.length - 1]!;
    if (distM < 1) return undefined;
    // Samples every SAMPLE_M along the way, each with the streets it is on (per street, the piece
    // that keeps the pass continuous: a winding road passes near itself).
    const n = Math.max(1, Math.ceil(distM / SAMPLE_M));
    const samples: Array<{ tMs: number; hits: Map<number, number> }> = [];
    let piece = 0;
    for (let k = 0; k <= n; k++) {
      const atM = (k / n) * distM;
      while (piece + 2 < path.length && cum[piece + 1]! < atM) piece++;
      const p0 = path[piece]!;
      const p1 = path[piece + 1]!;
      const lenM = cum[piece + 1]! - cum[piece]!;
      const f = lenM > 0 ? Math.min(1, (atM - cum[piece]!) / lenM) : 0;
      const x = p0[0] + (p1[0] - p0[0]) * f;
      const y = p0[1] + (p1[1] - p0[1]) * f;
      const ux = lenM > 0 ? (p1[0] - p0[0]) / lenM : 0;
      const uy = lenM > 0 ? (p1[1] - p0[1]) / lenM : 0;
      const best = new Map<number, { key: number; along: number }>();
      for (const p of this.grid.get(`${Math.floor(x / CELL_M)},${Math.floor(y / CELL_M)}`) ?? []) {
        const alignment = ux * p.dx + uy * p.dy;
        if ((p.oneWay ? alignment : Math.abs(alignment)) < MIN_ALIGNMENT) continue;
        const t = Math.max(0, Math.min(p.lenM, (x - p.ax) * p.dx + (y - p.ay) * p.dy));
        const d = Math.hypot(p.ax + p.dx * t - x, p.ay + p.dy * t - y);
        if (d > toleranceM) continue;
        const along = p.offsetM + t;
        const pass = this.active.get(p.task);
        const key = pass ? Math.abs(along - pass.lastAlong) : d;
        const seen = best.get(p.task);
        if (!seen || key < seen.key) best.set(p.task, { key, along });
      }
      samples.push({ tMs: a.timeMs + ((b.timeMs - a.timeMs) * k) / n, hits: new Map([...best].map(([task, h]) => [task, h.along])) });
    }
    return { samples, n, distM };
  }

  /**
   * Of a way of `distM` between a working fix and a driving one, the length worked: it worked at
   * the working fix's speed and drove the rest at the other's, in the time between them. Undefined
   * when the speeds do not tell the two apart.
   */
  private workedShareM(working: ActualFix, driving: ActualFix, distM: number): number | undefined {
    const dtS = Math.abs(driving.timeMs - working.timeMs) / 1000;
    // The way between matched places is as often a little longer as shorter than driven (their
    // error): taken as it is. Shortening it by a slack would put work where the vehicle drove: a
    // street driven over with the brushes up, ended by the switch-on report where the next begins.
    const drivenM = distM;
    const workMaxMs = this.settings.workSpeedMaxKmh / 3.6;
    const driveMs = driving.speedKmh / 3.6;
    // no faster than working at either fix, and slow enough all the way: it worked it all
    if (driveMs <= workMaxMs) return drivenM <= workMaxMs * dtS ? distM : undefined;
    const workMs = Math.max(1 / 3.6, Math.min(working.speedKmh / 3.6, workMaxMs));
    const workedS = Math.max(0, Math.min(dtS, (driveMs * dtS - drivenM) / (driveMs - workMs)));
    return Math.min(distM, workMs * workedS);
  }

  /** A working vehicle at `along` on a street at `tMs`: its stay there goes on (or begins). */
  private cover(task: number, along: number, tMs: number, touched: Set<number>): void {
    touched.add(task);
    let pass = this.active.get(task);
    if (!pass) {
      pass = { lastAlong: along, bins: new Uint8Array(Math.max(1, Math.ceil(this.segLengthM[task]! / BIN_M))), lastMs: tMs, runs: [], runFrom: along, runFurthest: along, runDir: 0,
        fromMs: tMs, expected: this.isExpected(task) };
      this.active.set(task, pass);
    }
    // round a loop's seam (its end meets its start) along jumps by most of its length: a jump too,
    // however short the loop (a 30 m roundabout's seam is no turn)
    const stepM = Math.abs(along - pass.lastAlong);
    const jumped = stepM > MAX_ALONG_STEP_M || (this.loopTasks.has(task) && stepM > this.segLengthM[task]! / 2);
    if (!jumped) this.followRun(pass, task, along);
    else {
      // a jump along the street (round a loop's seam, between a winding road's bends) ends a run, not a turn
      pass.runs.push([pass.runFrom, pass.runFurthest]);
      Object.assign(pass, { runFrom: along, runFurthest: along, runDir: 0 });
    }
    markBins(pass.bins, jumped ? along : pass.lastAlong, along);
    pass.lastAlong = along;
    pass.lastMs = tMs;
  }

  /**
   * Back and forth on a street without leaving it is two passes: the stay is cut into runs where
   * the vehicle turned. A sweeper turns at the street's end (it works streets end to end), so a turn
   * short of the end by no more than the vehicle could drive unseen between the fixes is at the end.
   */
  private followRun(pass: Pass, task: number, along: number): void {
    if (pass.runDir === 0) {
      if (Math.abs(along - pass.runFrom) >= TURN_M) {
        pass.runDir = Math.sign(along - pass.runFrom);
        pass.runFurthest = along;
      }
      return;
    }
    if ((along - pass.runFurthest) * pass.runDir > 0) {
      pass.runFurthest = along;
      return;
    }
    if ((pass.runFurthest - along) * pass.runDir < TURN_M) return;
    const end = pass.runDir > 0 ? this.segLengthM[task]! : 0;
    const turnedAt = Math.abs(end - pass.runFurthest) <= this.turnReachM ? end : pass.runFurthest;
    pass.runs.push([pass.runFrom, turnedAt]);
    pass.runFrom = turnedAt;
    pass.runFurthest = along;
    pass.runDir = -pass.runDir;
  }

  /**
   * The way between two fixes in local metres, and how far from it a street may lie to be on it:
   * the router's map-matched road path when it is plausible (on the roads' lines), else the
   * straight line between the fixes (off the roads by the fixes' error: the profile's tolerance).
   */
  private path(a: { fix: ActualFix; x: number; y: number }, b: { fix: ActualFix; x: number; y: number }): { path: Array<[number, number]>; toleranceM: number } {
    const straight = { path: [[a.x, a.y], [b.x, b.y]] as Array<[number, number]>, toleranceM: this.settings.segmentToleranceM };
    const line = this.router?.(...this.matchWindow(a.fix, b.fix), this.expectedStreets());
    if (!line || line.length < 2) return straight;
    const projected = line.map(([lon, lat]) => this.project(lon, lat));
    const lengthM = localLengthM(projected);
    // a detour far beyond what the vehicle could drive in the time is a wrong guess (the fix snapped to the wrong road)
    const dtS = (b.fix.timeMs - a.fix.timeMs) / 1000;
    const reachM = (Math.max(a.fix.speedKmh, b.fix.speedKmh, 5) / 3.6) * dtS * 1.5 + 2 * this.settings.segmentToleranceM;
    if (lengthM > reachM) return straight;
    return { path: projected, toleranceM: Math.min(MATCHED_TOLERANCE_M, this.settings.segmentToleranceM) };
  }

  /**
   * A working vehicle that took much longer between two fixes than their way needs, where the way
   * ends at a planned roundabout, went round it: a lap from where the way ends is added. Fixes at
   * a roundabout's entry before and after the lap are a few metres apart, and the shortest way
   * between them (what routing gives) skips the lap. `workKmh`: the working fix's speed (both
   * fixes' mean when both work); a lap is added only when working at it all the time between the
   * fixes accounts for the lap.
   */
  private aroundLoop(path: Array<[number, number]>, workKmh: number, dtMs: number): Array<[number, number]> {
    if (this.loops.length === 0) return path;
    const lengthM = localLengthM(path);
    const drivenM = (workKmh / 3.6) * (dtMs / 1000);
    const missingM = drivenM - lengthM;
    let best: { line: Array<[number, number]>; at: number; point: [number, number]; off: number; first: boolean } | undefined;
    // at the way's end (the lap before the fix) or, the gear on all along, at its start (a lap worked
    // from the roundabout the vehicle stood at, then on along the street leaving it)
    for (const first of [false, true]) {
      const end = first ? path[0]! : path[path.length - 1]!;
      for (const loop of this.loops) {
        if (missingM < LOOP_FIT[0] * loop.lengthM || missingM > LOOP_FIT[1] * loop.lengthM + MATCH_SLACK_M) continue;
        for (let i = 1; i < loop.line.length; i++) {
          const [p, q] = [loop.line[i - 1]!, loop.line[i]!];
          const len = Math.hypot(q[0] - p[0], q[1] - p[1]);
          if (len < 1e-6) continue;
          const t = Math.max(0, Math.min(1, ((end[0] - p[0]) * (q[0] - p[0]) + (end[1] - p[1]) * (q[1] - p[1])) / (len * len)));
          const point: [number, number] = [p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t];
          const d = Math.hypot(point[0] - end[0], point[1] - end[1]);
          const off = Math.abs(missingM - loop.lengthM);
          if (d <= LOOP_REACH_M && (!best || off < best.off)) best = { line: loop.line, at: i, point, off, first };
        }
      }
    }
    if (!best) return path;
    // the lap in the loop's own direction, from the point nearest the way's end (start) back to it
    const { line, at, point } = best;
    const lap: Array<[number, number]> = [point, ...line.slice(at), ...line.slice(1, at), point];
    return best.first ? [...lap, ...path] : [...path, ...lap];
  }

  /**
   * A working vehicle that drove away from the end of a two-way street at `b` towards which it drove at
   * `a` (the fixes' courses run opposite ways along it) turned at that end between them: sweepers work
   * a street end to end and come back along it. The shortest way between the two matched places
   * (what routing gives) runs straight back and skips the street's far part. The turn is taken when
   * its way fits the distance worked in the time between the fixes better than the shortest way.
   */
  private aroundTurn(path: Array<[number, number]>, a: ActualFix, b: ActualFix): Array<[number, number]> {
    const stopped = this.settings.stoppedBelowKmh;
    if (a.headingDeg === undefined || b.headingDeg === undefined || a.speedKmh < stopped || b.speedKmh < stopped) return path;
    const lengthM = localLengthM(path);
    const drivenM = (((a.speedKmh + b.speedKmh) / 2) / 3.6) * ((b.timeMs - a.timeMs) / 1000);
    if (drivenM - lengthM < 2 * TURN_M) return path;
    const [start, end] = [path[0]!, path[path.length - 1]!];
    const course = (f: ActualFix): [number, number] => [Math.sin((f.headingDeg! * Math.PI) / 180), Math.cos((f.headingDeg! * Math.PI) / 180)];
    const [ua, ub] = [course(a), course(b)];
    let best: { line: Array<[number, number]>; fromAlong: number; toAlong: number; turnAlong: number; off: number } | undefined;
    const tasks = new Set((this.grid.get(`${Math.floor(start[0] / CELL_M)},${Math.floor(start[1] / CELL_M)}`) ?? []).map((p) => p.task));
    for (const task of tasks) {
      const { line, oneWay } = this.segLines[task]!;
      if (oneWay) continue;
      const at = locateOn(line, start[0], start[1]);
      const to = locateOn(line, end[0], end[1]);
      if (at.distanceM > MATCHED_TOLERANCE_M || to.distanceM > MATCHED_TOLERANCE_M) continue;
      const sa = ua[0] * at.dx + ua[1] * at.dy;
      const sb = ub[0] * to.dx + ub[1] * to.dy;
      if (Math.abs(sa) < MIN_ALIGNMENT || Math.abs(sb) < MIN_ALIGNMENT || Math.sign(sa) === Math.sign(sb)) continue;
      // turned at the end it drove towards, having come back to `b` (it drives away from that end there)
      const turnAlong = sa > 0 ? this.segLengthM[task]! : 0;
      if ((turnAlong - to.along) * Math.sign(sa) < 0) continue;
      const turnM = Math.abs(turnAlong - at.along) + Math.abs(turnAlong - to.along);
      const off = Math.abs(turnM - drivenM);
      if (off < Math.abs(lengthM - drivenM) - TURN_M && turnM <= LOOP_FIT[1] * drivenM + MATCH_SLACK_M && (!best || off < best.off)) {
        best = { line, fromAlong: at.along, toAlong: to.along, turnAlong, off };
      }
    }
    if (!best) return path;
    return [start, ...subLine(best.line, best.fromAlong, best.turnAlong), ...subLine(best.line, best.turnAlong, best.toAlong), end];
  }

  /**
   * The working stretch between a gear switch-on and switch-off reported at once; returned when it ends
   * (at `b`). Its distance is worked at the fixes' speeds (no faster than working), whatever the
   * matched ways say.
   */
  private followStretch(a: { fix: ActualFix; x: number; y: number }, b: { fix: ActualFix; x: number; y: number }): VehicleActual['stretch'] {
    if (!this.settings.gearReportedAtOnce || a.fix.working === undefined || b.fix.working === undefined || this.segKeys.length === 0) {
      this.stretch = undefined;
      return undefined;
    }
    const max = this.settings.workSpeedMaxKmh;
    const dtS = (b.fix.timeMs - a.fix.timeMs) / 1000;
    if (!a.fix.working) {
      this.stretch = b.fix.working ? { fromMs: b.fix.timeMs, points: [[b.x, b.y]], workedM: 0 } : undefined;
      return undefined;
    }
    const stretch = this.stretch;
    if (!stretch) return undefined;
    const kmh = b.fix.working ? (a.fix.speedKmh + b.fix.speedKmh) / 2 : a.fix.speedKmh;
    stretch.points.push([b.x, b.y]);
    stretch.workedM += (Math.min(kmh, max) / 3.6) * dtS;
    // (a working fix faster than work is driving with the gear on: no street is worked in that stretch)
    if (a.fix.speedKmh > max || (b.fix.working && b.fix.speedKmh > max)) stretch.fast = true;
    if (b.fix.working) return undefined;
    this.stretch = undefined;
    return stretch;
  }

  /**
   * A working stretch whose fixes all stayed at a planned roundabout (within its radius and the
   * fixes' error of its middle) worked it as many laps as its distance holds: a ring of 5 m radius is
   * a point to fixes with 5 m of error, which the matcher puts on its approach roads as often as on it,
   * and a lap worked between two fixes leaves no trace but the time it took. Laps the ways already
   * counted in the stretch are not counted again.
   */
  private lapsWorked(stretch: NonNullable<VehicleActual['stretch']>, endMs: number): void {
    for (const loop of this.loops) {
      if (stretch.points.some(([x, y]) => Math.hypot(x - loop.centre[0], y - loop.centre[1]) > loop.radiusM + LAP_REACH_M)) continue;
      const laps = Math.round(stretch.workedM / loop.lengthM);
      if (laps < 1 || Math.abs(stretch.workedM - laps * loop.lengthM) > LAP_FIT * loop.lengthM) continue;
      const key = this.segKeys[loop.task]!;
      const counted = (this.passes.get(key) ?? []).filter((t) => t >= stretch.fromMs - 1000 && t <= endMs + 1000).length;
      this.addPasses(key, endMs, laps - counted);
    }
  }

  /**
   * A working stretch (the gear switched on and off, reported at once) that the ways credited to no
   * street, whose fixes all lie along one planned street (within STREET_REACH_M of it), the first at its
   * start and the last at its end (within STRETCH_END_M, its way in a one-way street), and whose
   * distance worked fits the street's length (within STRETCH_FIT), worked that street once. A short
   * street worked on its own (a one-way street's second pass, after a lap round the block with the gear
   * up) lies between two fixes whose error (5 m per axis) can put the switch-on nearer its end than its
   * start, or on the road beside it: the matched way is then a few metres long, or off the street, and
   * the time the gear was on is the only trace of the work. When the stretch fits two streets it is
   * not told which.
   */
  private streetWorked(stretch: NonNullable<VehicleActual['stretch']>, endMs: number): void {
    // (the gear is off: a stay the ways left open, when the last step had no way, ends here and is credited first)
    this.closeAllPasses();
    if (stretch.fast || stretch.points.length < 2 || this.lastCreditMs >= stretch.fromMs - 1000) return;
    const [first, last] = [stretch.points[0]!, stretch.points[stretch.points.length - 1]!];
    const fits: number[] = [];
    this.segLines.forEach(({ line, oneWay }, task) => {
      if (this.loopTasks.has(task)) return;
      const lengthM = this.segLengthM[task]!;
      if (Math.abs(stretch.workedM - lengthM) > STRETCH_FIT * lengthM) return;
      if (stretch.points.some(([x, y]) => locateOn(line, x, y).distanceM > STREET_REACH_M)) return;
      const [s0, s1] = this.segEnds[task]!;
      const near = (p: [number, number], e: [number, number]) => Math.hypot(p[0] - e[0], p[1] - e[1]) <= STRETCH_END_M;
      const [fromAlong, toAlong] = [locateOn(line, first[0], first[1]).along, locateOn(line, last[0], last[1]).along];
      const forward = near(first, s0) && near(last, s1) && fromAlong < toAlong;
      const backward = !oneWay && near(first, s1) && near(last, s0) && fromAlong > toAlong;
      if (forward || backward) fits.push(task);
    });
    if (fits.length === 1) this.addPasses(this.segKeys[fits[0]!]!, endMs, 1);
  }

  /** The streets (tasks) the plan has this vehicle work next, after the last pass seen. */
  private nextPlannedTasks(): number[] {
    return this.passOrder.slice(this.passProgress + 1, this.passProgress + 1 + ORDER_AHEAD);
  }

  /** Whether the plan has this vehicle work the street among its next ones, after the last pass seen. */
  private isExpected(task: number): boolean {
    return this.nextPlannedTasks().includes(task);
  }

  /** The streets the plan has this vehicle work next, after the last pass seen (the map matcher favours them). */
  private expectedStreets(): ReadonlySet<string> | undefined {
    if (this.passOrder.length === 0) return undefined;
    return new Set(this.nextPlannedTasks().map((task) => this.segKeys[task]!));
  }

  /** The step from `a` to `b` with the fixes around it (no wider than a gap), and where `a` is in it. */
  private matchWindow(a: ActualFix, b: ActualFix): [ActualFix[], number] {
    const maxGapMs = this.settings.maxFixGapS * 1000;
    const earlier: ActualFix[] = [];
    for (let i = this.before.length - 1, t = a.timeMs; i >= 0 && t - this.before[i]!.timeMs <= maxGapMs; t = this.before[i]!.timeMs, i--) earlier.unshift(this.before[i]!);
    const later: ActualFix[] = [];
    for (let i = 0, t = b.timeMs; i < this.queue.length && later.length < MATCH_CONTEXT && this.queue[i]!.fix.timeMs - t <= maxGapMs; t = this.queue[i]!.fix.timeMs, i++) later.push(this.queue[i]!.fix);
    return [[...earlier, a, b, ...later], earlier.length];
  }

  /**
   * A pass whose step ends at the street's end ahead of it (the fix within END_REACH_M of it, the
   * rest reachable at working speed in the step) worked the street to that end: the matched way
   * between the fixes leaves the street where the matcher put the fix at the junction on the road
   * beyond it, or on the far side of a turn it may not take (it routes round), though the vehicle
   * drove to the end of its street (sweepers work streets end to end).
   */
  private reachEnd(task: number): void {
    const pass = this.active.get(task);
    const step = this.stepEnd;
    // a roundabout's end is its start, a few metres from every point of it: a fix there says nothing of a lap
    if (!pass || !step || pass.runDir === 0 || this.loopTasks.has(task)) return;
    const endAlong = pass.runDir > 0 ? this.segLengthM[task]! : 0;
    const gapM = Math.abs(endAlong - pass.runFurthest);
    if (gapM < BIN_M || gapM > step.reachM) return;
    const [ex, ey] = this.segEnds[task]![pass.runDir > 0 ? 1 : 0];
    if (Math.hypot(step.x - ex, step.y - ey) > END_REACH_M) return;
    markBins(pass.bins, pass.runFurthest, endAlong);
    pass.runFurthest = endAlong;
    pass.lastAlong = endAlong;
  }

  /**
   * The streets begun in the step from a gear switch-on reported at once (`onAt`, that fix's place) were
   * worked from their start when the fix lies within END_REACH_M of it: the switch is where the work
   * began (sweepers work streets end to end), and the matcher put the fix further along by its error.
   */
  private reachStart(onAt: [number, number]): void {
    for (const [task, pass] of this.active) {
      const dir = this.segLines[task]!.oneWay ? 1 : pass.runDir;
      // (a roundabout's start is its end: see reachEnd)
      if (dir === 0 || this.loopTasks.has(task)) continue;
      const startAlong = dir > 0 ? 0 : this.segLengthM[task]!;
      const gapM = Math.abs(pass.runFrom - startAlong);
      if (gapM < BIN_M || gapM > 2 * END_REACH_M) continue;
      const [sx, sy] = this.segEnds[task]![dir > 0 ? 0 : 1];
      if (Math.hypot(onAt[0] - sx, onAt[1] - sy) > END_REACH_M) continue;
      markBins(pass.bins, startAlong, pass.runFrom); // (runFrom's own bin was marked when the run began there)
      pass.runFrom = startAlong;
    }
  }

  private closeAllPasses(): void {
    for (const task of [...this.active.keys()]) this.closePass(task);
  }

  /**
   * The vehicle left the street (or stopped working): the stay counts when it covered the street
   * (one bin of slack for the fixes' error where the terminals report gear switches at once: the bins
   * touched already round each end up to 5 m, and two bins were 10 m of a 30 m street, so a sweeper
   * that turned into it half way swept it; two without switch reports), as one pass, or as many as its runs
   * between turns that each covered it (back and forth without leaving is two).
   */
  private closePass(task: number): void {
    this.reachEnd(task);
    const pass = this.active.get(task)!;
    this.active.delete(task);
    let covered = 0;
    for (const b of pass.bins) covered += b;
    const lengthM = this.segLengthM[task]!;
    // (a bin more without switch reports: where the gear went on or off between two fixes is a guess from their speeds)
    const slackBins = this.settings.gearReportedAtOnce ? 1 : 2;
    if (Math.min(lengthM, (covered + slackBins) * BIN_M) < this.settings.minCoverage * lengthM) {
      const key = this.segKeys[task]!;
      const share = lengthM > 0 ? Math.min(1, (covered * BIN_M) / lengthM) : 0;
      if (share > (this.partialShares.get(key) ?? 0)) this.partialShares.set(key, share);
      return;
    }
    const runs = [...pass.runs, [pass.runFrom, pass.runFurthest]];
    const count = Math.max(1, runs.filter(([from, to]) => Math.abs(to - from) + 2 * BIN_M >= this.settings.minCoverage * lengthM).length);
    // One way along two streets a few metres apart (a lane merging into the other, a street off the
    // network beside the road the matcher keeps to) worked one of them, not both: where the plan has
    // the vehicle on one of them next and not on the other, that one is the street worked.
    const overlapMs = (x: { fromMs: number; toMs: number }) => Math.min(x.toMs, pass.lastMs) - Math.max(x.fromMs, pass.fromMs);
    const twin = this.credited.find((c) => c.task !== task && overlapMs(c) >= TWIN_SHARE * Math.min(c.toMs - c.fromMs, pass.lastMs - pass.fromMs) && c.expected !== pass.expected);
    this.credited = this.credited.filter((c) => c.toMs >= pass.fromMs);
    if (twin && twin.expected) return;
    if (twin) {
      const list = this.passes.get(this.segKeys[twin.task]!)!;
      for (let i = 0; i < twin.count; i++) {
        const at = list.lastIndexOf(Math.round(twin.toMs));
        if (at >= 0) list.splice(at, 1);
      }
      this.credited = this.credited.filter((c) => c !== twin);
    }
    this.credited.push({ task, fromMs: pass.fromMs, toMs: pass.lastMs, count, expected: pass.expected });
    // the plan's order: the next of this street's planned passes not far ahead of the last one seen
    for (let i = 0; i < count; i++) {
      const next = this.passOrder.findIndex((t, j) => j > this.passProgress && j <= this.passProgress + ORDER_JUMP && t === task);
      if (next >= 0) this.passProgress = next;
    }
    this.addPasses(this.segKeys[task]!, pass.lastMs, count);
    this.lastCreditMs = Math.max(this.lastCreditMs, pass.lastMs);
  }

  /** Records `count` passes of the street `key` ending at `atMs` (none when `count` is not positive). */
  private addPasses(key: string, atMs: number, count: number): void {
    const list = this.passes.get(key) ?? [];
    for (let i = 0; i < count; i++) list.push(Math.round(atMs));
    this.passes.set(key, list);
  }
}

/** Where a point lies along a line (local metres): how far along, how far off, the line's direction there. */
function locateOn(line: Array<[number, number]>, x: number, y: number): { along: number; distanceM: number; dx: number; dy: number } {
  let best = { along: 0, distanceM: Infinity, dx: 0, dy: 0 };
  let offset = 0;
  for (let i = 1; i < line.length; i++) {
    const [p, q] = [line[i - 1]!, line[i]!];
    const len = Math.hypot(q[0] - p[0], q[1] - p[1]);
    if (len < 1e-6) continue;
    const [dx, dy] = [(q[0] - p[0]) / len, (q[1] - p[1]) / len];
    const t = Math.max(0, Math.min(len, (x - p[0]) * dx + (y - p[1]) * dy));
    const d = Math.hypot(p[0] + dx * t - x, p[1] + dy * t - y);
    if (d < best.distanceM) best = { along: offset + t, distanceM: d, dx, dy };
    offset += len;
  }
  return best;
}

/** The points of a line from `fromM` to `toM` along it (either way round), ends included. */
function subLine(line: Array<[number, number]>, fromM: number, toM: number): Array<[number, number]> {
  const pointAt = (m: number): [number, number] => {
    let offset = 0;
    for (let i = 1; i < line.length; i++) {
      const [p, q] = [line[i - 1]!, line[i]!];
      const len = Math.hypot(q[0] - p[0], q[1] - p[1]);
      if (offset + len >= m || i === line.length - 1) {
        const f = len > 0 ? Math.max(0, Math.min(1, (m - offset) / len)) : 0;
        return [p[0] + (q[0] - p[0]) * f, p[1] + (q[1] - p[1]) * f];
      }
      offset += len;
    }
    return line[0]!;
  };
  const inner: Array<[number, number]> = [];
  let offset = 0;
  const offsets = line.map((p, i) => (i === 0 ? 0 : (offset += Math.hypot(p[0] - line[i - 1]![0], p[1] - line[i - 1]![1]))));
  const [lo, hi] = [Math.min(fromM, toM), Math.max(fromM, toM)];
  line.forEach((p, i) => { if (offsets[i]! > lo && offsets[i]! < hi) inner.push(p); });
  if (fromM > toM) inner.reverse();
  return [pointAt(fromM), ...inner, pointAt(toM)];
}

/** Length of a line in local metres. */
function localLengthM(line: ReadonlyArray<[number, number]>): number {
  let lengthM = 0;
  for (let i = 1; i < line.length; i++) lengthM += Math.hypot(line[i]![0] - line[i - 1]![0], line[i]![1] - line[i - 1]![1]);
  return lengthM;
}

/** Marks the bins a pass worked from `fromM` to `toM` along its street (either way round), both ends' bins included. */
function markBins(bins: Uint8Array, fromM: number, toM: number): void {
  const binOf = (m: number) => Math.min(bins.length - 1, Math.floor(m / BIN_M));
  for (let m = Math.min(fromM, toM); m < Math.max(fromM, toM); m += BIN_M) bins[binOf(m)] = 1;
  bins[binOf(toM)] = 1;
}
