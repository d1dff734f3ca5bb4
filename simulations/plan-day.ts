/**
 * A simulated day of a plan: each route driven along the road network with GPS noise and a fix
 * every 10-30 s, some stops skipped on purpose and some routes held up, with the ground truth of
 * what was really done. The truth is the simulation's own record of where the vehicle stopped and
 * what it swept; it does not use the plan-against-actual detector (src/planning/actual/).
 */
import { haversineM, metresPerDegree, mulberry32, type ProblemInput, type Solution } from '../solver/index.js';
import type { RoadNetwork, SnappedPosition, VehicleKind as NetworkKind } from '../solver/network/index.js';
import type { PlanMapping } from '../src/planning/build-problem.js';
import { PlanClock } from '../src/planning/plan-clock.js';

export interface SimFix {
  timeMs: number;
  lon: number;
  lat: number;
  speedKmh: number;
  /**
   * Course over ground, degrees clockwise from north, as JT/T 808 terminals report it: the direction
   * driven with a few degrees of error while moving (COURSE_NOISE_DEG, more below 5 km/h), any
   * direction while standing (a standing receiver's course is noise).
   */
  headingDeg: number;
  /** sweeping / washing gear on */
  working: boolean;
  /** What the body holds after the last stop served (the plan's figure). */
  loadKg: number;
  /** The cover is closed (opened to load at a point or a site and to unload). */
  coverClosed: boolean;
  /** The body is lifted (unloading at a facility). */
  bodyLifted: boolean;
  /** A multipath outlier: the position is off by 80-300 m (the service should judge it implausible or ignore it). */
  outlier?: boolean;
}

export type TruthState = 'done' | 'late' | 'missed';

/** A moving receiver's course error (standard deviation, degrees), and below 5 km/h. */
const COURSE_NOISE_DEG = 5;
const SLOW_COURSE_NOISE_DEG = 30;

export interface PlanDayOptions {
  seed: number;
  /** Standard deviation of the position error per axis, m (default 5). */
  noiseM?: number;
  minIntervalS?: number;
  maxIntervalS?: number;
  /** Share of collection stops and sweep passes skipped on purpose (default 0.1). */
  skipShare?: number;
  /** Skip exactly these stops (`<vehicleId>#<seq>`) instead of drawing them. */
  skip?: Set<string>;
  /** Share of routes held up once, 60-120 min before a random stop (default 0.15). */
  delayShare?: number;
  /** Each leg driven at the network's speed times 1 ± this, drawn per leg (default 0: the network's speed). */
  speedVariation?: number;
  /** Share of fixes thrown 80-300 m off by multipath (default 0). */
  outlierShare?: number;
  /**
   * The terminal reports at once when the sweeping / washing gear goes on or off (the status word
   * changed), as sanitation terminals do, besides its 10-30 s fixes (default true). Without it the
   * gear's state is known only at the periodic fixes: a 30 m street swept in 10 s between two of them
   * leaves no trace of the brushes.
   */
  reportGearChanges?: boolean;
  /** Record where each fix was generated (`PlanDay.edges`); draws nothing, so the fixes stay the same. */
  recordEdges?: boolean;
}

export interface PlanDay {
  fixes: Map<string, SimFix[]>;
  /** Collection stops by `<vehicleId>#<seq>`; streets by `segment:<taskId>`. */
  truth: Map<string, TruthState>;
  /** What was done on purpose: skipped stops and passes, routes held up. */
  planted: { skippedStops: string[]; skippedPasses: string[]; delayed: Array<{ vehicleId: string; beforeSeq: number; minutes: number }> };
  /** Every planned pass as driven: worked with the gear on, driven over with it off, or left out (for diagnostics). */
  passLog: Array<{ vehicleId: string; seq: number; taskId: string; how: 'worked' | 'driven' | 'left'; fromMs: number; toMs: number }>;
  /**
   * With `recordEdges`: per vehicle, parallel to its fixes, the true (noise-free) position and the network segment
   * (both directions of a street) it lay on, or -1 off the network (straight across where no road joins, a depot or facility yard).
   */
  edges?: Map<string, TrueFix[]>;
}

export interface TrueFix {
  segment: number;
  lon: number;
  lat: number;
}

/** A piece of a driven line lies on the segment under its middle; a piece more than 1 m off every road is off the network. */
function pieceSegment(network: RoadNetwork, a: [number, number], b: [number, number]): number {
  return network.snap((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, { maxDistanceM: 1 })?.segment ?? -1;
}

export interface PlanDayInput {
  network: RoadNetwork;
  problem: ProblemInput;
  solution: Solution;
  mapping: PlanMapping;
  segmentGeometry(segmentId: string): Array<[number, number]> | undefined;
}

export function simulatePlanDay(input: PlanDayInput, options: PlanDayOptions): PlanDay {
  const { network, problem, solution, mapping } = input;
  const random = mulberry32(options.seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  // the course's error from a stream of its own: the positions, speeds and plan of a seed stay as they were without it
  const courseRandom = mulberry32(options.seed ^ 0x5bd1e995);
  const courseGaussian = () => Math.sqrt(-2 * Math.log(1 - courseRandom())) * Math.cos(2 * Math.PI * courseRandom());
  const noiseM = options.noiseM ?? 5;
  const minS = options.minIntervalS ?? 10;
  const maxS = options.maxIntervalS ?? 30;
  const skipShare = options.skipShare ?? 0.1;
  const outlierShare = options.outlierShare ?? 0;
  const speedVariation = options.speedVariation ?? 0;
  const reportGearChanges = options.reportGearChanges ?? true;
  const clock = new PlanClock(mapping.date, mapping.timeZone);
  const jobs = new Map((problem.jobs ?? []).map((j) => [j.id, j]));
  const tasks = new Map((problem.sweepTasks ?? []).map((t) => [t.id, t]));
  const vehicles = new Map(problem.vehicles.map((v) => [v.id, v]));
  const fixes = new Map<string, SimFix[]>();
  const truth = new Map<string, TruthState>();
  const passTimes = new Map<string, number[]>();
  const planted: PlanDay['planted'] = { skippedStops: [], skippedPasses: [], delayed: [] };
  const passLog: PlanDay['passLog'] = [];
  const edges = options.recordEdges ? new Map<string, TrueFix[]>() : undefined;

  for (const route of solution.routes) {
    const vehicle = vehicles.get(route.vehicleId)!;
    const info = mapping.profiles[vehicle.profile]!;
    const kind = info.networkKind as NetworkKind;
    const travel = { vehicleKind: kind, restrictionIndices: info.restrictionIndices };
    const out: SimFix[] = [];
    fixes.set(route.vehicleId, out);
    const outEdges: TrueFix[] = [];
    edges?.set(route.vehicleId, outEdges);
    const first = route.stops[0]!;
    let t = clock.epochMs(first.departureS);
    let nextFixMs = t;
    let pos: [number, number] = [mapping.locations[first.location]!.lon, mapping.locations[first.location]!.lat];
    // the body's state between stops: what it holds, cover open while loading or unloading, lifted to unload
    let loadKg = first.loadKg;
    let coverOpen = false;
    let lifted = false;
    // the segment the vehicle stands on (the last piece it drove); the depot is taken as off the network
    let posSegment = -1;
    let atSegment = -1;
    let lastWorking = false;
    /** `at`: where the vehicle is at an instant and, when moving, the bearing it drives (degrees) */
    const emit = (untilMs: number, at: (ms: number) => [number, number, number?], speedKmh: number, working: boolean) => {
      // the gear switched: a fix now (unless the periodic one is due within the second), the cadence goes on
      let changeMs = reportGearChanges && working !== lastWorking && untilMs > t && nextFixMs > t + 1000 ? t : undefined;
      while (nextFixMs < untilMs || changeMs !== undefined) {
        const fixMs = changeMs ?? nextFixMs;
        const [lon, lat, bearing] = at(fixMs);
        if (edges) outEdges.push({ segment: atSegment, lon, lat });
        const { xM, yM } = metresPerDegree(lat);
        const moving = speedKmh > 0;
        const reportedKmh = moving ? Math.max(0, speedKmh + gaussian()) : Math.abs(gaussian()) * 0.5;
        const course = moving && bearing !== undefined
          ? bearing + courseGaussian() * (reportedKmh >= 5 ? COURSE_NOISE_DEG : SLOW_COURSE_NOISE_DEG)
          : courseRandom() * 360;
        const fix: SimFix = {
          timeMs: Math.round(fixMs), lon: lon + (gaussian() * noiseM) / xM, lat: lat + (gaussian() * noiseM) / yM,
          speedKmh: reportedKmh, headingDeg: ((course % 360) + 360) % 360, working,
          loadKg, coverClosed: !coverOpen, bodyLifted: lifted,
        };
        if (outlierShare > 0 && random() < outlierShare) {
          const offM = 80 + random() * 220;
          const angle = random() * 2 * Math.PI;
          fix.lon += (Math.cos(angle) * offM) / xM;
          fix.lat += (Math.sin(angle) * offM) / yM;
          fix.outlier = true;
        }
        out.push(fix);
        lastWorking = working;
        if (changeMs !== undefined) changeMs = undefined;
        else nextFixMs += (minS + random() * (maxS - minS)) * 1000;
      }
    };
    const stay = (untilMs: number, working = false) => {
      const here = pos;
      atSegment = posSegment;
      emit(untilMs, () => here, 0, working);
      t = Math.max(t, untilMs);
    };
    const drive = (line: Array<[number, number]>, speedKmh: number, working: boolean) => {
      const cum = [0];
      for (let i = 1; i < line.length; i++) cum.push(cum[i - 1]! + haversineM(line[i - 1]![0], line[i - 1]![1], line[i]![0], line[i]![1]));
      const totalM = cum[cum.length - 1]!;
      if (line.length < 2 || totalM < 1) return;
      const speedMs = speedKmh / 3.6;
      const t0 = t;
      const end = t0 + (totalM / speedMs) * 1000;
      const segments = edges ? line.slice(1).map((b, k) => pieceSegment(network, line[k]!, b)) : [];
      let i = 0;
      emit(end, (ms) => {
        const atM = Math.min(totalM, ((ms - t0) / 1000) * speedMs);
        while (i + 2 < line.length && cum[i + 1]! < atM) i++;
        if (edges) atSegment = segments[i]!;
        const piece = cum[i + 1]! - cum[i]!;
        const share = piece <= 0 ? 0 : Math.min(1, (atM - cum[i]!) / piece);
        const [a, b] = [line[i]!, line[i + 1]!];
        const bearing = (Math.atan2((b[0] - a[0]) * Math.cos((a[1] * Math.PI) / 180), b[1] - a[1]) * 180) / Math.PI;
        return [a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share, piece > 0 ? bearing : undefined];
      }, speedKmh, working);
      t = end;
      pos = line[line.length - 1]!;
      if (edges) {
        let k = segments.length - 1;
        while (k > 0 && cum[k + 1]! - cum[k]! < 0.01) k--;
        posSegment = segments[k]!;
      }
    };
    const snap = (lon: number, lat: number): SnappedPosition | null => network.snap(lon, lat, { vehicleKind: kind });
    const driveTo = (lon: number, lat: number) => {
      const from = snap(pos[0], pos[1]);
      const to = snap(lon, lat);
      const leg = from && to ? network.route(from, to, travel) : null;
      // no road between them: straight across, as the plan's map draws it
      // drivers are not all alike, nor is the traffic: each leg at its own share of the network's speed
      const vary = speedVariation > 0 ? 1 + speedVariation * (2 * random() - 1) : 1;
      if (!leg) drive([pos, [lon, lat]], 20 * vary, false);
      else drive([...leg.geometry, [lon, lat]], (leg.durationS > 0 ? Math.max(5, (leg.distanceM / leg.durationS) * 3.6) : 20) * vary, false);
    };

    const delayAt = random() < (options.delayShare ?? 0.15) ? 1 + Math.floor(random() * Math.max(1, route.stops.length - 2)) : -1;
    route.stops.forEach((stop, seq) => {
      if (seq === 0) return;
      if (seq === delayAt) {
        const minutes = 60 + Math.floor(random() * 61);
        planted.delayed.push({ vehicleId: route.vehicleId, beforeSeq: seq, minutes });
        stay(t + minutes * 60_000);
      }
      const key = `${route.vehicleId}#${seq}`;
      const loc = mapping.locations[stop.location]!;
      if (stop.type === 'job' && stop.id) {
        const job = jobs.get(stop.id)!;
        const skipped = options.skip ? options.skip.has(key) : random() < skipShare;
        const w = job.windows.find((x) => stop.startS >= x.startS - 1e-6 && stop.startS <= x.endS + 1e-6)
          ?? job.windows.find((x) => x.endS >= stop.startS) ?? job.windows[job.windows.length - 1]!;
        if (skipped) {
          planted.skippedStops.push(key);
          truth.set(key, 'missed');
          // half drive past without stopping (on to the next stop: a break would park the truck right there), half never go there
          if (random() < 0.5 && route.stops[seq + 1]?.type !== 'break') {
            const s = snap(loc.lon, loc.lat);
            if (s) driveTo(s.lon, s.lat);
          }
          return;
        }
        const s = snap(loc.lon, loc.lat);
        driveTo(s?.lon ?? loc.lon, s?.lat ?? loc.lat);
        const arrivalMs = t;
        // a truck ahead of its plan goes on; it waits only for the window to open
        stay(Math.max(t, clock.epochMs(w.startS)));
        coverOpen = true;
        stay(t + (job.serviceS ?? 0) * 1000);
        coverOpen = false;
        loadKg = stop.loadKg;
        truth.set(key, arrivalMs <= clock.epochMs(w.endS) ? 'done' : 'late');
      } else if (stop.type === 'sweep' && stop.id) {
        const task = tasks.get(stop.id)!;
        const m = mapping.sweepTasks[stop.id]!;
        const road = input.segmentGeometry(m.segmentId) ?? [];
        const reversed = stop.location === task.toLocation && task.toLocation !== task.fromLocation;
        const line = reversed ? [...road].reverse() : road;
        if (line.length < 2) return;
        const skipped = options.skip ? options.skip.has(key) : random() < skipShare;
        if (skipped) {
          planted.skippedPasses.push(`${key}:${task.id}`);
          if (random() < 0.5) {
            passLog.push({ vehicleId: route.vehicleId, seq, taskId: task.id, how: 'left', fromMs: t, toMs: t });
            return;
          }
          driveTo(line[0]![0], line[0]![1]);
          const fromMs = t;
          drive(line, 25, false); // over the street with the brushes up
          passLog.push({ vehicleId: route.vehicleId, seq, taskId: task.id, how: 'driven', fromMs, toMs: t });
          return;
        }
        driveTo(line[0]![0], line[0]![1]);
        stay(Math.max(t, clock.epochMs(task.earliestS ?? 0)));
        const fromMs = t;
        drive(line, task.workSpeedKmh ?? 10, true);
        passLog.push({ vehicleId: route.vehicleId, seq, taskId: task.id, how: 'worked', fromMs, toMs: t });
        const list = passTimes.get(task.id) ?? [];
        list.push(t);
        passTimes.set(task.id, list);
      } else {
        // a break is taken where the vehicle is (the plan puts it at the last stop's place)
        if (stop.type !== 'break') driveTo(loc.lon, loc.lat);
        if (stop.type === 'end') return;
        stay(Math.max(t, clock.epochMs(stop.startS)));
        // loading at a site opens the cover; unloading at a facility also lifts the body
        coverOpen = stop.type === 'muck' || stop.type === 'facility';
        lifted = stop.type === 'facility';
        stay(t + (stop.departureS - stop.startS) * 1000);
        coverOpen = false;
        lifted = false;
        loadKg = stop.loadKg;
      }
    });
  }
  // a street is done when its required passes end by the deadline, whoever made them
  for (const task of problem.sweepTasks ?? []) {
    const routed = solution.routes.some((r) => r.stops.some((s) => s.type === 'sweep' && s.id === task.id));
    if (!routed) continue;
    const times = (passTimes.get(task.id) ?? []).sort((a, b) => a - b);
    const need = task.mechanicalPasses ?? 1;
    const done = times.length >= need ? times[need - 1]! : undefined;
    truth.set(`segment:${task.id}`, done === undefined ? 'missed' : done <= clock.epochMs(task.deadlineS) ? 'done' : 'late');
  }
  return { fixes, truth, planted, passLog, ...(edges ? { edges } : {}) };
}

/** Recall and precision of each state, and the share judged exactly right. */
export function scoreStates(truth: Map<string, TruthState>, judged: Map<string, string>): {
  n: number; exact: number;
  served: { recall: number; precision: number; truth: number };
  missed: { recall: number; precision: number; truth: number };
  confusion: Record<string, number>;
} {
  const confusion: Record<string, number> = {};
  let exact = 0;
  const tally = { servedTrue: 0, servedJudged: 0, servedBoth: 0, missedTrue: 0, missedJudged: 0, missedBoth: 0 };
  for (const [key, t] of truth) {
    const j = judged.get(key) ?? 'absent';
    confusion[`${t}->${j}`] = (confusion[`${t}->${j}`] ?? 0) + 1;
    if (t === j) exact++;
    const tServed = t !== 'missed';
    const jServed = j === 'done' || j === 'late';
    if (tServed) tally.servedTrue++;
    if (jServed) tally.servedJudged++;
    if (tServed && jServed) tally.servedBoth++;
    if (!tServed) tally.missedTrue++;
    if (j === 'missed') tally.missedJudged++;
    if (!tServed && j === 'missed') tally.missedBoth++;
  }
  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  return {
    n: truth.size, exact: ratio(exact, truth.size),
    served: { recall: ratio(tally.servedBoth, tally.servedTrue), precision: ratio(tally.servedBoth, tally.servedJudged), truth: tally.servedTrue },
    missed: { recall: ratio(tally.missedBoth, tally.missedTrue), precision: ratio(tally.missedBoth, tally.missedJudged), truth: tally.missedTrue },
    confusion,
  };
}
