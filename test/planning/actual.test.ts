import { beforeAll, describe, expect, it } from 'vitest';
import { defaultCityProfile } from '../../src/domain/city-profile.js';
import { actualSettings, detectDay, PlanActual } from '../../src/planning/actual/plan-actual.js';
import { roadRouters } from '../../src/planning/actual/road-router.js';
import { planTargets, type PlanTargets } from '../../src/planning/actual/targets.js';
import { simulatePlanDay, type PlanDay } from '../../simulations/plan-day.js';
import type { ProblemInput } from '../../solver/index.js';
import { buildGraph } from '../../solver/network/graph.js';
import { RoadNetwork } from '../../solver/network/network.js';
import { DEFAULT_NETWORK_PROFILE } from '../../solver/network/profile.js';
import type { PlanMapping } from '../../src/planning/build-problem.js';
import { smallPlan, type SmallPlan } from '../helpers/actual.js';

let plan: SmallPlan;
let targets: PlanTargets;
let day: PlanDay;
const settings = actualSettings(defaultCityProfile());
// the collector skips its 3rd and 8th stops; the sweeper skips its 7th stop (one of two passes over a 438 m street).
// Day seed 5: on this day every stop and street is judged right. Of seeds 1-8 of this small day, 2, 3, 5 and 6
// are all right; on 1, 4, 7 and 8 one street's pass (63-158 m, two or three fixes on it) is missed for its ends
// falling between fixes: streets are the weak part (bench figures in src/planning/README.md); the stops are
// judged right on all eight.
const SKIP = new Set(['collector-residual-1#3', 'collector-residual-1#8', 'sweeper-03#7']);

beforeAll(async () => {
  plan = await smallPlan();
  targets = planTargets({
    planId: 'plan-small', problem: plan.problem, solution: plan.solution, mapping: plan.mapping, segmentGeometry: (id) => plan.roads.get(id),
    servicePosition: (lon, lat, kind) => plan.network.snap(lon, lat, { vehicleKind: kind as 'truck' }),
  });
  day = simulatePlanDay({ network: plan.network, problem: plan.problem, solution: plan.solution, mapping: plan.mapping, segmentGeometry: (id) => plan.roads.get(id) },
    { seed: 5, skip: SKIP, delayShare: 0 });
}, 600_000);

/** the road path between fixes, as the service judges with its road network and the plan's streets */
const roads = () => roadRouters(plan.network, plan.problem, plan.mapping, settings.maxFixGapS, targets.segments);
const byKey = (rows: Array<{ key: string; status: string }>) => Object.fromEntries(rows.map((r) => [r.key, r.status]));



/** A one-way (anticlockwise) roundabout of radius 4.8 m (30 m round) centred on the origin, its line starting and ending at its south point, to be swept `requiredPasses` times. */
function roundabout30m(at: (eastM: number, northM: number) => { lon: number; lat: number }, T0: number, requiredPasses = 1) {
  const R = 4.8;
  const point = (a: number) => at(R * Math.cos(a), R * Math.sin(a));
  const ring = Array.from({ length: 25 }, (_, i) => { const p = point(-Math.PI / 2 + (i / 24) * 2 * Math.PI); return [p.lon, p.lat] as [number, number]; });
  const target: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [], places: [], segments: [{
    key: 'segment:sweep:ring', taskId: 'sweep:ring', segmentId: 'ring', vehicleIds: ['v'], geometry: ring, lengthM: 2 * Math.PI * R, oneWay: true,
    requiredPasses, deadlineMs: T0 + 3 * 3_600_000, plannedStartMs: T0,
  }] };
  return { R, point, target };
}

/** Two parallel streets 10 m apart, joined at both ends; the sweeper's street is the southern one. */
function twinStreets(at: (eastM: number, northM: number) => { lon: number; lat: number }, T0: number) {
  const node = (id: number, eastM: number, northM: number) => [id, [at(eastM, northM).lon, at(eastM, northM).lat]] as [number, [number, number]];
  const network = new RoadNetwork(buildGraph({
    nodes: new Map([node(1, 0, 0), node(2, 200, 0), node(3, 0, 10), node(4, 200, 10), node(5, -100, 5), node(6, 300, 5)]),
    ways: [
      { id: 11, tags: { highway: 'residential' }, nodeIds: [1, 2] }, { id: 12, tags: { highway: 'residential' }, nodeIds: [3, 4] },
      { id: 13, tags: { highway: 'residential' }, nodeIds: [5, 1, 3, 5] }, { id: 14, tags: { highway: 'residential' }, nodeIds: [6, 2, 4, 6] },
    ],
  }, DEFAULT_NETWORK_PROFILE), DEFAULT_NETWORK_PROFILE);
  const problem = { vehicles: [{ id: 'v', profile: 'sw' }] } as unknown as ProblemInput;
  const mapping = { profiles: { sw: { networkKind: 'sweeper' } } } as unknown as PlanMapping;
  const street: PlanTargets['segments'][number] = {
    key: 'segment:sweep:s', taskId: 'sweep:s', segmentId: 's', vehicleIds: ['v'], oneWay: false, lengthM: 200,
    geometry: [[at(0, 0).lon, at(0, 0).lat], [at(200, 0).lon, at(200, 0).lat]], requiredPasses: 1, deadlineMs: T0 + 3 * 3_600_000, plannedStartMs: T0,
  };
  return { network, problem, mapping, street };
}

describe('plan against actual on a simulated day', { timeout: 300_000 }, () => {
  it('the plan expects eight collection stops and five streets swept twice', () => {
    expect(targets.stops.map((s) => s.key)).toEqual([1, 2, 3, 4, 5, 7, 8, 9].map((seq) => `collector-residual-1#${seq}`));
    expect(targets.segments.map((s) => [s.segmentId, s.requiredPasses, s.vehicleIds])).toEqual(
      ['seg-w4229243', 'seg-w80378486', 'seg-w80377817', 'seg-w80377815', 'seg-w4229292'].map((id) => [id, 2, ['sweeper-03']]),
    );
  });

  it('judges every stop and street as driven: the two skipped stops and the street short of a pass are missed, all else done', () => {
    const sweptOnce = plan.mapping.sweepTasks[plan.solution.routes.find((r) => r.vehicleId === 'sweeper-03')!.stops[7]!.id!]!.segmentId;
    const judged = byKey(detectDay(targets, day.fixes, settings, undefined, roads()));
    expect(judged).toEqual({
      'collector-residual-1#1': 'done', 'collector-residual-1#2': 'done', 'collector-residual-1#3': 'missed', 'collector-residual-1#4': 'done',
      'collector-residual-1#5': 'done', 'collector-residual-1#7': 'done', 'collector-residual-1#8': 'missed', 'collector-residual-1#9': 'done',
      ...Object.fromEntries(targets.segments.map((s) => [s.key, s.segmentId === sweptOnce ? 'missed' : 'done'])),
    });
    // the simulation's own record agrees
    expect(Object.fromEntries(day.truth)).toEqual(judged);
  });

  it('gives a served stop its arrival and departure inside the window, and a street its passes', () => {
    const rows = detectDay(targets, day.fixes, settings, undefined, roads());
    const stop = rows.find((r) => r.key === 'collector-residual-1#1')!;
    const target = targets.stops.find((s) => s.key === stop.key)!;
    expect(stop.source).toBe('gps');
    expect(stop.arrivalMs).toBeGreaterThanOrEqual(target.windowStartMs);
    expect(stop.arrivalMs!).toBeLessThan(stop.departureMs!);
    // the dwell is the planned service (or longer, when the truck came early), give or take a fix interval
    expect(stop.departureMs! - stop.arrivalMs!).toBeGreaterThan(target.serviceS * 1000 - 30_000);
    const street = rows.find((r) => r.kind === 'segment' && r.status === 'done')!;
    expect(street).toMatchObject({ passes: 2, requiredPasses: 2 });
    expect(rows.find((r) => r.kind === 'segment' && r.status === 'missed')).toMatchObject({ passes: 1, requiredPasses: 2 });
  });

  it('live, fix by fix, stops turn missed only once their window has ended, and the day ends as the batch judged it', () => {
    const live = new PlanActual(targets, settings, roads());
    const all = [...day.fixes].flatMap(([v, fixes]) => fixes.map((f) => ({ v, f }))).sort((a, b) => a.f.timeMs - b.f.timeMs);
    const seen = new Map<string, string[]>();
    for (const { v, f } of all) {
      live.ingest(v, f);
      for (const s of live.evaluate(f.timeMs)) {
        const list = seen.get(s.key) ?? [];
        if (list.at(-1) !== s.status) list.push(s.status);
        seen.set(s.key, list);
        if (s.status === 'missed') expect(f.timeMs).toBeGreaterThanOrEqual(s.dueMs);
      }
    }
    live.flush();
    const end = Math.max(...targets.stops.map((s) => s.windowEndMs), ...targets.segments.map((s) => s.deadlineMs));
    expect(byKey(live.evaluate(end))).toEqual(byKey(detectDay(targets, day.fixes, settings, undefined, roads())));
    expect(seen.get('collector-residual-1#1')).toEqual(['pending', 'done']);
  });

  it('a truck in a blind area is not called missed before its fixes arrive, unless silent past the grace; the late upload then judges it', () => {
    const live = new PlanActual(targets, settings, roads());
    const collector = day.fixes.get('collector-residual-1')!;
    const first = targets.stops.find((x) => x.key === 'collector-residual-1#1')!;
    // the collector has sent nothing since the morning (its terminal buffers); the others report as they go
    const soon = first.windowEndMs + 10 * 60_000;
    for (const [v, fixes] of day.fixes) if (v !== 'collector-residual-1') for (const f of fixes) if (f.timeMs <= soon) live.ingest(v, f);
    const mine = (rows: ReturnType<PlanActual['evaluate']>) => rows.filter((r) => r.kind === 'stop' && r.vehicleIds[0] === 'collector-residual-1');
    expect(mine(live.evaluate(soon)).filter((r) => r.dueMs <= soon).map((r) => r.status)).not.toContain('missed');
    expect(mine(live.evaluate(soon)).find((r) => r.key === first.key)!.status).toBe('pending');
    // silent for longer than the grace: the window's end is long past with no word from the truck
    const graceMs = settings.silentGraceMs!;
    expect(graceMs).toBe(defaultCityProfile().planning.actual.silentGraceMin * 60_000);
    expect(live.evaluate(first.windowEndMs + graceMs).find((r) => r.key === first.key)!.status).toBe('missed');
    // the blind area's batch arrives: the stop it served is done, the one it skipped is missed
    live.replay('collector-residual-1', [...collector]);
    const after = byKey(live.evaluate(collector.at(-1)!.timeMs));
    expect(after['collector-residual-1#1']).toBe('done');
    const skipped = targets.stops.find((x) => x.key === 'collector-residual-1#3')!;
    if (collector.at(-1)!.timeMs >= skipped.windowEndMs) expect(after['collector-residual-1#3']).toBe('missed');
  });

  it('a late batch (fixes older than the last judged) replayed in order gives the same day; duplicates change nothing', () => {
    const collector = day.fixes.get('collector-residual-1')!;
    const half = Math.floor(collector.length / 2);
    const live = new PlanActual(targets, settings, roads());
    for (const f of collector.slice(half)) live.ingest('collector-residual-1', f);
    // the first half arrives late: the vehicle's day is judged again from all its fixes, in order
    live.replay('collector-residual-1', [...collector]);
    for (const [v, fixes] of day.fixes) if (v !== 'collector-residual-1') for (const f of fixes) live.ingest(v, f);
    live.flush();
    const withDuplicates = new Map([...day.fixes].map(([v, f]) => [v, [...f, ...f.slice(0, 50)]]));
    const end = Math.max(...targets.stops.map((s) => s.windowEndMs));
    expect(byKey(live.evaluate(end + 86_400_000))).toEqual(byKey(detectDay(targets, day.fixes, settings, undefined, roads())));
    expect(byKey(detectDay(targets, withDuplicates, settings, undefined, roads()))).toEqual(byKey(detectDay(targets, day.fixes, settings, undefined, roads())));
  });

  it('streets are judged by the map-matched way between fixes: on eight more days of the small plan (seeds the bench never uses) every street is right', () => {
    const wrong: string[] = [];
    for (let seed = 31; seed <= 38; seed++) {
      const other = simulatePlanDay({ network: plan.network, problem: plan.problem, solution: plan.solution, mapping: plan.mapping, segmentGeometry: (id) => plan.roads.get(id) },
        { seed, skip: SKIP, delayShare: 0 });
      const judged = byKey(detectDay(targets, other.fixes, settings, undefined, roads()));
      for (const g of targets.segments) if (judged[g.key] !== other.truth.get(g.key)) wrong.push(`seed ${seed} ${g.key}: ${other.truth.get(g.key)} judged ${judged[g.key]}`);
    }
    expect(wrong).toEqual([]);
  });

  it('a sweeper that drives its streets without the brushes working sweeps nothing', () => {
    const idle = new Map([...day.fixes].map(([v, fixes]) => [v, fixes.map((f) => ({ ...f, working: false }))]));
    const rows = detectDay(targets, idle, settings, undefined, roads()).filter((r) => r.kind === 'segment');
    expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'missed'));
    // ... and so does one whose terminal does not report the gear at all
    const unknown = new Map([...day.fixes].map(([v, fixes]) => [v, fixes.map(({ working: _w, ...f }) => f)]));
    expect(detectDay(targets, unknown, settings, undefined, roads()).filter((r) => r.kind === 'segment' && r.status !== 'missed')).toEqual([]);
  });

  it('a spreader salting at 20 km/h works its streets; a sweeper at that speed is only driving', () => {
    const fast = new Map([...day.fixes].map(([v, fixes]) => [v, fixes.map((f) => (f.working ? { ...f, speedKmh: Math.max(f.speedKmh, 20) } : f))]));
    const swept = detectDay(targets, fast, settings, undefined, roads()).filter((r) => r.kind === 'segment');
    expect(swept.map((r) => r.status)).toEqual(swept.map(() => 'missed'));
    // the same streets as a spreader's salt spreading: its own working-speed limit (winter.spreadSpeedKmh)
    const salted: PlanTargets = { ...targets, segments: targets.segments.map((t) => ({ ...t, taskId: t.taskId.replace(/^[a-z]+:/, 'spread:') })) };
    const spread = detectDay(salted, fast, settings, undefined, roads()).filter((r) => r.kind === 'segment');
    expect(spread.filter((r) => r.status === 'done').length).toBeGreaterThanOrEqual(spread.length - 1);
  });
});

describe('plan against actual on hand-made days', () => {
  // metres east / north of a point in the demo city, as [lon, lat]
  const at = (eastM: number, northM: number) => ({ lon: 7.42 + eastM / 80_400, lat: 43.73 + northM / 111_195 });
  const T0 = Date.UTC(2026, 11, 1, 1, 0);
  const stop = (seq: number, eastM: number, serviceS = 90) => ({
    key: `v#${seq}`, vehicleId: 'v', seq, pointId: `p${seq}`, jobId: `p${seq}`, visit: 0, ...at(eastM, 0),
    windowStartMs: T0, windowEndMs: T0 + 3 * 3_600_000, plannedStartMs: T0 + seq * 600_000, serviceS,
  });
  /** fixes every 15 s with a few metres of error, standing at each place for its seconds, driving between */
  const drive = (legs: Array<{ eastM: number; standS: number }>) => {
    const fixes: Array<{ timeMs: number; lon: number; lat: number; speedKmh: number }> = [];
    let t = T0;
    let wobble = 0;
    for (const leg of legs) {
      for (let s = 0; s < leg.standS; s += 15, t += 15_000) {
        const e = ((wobble++ * 7919) % 9) - 4; // -4..4 m, deterministic
        fixes.push({ timeMs: t, ...at(leg.eastM + e, (wobble % 5) - 2), speedKmh: 0.5 });
      }
      for (let i = 0; i < 4; i++, t += 15_000) fixes.push({ timeMs: t, ...at(leg.eastM + 60 + i * 60, 0), speedKmh: 20 });
    }
    return fixes;
  };

  it('unloading at a facility 20 m from a point the truck skipped does not serve the point', () => {
    const targets: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [stop(1, 0), stop(2, 400)], segments: [], places: [{ vehicleId: 'v', ...at(420, 0) }] };
    const rows = detectDay(targets, new Map([['v', drive([{ eastM: 0, standS: 120 }, { eastM: 420, standS: 900 }])]]), settings);
    expect(byKey(rows)).toEqual({ 'v#1': 'done', 'v#2': 'missed' });
  });

  it('two points 6 m apart served one after the other both count; one skipped does not', () => {
    const both: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [stop(1, 0), stop(2, 6)], segments: [], places: [] };
    expect(byKey(detectDay(both, new Map([['v', drive([{ eastM: 0, standS: 90 }, { eastM: 6, standS: 90 }])]]), settings))).toEqual({ 'v#1': 'done', 'v#2': 'done' });
    expect(byKey(detectDay(both, new Map([['v', drive([{ eastM: 0, standS: 90 }])]]), settings))).toEqual({ 'v#1': 'done', 'v#2': 'missed' });
  });

  it('a truck that stays at a point with its cover shut after loading one bin has not served the skipped point beside it', () => {
    const pair: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [stop(1, 0), stop(2, 3)], segments: [], places: [] };
    // 105 s with the cover open at the second point, then a 15-minute wait there with it shut (a break)
    const fixes = drive([{ eastM: 3, standS: 1_000 }]).map((f) => ({ ...f, coverClosed: f.speedKmh > 1 || f.timeMs > T0 + 100_000 }));
    const judged = byKey(detectDay(pair, new Map([['v', fixes]]), settings));
    expect(Object.values(judged).sort()).toEqual(['done', 'missed']);
    // a terminal that does not report the cover: the long stay holds both services
    const unknown = fixes.map(({ coverClosed: _c, ...f }) => f);
    expect(byKey(detectDay(pair, new Map([['v', unknown]]), settings))).toEqual({ 'v#1': 'done', 'v#2': 'done' });
  });

  it('two bins at one place and a stay as long as one of them takes: the one whose service it fits is served', () => {
    const pair: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [stop(1, 0, 60), stop(2, 0, 150)], segments: [], places: [] };
    expect(byKey(detectDay(pair, new Map([['v', drive([{ eastM: 0, standS: 165 }])]]), settings))).toEqual({ 'v#1': 'missed', 'v#2': 'done' });
  });

  it('a truck that leaves a point and comes by it again has not stayed there all along (the skipped point beside it is missed)', () => {
    const pair: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [stop(1, 14, 60), stop(2, 0, 150)], segments: [], places: [] };
    const fixes = drive([{ eastM: 0, standS: 165 }]);
    const leave = fixes.findIndex((f) => f.speedKmh > 1);
    // out of the place 90 m away, then back past it 6 m from the skipped point, driving
    fixes.splice(leave, 2, { ...fixes[leave]!, ...at(90, 0), speedKmh: 25 }, { ...fixes[leave + 1]!, ...at(20, 0), speedKmh: 25 });
    expect(byKey(detectDay(pair, new Map([['v', fixes]]), settings))).toEqual({ 'v#1': 'missed', 'v#2': 'done' });
  });

  it('a truck held up for an hour with its cover shut at a point it drove past has not served it; without cover reports the stay counts', () => {
    const pair: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [stop(1, 0), stop(2, 400)], segments: [], places: [] };
    // 90 s with the cover open at the first point, then an hour at the second with it shut
    const fixes = drive([{ eastM: 0, standS: 90 }, { eastM: 400, standS: 3_600 }]).map((f) => ({ ...f, coverClosed: f.speedKmh > 1 || f.timeMs > T0 + 90_000 }));
    expect(byKey(detectDay(pair, new Map([['v', fixes]]), settings))).toEqual({ 'v#1': 'done', 'v#2': 'missed' });
    const unknown = fixes.map(({ coverClosed: _c, ...f }) => f);
    expect(byKey(detectDay(pair, new Map([['v', unknown]]), settings))).toEqual({ 'v#1': 'done', 'v#2': 'done' });
  });

  it('a point 22 m from a facility is served by a dwell whose fixes scatter 7-15 m off it, away from the facility', () => {
    const targets: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [stop(1, 0, 60)], segments: [], places: [{ vehicleId: 'v', ...at(22, 0) }] };
    const fix = (tS: number, eastM: number, northM: number, speedKmh: number, coverClosed: boolean) => ({ timeMs: T0 + tS * 1000, ...at(eastM, northM), speedKmh, coverClosed });
    const fixes = [fix(0, -300, 0, 30, true), fix(20, -100, 0, 30, true),
      fix(40, -14, 4, 0.4, false), fix(60, -6, 3, 0.3, false), fix(80, -12, -7, 0.5, false),
      fix(100, -100, 0, 30, true), fix(120, -300, 0, 30, true)];
    expect(byKey(detectDay(targets, new Map([['v', fixes]]), settings))).toEqual({ 'v#1': 'done' });
  });

  it('a sweeper working along its street that the map matcher puts on the road beside it has swept it; not when that road is one of its streets', () => {
    const street = (id: string, northM: number) => ({
      key: `segment:sweep:${id}`, taskId: `sweep:${id}`, segmentId: id, vehicleIds: ['v'], oneWay: false, lengthM: 100,
      geometry: [[at(0, northM).lon, at(0, northM).lat], [at(100, northM).lon, at(100, northM).lat]] as Array<[number, number]>,
      requiredPasses: 1, deadlineMs: T0 + 3 * 3_600_000, plannedStartMs: T0,
    });
    // working east along the street at 9 km/h, a fix every 10 s, 2 m off its line
    const fixes = Array.from({ length: 6 }, (_, i) => ({ timeMs: T0 + i * 10_000, ...at(-10 + i * 25, 2), speedKmh: 9, working: true }));
    // the matcher's way: on the road 10 m north of the street
    const beside = () => (trace: Array<{ lon: number; lat: number }>, index: number) => [trace[index]!, trace[index + 1]!].map((f) => [f.lon, f.lat + 8 / 111_195] as [number, number]);
    const one: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [], places: [], segments: [street('a', 0)] };
    expect(byKey(detectDay(one, new Map([['v', fixes]]), settings, undefined, beside))).toEqual({ 'segment:sweep:a': 'done' });
    const both: PlanTargets = { ...one, segments: [street('a', 0), street('b', 10)] };
    expect(byKey(detectDay(both, new Map([['v', fixes]]), settings, undefined, beside))).toEqual({ 'segment:sweep:a': 'missed', 'segment:sweep:b': 'done' });
  });

  it('a sweeper whose fixes run up a two-way street and, 26 s later, back down it has worked it to its end and back (two passes)', () => {
    const target: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [], places: [], segments: [{
      key: 'segment:sweep:s', taskId: 'sweep:s', segmentId: 's', vehicleIds: ['v'], oneWay: false, lengthM: 64,
      geometry: [[at(0, 0).lon, at(0, 0).lat], [at(64, 0).lon, at(64, 0).lat]], requiredPasses: 2, deadlineMs: T0 + 3 * 3_600_000, plannedStartMs: T0,
    }] };
    const fix = (tS: number, eastM: number, headingDeg: number, speedKmh = 9, working = true) => ({ timeMs: T0 + tS * 1000, ...at(eastM, 0), speedKmh, headingDeg, working });
    // east to 19 m, then (the turn at the far end unseen between fixes) west at 25 m and off the street's west end
    const fixes = [fix(0, 2, 90), fix(7, 19, 90), fix(33, 25, 270), fix(43, 0, 270), fix(47, -10, 270), fix(55, -80, 270, 35, false)];
    expect(byKey(detectDay(target, new Map([['v', fixes]]), settings))).toEqual({ 'segment:sweep:s': 'done' });
    // without courses nothing says it turned there
    expect(byKey(detectDay(target, new Map([['v', fixes.map(({ headingDeg: _h, ...f }) => f)]]), settings))).toEqual({ 'segment:sweep:s': 'missed' });
  });

  it('a sweeper that crawls over a street with the brushes up and switches them on at its end has not swept it (the terminal reports the switch at once)', () => {
    const street = (lengthM: number): PlanTargets => ({ planId: 'p', date: '2026-12-01', stops: [], places: [], segments: [{
      key: 'segment:sweep:s', taskId: 'sweep:s', segmentId: 's', vehicleIds: ['v'], oneWay: true, lengthM,
      geometry: [[at(0, 0).lon, at(0, 0).lat], [at(lengthM, 0).lon, at(lengthM, 0).lat]], requiredPasses: 1, deadlineMs: T0 + 3 * 3_600_000, plannedStartMs: T0,
    }] });
    const fix = (tS: number, eastM: number, speedKmh: number, working: boolean) => ({ timeMs: T0 + tS * 1000, ...at(eastM, 0), speedKmh, headingDeg: 90, working });
    // at 40 km/h 20 m before the street, over its 40 m at 15 km/h unseen, the gear on at its end (a fix at once), working on
    const fixes = [fix(0, -80, 40, false), fix(5, -20, 40, false), fix(17, 40, 9, true), fix(27, 65, 9, true), fix(37, 90, 9, true)];
    expect(byKey(detectDay(street(40), new Map([['v', fixes]]), settings))).toEqual({ 'segment:sweep:s': 'missed' });
    // terminals that report only every 10-30 s: the slow way to the working fix is taken for work, from the speeds
    expect(byKey(detectDay(street(40), new Map([['v', fixes]]), { ...settings, gearReportedAtOnce: false }))).toEqual({ 'segment:sweep:s': 'done' });
  });

  it('a sweeper that turns into a 30 m street 16 m along it has not swept it (under half of it)', () => {
    const target: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [], places: [], segments: [{
      key: 'segment:sweep:s', taskId: 'sweep:s', segmentId: 's', vehicleIds: ['v'], oneWay: true, lengthM: 30,
      geometry: [[at(0, 0).lon, at(0, 0).lat], [at(30, 0).lon, at(30, 0).lat]], requiredPasses: 1, deadlineMs: T0 + 3 * 3_600_000, plannedStartMs: T0,
    }] };
    const fix = (tS: number, eastM: number, northM: number) => ({ timeMs: T0 + tS * 1000, ...at(eastM, northM), speedKmh: 9, working: true });
    // south down a cross street at 16 m, then east along the street past its end
    const fixes = [fix(0, 16, 60), fix(10, 16, 35), fix(20, 16, 10), fix(25, 17, 0), fix(30, 29, 0), fix(40, 54, 0), fix(50, 79, 0)];
    expect(byKey(detectDay(target, new Map([['v', fixes]]), settings))).toEqual({ 'segment:sweep:s': 'missed' });
  });

  it('a street swept only part way is missed, with the share swept as its coverage evidence; swept to its end it is done', () => {
    const target: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [], places: [], segments: [{
      key: 'segment:sweep:s', taskId: 'sweep:s', segmentId: 's', vehicleIds: ['v'], oneWay: true, lengthM: 200,
      geometry: [[at(0, 0).lon, at(0, 0).lat], [at(200, 0).lon, at(200, 0).lat]], requiredPasses: 1, deadlineMs: T0 + 3 * 3_600_000, plannedStartMs: T0,
    }] };
    const fix = (tS: number, eastM: number, northM: number, working = true) => ({ timeMs: T0 + tS * 1000, ...at(eastM, northM), speedKmh: 9, headingDeg: 90, working });
    // east along it with the brushes on for 100 m (of 200), then off and away north up a cross street
    const half = [0, 20, 40, 60, 80, 100].map((m, i) => fix(i * 8, m, 0)).concat([fix(48, 100, 0, false), fix(58, 100, 25, false), fix(68, 100, 50, false)]);
    const [judged] = detectDay(target, new Map([['v', half]]), settings);
    expect(judged).toMatchObject({ status: 'missed', passes: 0, lengthM: 200 });
    expect(judged!.partialShare).toBeGreaterThanOrEqual(0.45);
    expect(judged!.partialShare).toBeLessThanOrEqual(0.6);
    const whole = Array.from({ length: 11 }, (_, i) => fix(i * 8, i * 20, 0)).concat([fix(88, 220, 0, false)]);
    const [done] = detectDay(target, new Map([['v', whole]]), settings);
    expect(done).toMatchObject({ status: 'done', passes: 1 });
    expect(done!.partialShare).toBeUndefined();
  });

  it('a sweeper that switches its gear off where a street begins has not swept it, though the matched way to that fix runs along it and back', () => {
    const target: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [], places: [], segments: [{
      key: 'segment:sweep:s', taskId: 'sweep:s', segmentId: 's', vehicleIds: ['v'], oneWay: true, lengthM: 40,
      geometry: [[at(0, 0).lon, at(0, 0).lat], [at(40, 0).lon, at(40, 0).lat]], requiredPasses: 1, deadlineMs: T0 + 3 * 3_600_000, plannedStartMs: T0,
    }] };
    const fix = (tS: number, eastM: number, speedKmh: number, working: boolean) => ({ timeMs: T0 + tS * 1000, ...at(eastM, 0), speedKmh, headingDeg: 90, working });
    // working up to the street's start, the gear off there, over the street with the brushes up
    const fixes = [fix(0, -50, 9, true), fix(10, -25, 9, true), fix(20, 2, 40, false), fix(24, 60, 40, false), fix(32, 150, 40, false)];
    // the matcher put the switch-off fix past the street's end, on a road back to it by a detour
    const line = (...points: Array<[number, number]>) => points.map(([e, n]) => [at(e, n).lon, at(e, n).lat] as [number, number]);
    const router = () => (trace: Array<{ lon: number; lat: number; timeMs: number }>, index: number) =>
      trace[index]!.timeMs === T0 + 10_000 ? line([-25, 0], [40, 0], [45, 8], [5, 8], [2, 0]) : [trace[index]!, trace[index + 1]!].map((f) => [f.lon, f.lat] as [number, number]);
    expect(byKey(detectDay(target, new Map([['v', fixes]]), settings, undefined, router))).toEqual({ 'segment:sweep:s': 'missed' });
  });

  it('a sweeper working once round a 30 m roundabout from its seam has made one pass, not two', () => {
    // required twice: one lap worked from its seam must count once
    const { R, point, target } = roundabout30m(at, T0, 2);
    // fixes round it at 9 km/h every 3 s (7.5 m, a quarter of it), from a quarter past the seam to a quarter past it again
    const angles = [0, 1, 2, 3, 4].map((k) => -Math.PI / 2 + ((k + 1) / 4) * 2 * Math.PI);
    const fixes = angles.map((a, k) => ({ timeMs: T0 + k * 3_000, ...point(a), speedKmh: 9, working: true }));
    fixes.push({ timeMs: T0 + 20_000, ...at(60, 0), speedKmh: 30, working: false });
    // the matched way: along the ring anticlockwise between the fixes' angles
    const arc = () => (trace: Array<{ lon: number; lat: number }>, index: number) => {
      const angle = (f: { lon: number; lat: number }) => Math.atan2((f.lat - 43.73) * 111_195, (f.lon - 7.42) * 80_400);
      const [from, to] = [angle(trace[index]!), angle(trace[index + 1]!)];
      if (Math.hypot((trace[index + 1]!.lon - 7.42) * 80_400, (trace[index + 1]!.lat - 43.73) * 111_195) > 2 * R) return null;
      const sweep = ((to - from) % (2 * Math.PI) + 2 * Math.PI) % (2 * Math.PI);
      return Array.from({ length: 9 }, (_, i) => { const p = point(from + (sweep * i) / 8); return [p.lon, p.lat] as [number, number]; });
    };
    const judged = detectDay(target, new Map([['v', fixes]]), settings, undefined, arc);
    expect(judged.map((r) => [r.status, r.passes])).toEqual([['missed', 1]]);
  });

  it('a sweeper that switches its gear on at a 30 m roundabout and off there a lap later has swept it, wherever the matcher put its fixes; half a lap is not a pass', () => {
    const { R, point, target } = roundabout30m(at, T0);
    const fix = (tS: number, eastM: number, northM: number, speedKmh: number, working: boolean) => ({ timeMs: T0 + tS * 1000, ...at(eastM, northM), speedKmh, working });
    // the matcher's ways: on the approach road 12 m south of the ring, never on it
    const south = () => (trace: Array<{ lon: number; lat: number }>, index: number) =>
      [trace[index]!, trace[index + 1]!].map((f) => [f.lon, 43.73 - 12 / 111_195] as [number, number]);
    const lap = (workS: number) => [fix(0, -80, -12, 30, false), fix(8, 0, -6, 9, true), fix(8 + workS / 2, 3, -11, 9, true), fix(8 + workS, -2, -7, 35, false), fix(14 + workS, 60, -12, 35, false)];
    // 12 s at 9 km/h: 30 m, a lap
    expect(byKey(detectDay(target, new Map([['v', lap(12)]]), settings, undefined, south))).toEqual({ 'segment:sweep:ring': 'done' });
    // 6 s: half a lap
    expect(byKey(detectDay(target, new Map([['v', lap(6)]]), settings, undefined, south))).toEqual({ 'segment:sweep:ring': 'missed' });
  });

  it('a sweeper working round a roundabout between two fixes at its entry has swept it; one driving through has not', () => {
    // a one-way roundabout of radius 8 m (50 m round), entered and left at its south point
    const ring = Array.from({ length: 25 }, (_, i) => { const a = -Math.PI / 2 + (i / 24) * 2 * Math.PI; const p = at(8 * Math.cos(a), 8 * Math.sin(a)); return [p.lon, p.lat] as [number, number]; });
    const target: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [], places: [], segments: [{
      key: 'segment:sweep:ring', taskId: 'sweep:ring', segmentId: 'ring', vehicleIds: ['v'], geometry: ring, lengthM: 50, oneWay: true,
      requiredPasses: 1, deadlineMs: T0 + 3 * 3_600_000, plannedStartMs: T0,
    }] };
    const fix = (tS: number, eastM: number, northM: number, speedKmh: number, working: boolean) => ({ timeMs: T0 + tS * 1000, ...at(eastM, northM), speedKmh, working });
    const round = [fix(0, -60, -8, 30, false), fix(7, -1, -8, 9, true), fix(27, 2, -8, 9, true), fix(34, 60, -8, 30, false)];
    expect(byKey(detectDay(target, new Map([['v', round]]), settings))).toEqual({ 'segment:sweep:ring': 'done' });
    // the fixes before and after the lap at one spot: moving, it went round (standing, it would have covered nothing)
    const sameSpot = [fix(0, -60, -8, 30, false), fix(7, -1, -8, 9, true), fix(27, -1, -8, 9, true), fix(34, 60, -8, 30, false)];
    expect(byKey(detectDay(target, new Map([['v', sameSpot]]), settings))).toEqual({ 'segment:sweep:ring': 'done' });
    const through = [fix(0, -60, -8, 30, false), fix(7, -1, -8, 9, true), fix(9, 2, -8, 9, true), fix(16, 60, -8, 30, false)];
    expect(byKey(detectDay(target, new Map([['v', through]]), settings))).toEqual({ 'segment:sweep:ring': 'missed' });
  });

  it('a sweeper working to the end of its street, whose way the matcher routes off it near the end, has swept it to that end; one turning off before has not', () => {
    const street: PlanTargets['segments'][number] = {
      key: 'segment:sweep:s', taskId: 'sweep:s', segmentId: 's', vehicleIds: ['v'], oneWay: true, lengthM: 120,
      geometry: [[at(0, 0).lon, at(0, 0).lat], [at(120, 0).lon, at(120, 0).lat]], requiredPasses: 1, deadlineMs: T0 + 3 * 3_600_000, plannedStartMs: T0,
    };
    const target: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [], places: [], segments: [street] };
    const fix = (tS: number, eastM: number, northM: number, speedKmh: number, working: boolean) => ({ timeMs: T0 + tS * 1000, ...at(eastM, northM), speedKmh, working });
    const working = [fix(0, 2, 1, 9, true), fix(10, 27, -1, 9, true), fix(20, 52, 1, 9, true)];
    // the matched way of the last step leaves the street 5 m on and goes round by a road 12 m south
    // (the matcher put the last fix past the junction, on a branch reached by a detour)
    const line = (...points: Array<[number, number]>) => points.map(([e, n]) => [at(e, n).lon, at(e, n).lat] as [number, number]);
    const toLast = (via: Array<[number, number]>) => () => (trace: Array<{ lon: number; lat: number }>, index: number) => {
      const [a, b] = [trace[index]!, trace[index + 1]!];
      return [[a.lon, a.lat] as [number, number], ...(index < 2 ? [] : line(...via)), [b.lon, b.lat] as [number, number]];
    };
    // working on to the end: the terminal's switch-off report there (driving on at 40 km/h)
    const toEnd = [...working, fix(48, 121, 2, 40, false)];
    expect(byKey(detectDay(target, new Map([['v', toEnd]]), settings, undefined, toLast([[57, 0], [60, -12], [110, -12]])))).toEqual({ 'segment:sweep:s': 'done' });
    // switched off where it turned south onto a cross street 60 m along: the rest is not swept
    const turnedOff = [...working, fix(40, 61, -40, 40, false)];
    expect(byKey(detectDay(target, new Map([['v', turnedOff]]), settings, undefined, toLast([[57, 0], [60, -12]])))).toEqual({ 'segment:sweep:s': 'missed' });
  });

  it('a working sweeper\'s fixes between its street and a road 10 m beside it, a little nearer that road, are matched on its street', () => {
    const { network, problem, mapping, street } = twinStreets(at, T0);
    // 6 m north of its street, 4 m south of the other: the fixes alone say the other road
    const fixes = Array.from({ length: 7 }, (_, i) => ({ timeMs: T0 + i * 10_000, ...at(20 + i * 25, 6), speedKmh: 9, working: true }));
    const northOf = (line: Array<[number, number]> | null) => (line ?? []).map(([, lat]) => Math.round((lat - 43.73) * 111_195));
    const planned = roadRouters(network, problem, mapping, 120, [street])('v')!;
    expect(new Set(northOf(planned(fixes, 3)))).toEqual(new Set([0]));
    // without the plan's streets the matcher goes by the fixes alone (the brushes up: the same)
    expect(new Set(northOf(roadRouters(network, problem, mapping, 120)('v')!(fixes, 3)))).toEqual(new Set([10]));
    expect(new Set(northOf(planned(fixes.map((f) => ({ ...f, working: false })), 3)))).toEqual(new Set([10]));
    // both roads this sweeper's streets: the one the plan has it work next wins
    const other: PlanTargets['segments'][number] = { ...street, key: 'segment:sweep:t', taskId: 'sweep:t', segmentId: 't',
      geometry: [[at(0, 10).lon, at(0, 10).lat], [at(200, 10).lon, at(200, 10).lat]] };
    const both = roadRouters(network, problem, mapping, 120, [street, other])('v')!;
    expect(new Set(northOf(both(fixes, 3)))).toEqual(new Set([10]));
    expect(new Set(northOf(both(fixes, 3, new Set(['segment:sweep:s']))))).toEqual(new Set([0]));
  });

  it('a sweeper whose way to its switch-off fix runs part way round a roundabout at its street\'s end, the fix by the seam, has not swept the roundabout', () => {
    // a one-way (anticlockwise) roundabout of radius 6 m centred 6 m north, its seam at its south point, where the street from the south ends
    const R = 6;
    const point = (a: number) => at(R * Math.cos(a), 6 + R * Math.sin(a));
    const ring = Array.from({ length: 25 }, (_, i) => { const p = point(-Math.PI / 2 + (i / 24) * 2 * Math.PI); return [p.lon, p.lat] as [number, number]; });
    const target: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [], places: [], segments: [{
      key: 'segment:sweep:ring', taskId: 'sweep:ring', segmentId: 'ring', vehicleIds: ['v'], geometry: ring, lengthM: 2 * Math.PI * R, oneWay: true,
      requiredPasses: 1, deadlineMs: T0 + 3 * 3_600_000, plannedStartMs: T0,
    }] };
    const fix = (tS: number, eastM: number, northM: number, speedKmh: number, working: boolean) => ({ timeMs: T0 + tS * 1000, ...at(eastM, northM), speedKmh, working });
    // working north up the street at 9 km/h; the gear off at its end (the fix 6 m off the seam), driving on
    const fixes = [fix(0, 0, -40, 9, true), fix(8, 0, -20, 9, true), fix(22, 3, 5, 30, false), fix(28, 60, 20, 30, false)];
    // the matched way to the switch-off fix: up the street and 16 m round the ring (under half of it)
    const router = () => (trace: Array<{ lon: number; lat: number; timeMs: number }>, index: number) => {
      if (trace[index]!.timeMs !== T0 + 8_000) return [trace[index]!, trace[index + 1]!].map((f) => [f.lon, f.lat] as [number, number]);
      const round = Array.from({ length: 8 }, (_, i) => { const p = point(-Math.PI / 2 + ((i / 7) * 16) / R); return [p.lon, p.lat] as [number, number]; });
      return [[at(0, -20).lon, at(0, -20).lat] as [number, number], ...round];
    };
    expect(byKey(detectDay(target, new Map([['v', fixes]]), settings, undefined, router))).toEqual({ 'segment:sweep:ring': 'missed' });
  });

  it('a sweeper that switches its gear on at a 30 m roundabout and off a lap later, that fix 13 m off the ring, has swept it', () => {
    const { R, point, target } = roundabout30m(at, T0);
    const fix = (tS: number, eastM: number, northM: number, speedKmh: number, working: boolean) => ({ timeMs: T0 + tS * 1000, ...at(eastM, northM), speedKmh, working });
    const south = () => (trace: Array<{ lon: number; lat: number }>, index: number) =>
      [trace[index]!, trace[index + 1]!].map((f) => [f.lon, 43.73 - 12 / 111_195] as [number, number]);
    // 12 s at 9 km/h between the switches (a lap); the switch-off fix 18 m south of the ring's middle
    const fixes = [fix(0, -80, -12, 30, false), fix(8, 0, -6, 9, true), fix(14, 3, -11, 9, true), fix(20, 2, -18, 35, false), fix(26, 60, -12, 35, false)];
    expect(byKey(detectDay(target, new Map([['v', fixes]]), settings, undefined, south))).toEqual({ 'segment:sweep:ring': 'done' });
  });

  it('a sweeper that switches its gear on at a roundabout\'s seam, works a lap and on down the street leaving it, has swept the roundabout once', () => {
    const { R, point, target } = roundabout30m(at, T0);
    const fix = (tS: number, eastM: number, northM: number, speedKmh: number, working: boolean) => ({ timeMs: T0 + tS * 1000, ...at(eastM, northM), speedKmh, working });
    // on at the seam; 22 s at 9 km/h to the next fix 25 m down the street south: a lap (30 m) and those 25 m
    const fixes = [fix(0, -60, -5, 30, false), fix(5, 0, -5, 9, true), fix(27, 0, -30, 9, true), fix(37, 0, -55, 9, true), fix(38, 0, -57, 30, false), fix(45, 0, -120, 30, false)];
    expect(detectDay(target, new Map([['v', fixes]]), settings).map((r) => [r.status, r.passes])).toEqual([['done', 1]]);
    // 10 s to that fix: no time for a lap
    const through = fixes.map((f, i) => (i >= 2 ? { ...f, timeMs: f.timeMs - 12_000 } : f));
    expect(detectDay(target, new Map([['v', through]]), settings).map((r) => [r.status, r.passes])).toEqual([['missed', 0]]);
  });

  it('where the terminals report a gear switch at once, the switch-off fix is matched on the street worked, not on the road beside it a little nearer the fix', () => {
    const { network, problem, mapping, street } = twinStreets(at, T0);
    // working from the west end; the gear off 60 m along (the fix 6 m north of the street, 4 m south of the other), driving on
    const fixes = [{ timeMs: T0, ...at(2, 1), speedKmh: 9, working: true }, { timeMs: T0 + 24_000, ...at(60, 6), speedKmh: 30, working: false },
      { timeMs: T0 + 28_000, ...at(93, 6), speedKmh: 30, working: false }, { timeMs: T0 + 32_000, ...at(126, 6), speedKmh: 30, working: false }];
    const northOf = (line: Array<[number, number]> | null) => (line ?? []).map(([, lat]) => Math.round((lat - 43.73) * 111_195));
    expect(northOf(roadRouters(network, problem, mapping, 120, [street], true)('v')!(fixes, 0)).at(-1)).toBe(0);
    // periodic fixes only: the gear went off anywhere between the two, and the fix is judged by position
    expect(northOf(roadRouters(network, problem, mapping, 120, [street], false)('v')!(fixes, 0)).at(-1)).toBe(10);
  });

  it('a sweeper working a street and the one back beside it between two fixes, which a short link joins, is given the way round its streets when the time says so', () => {
    // one-way streets: S1 east along y = 0 (40 m), S2 north then west back along y = 10 (50 m); a 10 m link from S1's start to S2's end
    const node = (id: number, eastM: number, northM: number) => [id, [at(eastM, northM).lon, at(eastM, northM).lat]] as [number, [number, number]];
    const oneWay = { highway: 'residential', oneway: 'yes' };
    const network = new RoadNetwork(buildGraph({
      nodes: new Map([node(1, -100, 0), node(2, 0, 0), node(3, 40, 0), node(4, 40, 10), node(5, 0, 10), node(6, -100, 10)]),
      ways: [
        { id: 11, tags: oneWay, nodeIds: [1, 2] }, { id: 12, tags: oneWay, nodeIds: [2, 3] }, { id: 13, tags: oneWay, nodeIds: [3, 4, 5] },
        { id: 14, tags: oneWay, nodeIds: [2, 5] }, { id: 15, tags: oneWay, nodeIds: [5, 6] }, { id: 16, tags: { highway: 'residential' }, nodeIds: [6, 1] },
      ],
    }, DEFAULT_NETWORK_PROFILE), DEFAULT_NETWORK_PROFILE);
    const problem = { vehicles: [{ id: 'v', profile: 'sw' }] } as unknown as ProblemInput;
    const mapping = { profiles: { sw: { networkKind: 'sweeper' } } } as unknown as PlanMapping;
    const street = (id: string, points: Array<[number, number]>, lengthM: number): PlanTargets['segments'][number] => ({
      key: `segment:sweep:${id}`, taskId: `sweep:${id}`, segmentId: id, vehicleIds: ['v'], oneWay: true, lengthM,
      geometry: points.map(([e, n]) => [at(e, n).lon, at(e, n).lat] as [number, number]), requiredPasses: 1, deadlineMs: T0 + 3 * 3_600_000, plannedStartMs: T0,
    });
    const streets = [street('s1', [[0, 0], [40, 0]], 40), street('s2', [[40, 0], [40, 10], [0, 10]], 50)];
    // working at 9 km/h: 2 m before S1, then 39 s later (97 m) 5 m past S2's end
    const fix = (tS: number, eastM: number, northM: number) => ({ timeMs: T0 + tS * 1000, ...at(eastM, northM), speedKmh: 9, headingDeg: northM > 0 ? 270 : 90, working: true });
    const fixes = [fix(-12, -30, 0), fix(0, -2, 0), fix(39, -5, 10), fix(51, -35, 10)];
    const eastOf = (line: Array<[number, number]> | null) => (line ?? []).map(([lon]) => Math.round((lon - 7.42) * 80_400));
    expect(Math.max(...eastOf(roadRouters(network, problem, mapping, 120, streets)('v')!(fixes, 1)))).toBe(40);
    // the gear off at the second fix (reported at once, driving on at 35 km/h): worked all the way to it, at the first fix's speed
    const offAt = fixes.map((f, i) => (i >= 2 ? { ...f, working: false, speedKmh: 35 } : f));
    expect(Math.max(...eastOf(roadRouters(network, problem, mapping, 120, streets, true)('v')!(offAt, 1)))).toBe(40);
    expect(Math.max(...eastOf(roadRouters(network, problem, mapping, 120, streets, false)('v')!(offAt, 1)))).toBeLessThan(5);
    // 7 s between them (17 m): the link
    const quick = [fix(-12, -30, 0), fix(0, -2, 0), fix(7, -5, 10), fix(19, -35, 10)];
    expect(Math.max(...eastOf(roadRouters(network, problem, mapping, 120, streets)('v')!(quick, 1)))).toBeLessThan(5);
  });

  it('one way along two streets 4 m apart worked the one the plan has the vehicle on next, not both', () => {
    const street = (id: string, northM: number, seq: number): PlanTargets['segments'][number] => ({
      key: `segment:sweep:${id}`, taskId: `sweep:${id}`, segmentId: id, vehicleIds: ['v'], oneWay: true, lengthM: 60,
      geometry: [[at(0, northM).lon, at(0, northM).lat], [at(60, northM).lon, at(60, northM).lat]],
      requiredPasses: 1, deadlineMs: T0 + 3 * 3_600_000, plannedStartMs: T0, visits: [{ vehicleId: 'v', seq }],
    });
    // b (4 m north of a) is the vehicle's first street; a comes tenth, after eight streets far away
    const far = Array.from({ length: 8 }, (_, i) => street(`f${i}`, 500 + i * 100, i + 2));
    const target: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [], places: [], segments: [street('a', 0, 10), street('b', 4, 1), ...far] };
    // working east between the two lines, a fix every 8 s at 9 km/h
    const fixes = Array.from({ length: 5 }, (_, i) => ({ timeMs: T0 + i * 8_000, ...at(-5 + i * 20, 2), speedKmh: 9, headingDeg: 90, working: true }));
    fixes.push({ timeMs: T0 + 44_000, ...at(120, 2), speedKmh: 35, headingDeg: 90, working: false });
    const judged = byKey(detectDay(target, new Map([['v', fixes]]), settings));
    expect([judged['segment:sweep:a'], judged['segment:sweep:b']]).toEqual(['missed', 'done']);
  });

  it('a sweeper that switches its gear on at a street\'s start (the fix 8 m off it), which the matcher puts 16 m along, has swept it from its start', () => {
    const target: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [], places: [], segments: [{
      key: 'segment:sweep:s', taskId: 'sweep:s', segmentId: 's', vehicleIds: ['v'], oneWay: true, lengthM: 30,
      geometry: [[at(0, 0).lon, at(0, 0).lat], [at(30, 0).lon, at(30, 0).lat]], requiredPasses: 1, deadlineMs: T0 + 3 * 3_600_000, plannedStartMs: T0,
    }] };
    const fix = (tS: number, eastM: number, northM: number, speedKmh: number, working: boolean) => ({ timeMs: T0 + tS * 1000, ...at(eastM, northM), speedKmh, headingDeg: 90, working });
    const fixes = [fix(0, -40, 0, 30, false), fix(2, 3, -8, 9, true), fix(10, 22, 0, 9, true), fix(13, 30, 1, 35, false), fix(19, 90, 0, 35, false)];
    // the matched places: on the street's line, the switch-on fix 16 m along it
    const matched = (f: { lon: number; lat: number; timeMs: number }): [number, number] => (f.timeMs === T0 + 2_000 ? [at(16, 0).lon, at(16, 0).lat] : [f.lon, 43.73]);
    const router = () => (trace: Array<{ lon: number; lat: number; timeMs: number }>, index: number) => [matched(trace[index]!), matched(trace[index + 1]!)];
    expect(byKey(detectDay(target, new Map([['v', fixes]]), settings, undefined, router))).toEqual({ 'segment:sweep:s': 'done' });
    // switched on 20 m short of the street (the matcher's place the same): not from its start
    const short = fixes.map((f, i) => (i === 1 ? { ...f, ...at(-20, -8) } : f));
    expect(byKey(detectDay(target, new Map([['v', short]]), settings, undefined, router))).toEqual({ 'segment:sweep:s': 'missed' });
  });

  it('a sweeper that switches its gear on near a 30 m street\'s start and off at its end 12 s later has swept it, though the matcher put both fixes at its end; not when the stretch ran beside it or lasted too long', () => {
    const target: PlanTargets = { planId: 'p', date: '2026-12-01', stops: [], places: [], segments: [{
      key: 'segment:sweep:s', taskId: 'sweep:s', segmentId: 's', vehicleIds: ['v'], oneWay: true, lengthM: 30,
      geometry: [[at(0, 0).lon, at(0, 0).lat], [at(30, 0).lon, at(30, 0).lat]], requiredPasses: 1, deadlineMs: T0 + 3 * 3_600_000, plannedStartMs: T0,
    }] };
    const fix = (tS: number, eastM: number, northM: number, speedKmh: number, working: boolean) => ({ timeMs: T0 + tS * 1000, ...at(eastM, northM), speedKmh, headingDeg: 90, working });
    // switched on 12 m from the start (the fix's error), off at the end: 12 s at 9 km/h is the street's 30 m
    const stretch = (workS: number, northM: number) => [fix(0, -40, northM, 30, false), fix(2, 10, northM - 6, 9, true), fix(2 + workS, 31, northM + 1, 35, false), fix(8 + workS, 90, northM, 35, false)];
    // the matcher put the switch-on fix at the street's end: the way between the switches is a point
    const router = () => (trace: Array<{ lon: number; lat: number; timeMs: number }>, index: number) =>
      [trace[index]!, trace[index + 1]!].map((f) => (f.timeMs === T0 + 2_000 ? [at(30, 0).lon, at(30, 0).lat] : [f.lon, f.lat]) as [number, number]);
    expect(byKey(detectDay(target, new Map([['v', stretch(12, 0)]]), settings, undefined, router))).toEqual({ 'segment:sweep:s': 'done' });
    // the same stretch on a road 25 m beside the street
    expect(byKey(detectDay(target, new Map([['v', stretch(12, 25)]]), settings, undefined, router))).toEqual({ 'segment:sweep:s': 'missed' });
    // the gear on for 30 s: 75 m worked, not this street's 30
    expect(byKey(detectDay(target, new Map([['v', stretch(30, 0)]]), settings, undefined, router))).toEqual({ 'segment:sweep:s': 'missed' });
  });

  it('the matcher is told the streets the plan has the vehicle work next, after the last pass seen', () => {
    const street = (id: string, northM: number, seq: number): PlanTargets['segments'][number] => ({
      key: `segment:sweep:${id}`, taskId: `sweep:${id}`, segmentId: id, vehicleIds: ['v'], oneWay: false, lengthM: 100,
      geometry: [[at(0, northM).lon, at(0, northM).lat], [at(100, northM).lon, at(100, northM).lat]],
      requiredPasses: 1, deadlineMs: T0 + 3 * 3_600_000, plannedStartMs: T0, visits: [{ vehicleId: 'v', seq }],
    });
    // plan order a (seq 1), b (2), ... g (7): a worked first, then the vehicle goes on
    const streets = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id, i) => street(id, i * 200, i + 1));
    const asked: Array<string[]> = [];
    const spy = () => (trace: Array<{ lon: number; lat: number }>, index: number, expected?: ReadonlySet<string>) => {
      asked.push([...(expected ?? [])].sort());
      return [trace[index]!, trace[index + 1]!].map((f) => [f.lon, f.lat] as [number, number]);
    };
    const fixes = Array.from({ length: 8 }, (_, i) => ({ timeMs: T0 + i * 10_000, ...at(-10 + i * 25, 0), speedKmh: 9, working: true }));
    fixes.push({ timeMs: T0 + 90_000, ...at(160, 100), speedKmh: 9, working: true }, { timeMs: T0 + 100_000, ...at(160, 120), speedKmh: 9, working: true });
    detectDay({ planId: 'p', date: '2026-12-01', stops: [], places: [], segments: streets }, new Map([['v', fixes]]), settings, undefined, spy);
    expect(asked[0]).toEqual(['segment:sweep:a', 'segment:sweep:b', 'segment:sweep:c', 'segment:sweep:d', 'segment:sweep:e']);
    expect(asked[asked.length - 1]).toEqual(['segment:sweep:b', 'segment:sweep:c', 'segment:sweep:d', 'segment:sweep:e', 'segment:sweep:f']);
  });
});

describe('the course the terminals report', () => {
  const at = (eastM: number, northM: number) => ({ lon: 7.42 + eastM / 80_400, lat: 43.73 + northM / 111_195 });
  const T0 = Date.UTC(2026, 11, 1, 1, 0);
  const node = (id: number, eastM: number, northM: number) => [id, [at(eastM, northM).lon, at(eastM, northM).lat]] as [number, [number, number]];
  // a main road east-west, a side street north from 100 m along it
  const network = new RoadNetwork(buildGraph({
    nodes: new Map([node(1, 0, 0), node(2, 100, 0), node(3, 200, 0), node(4, 100, 100)]),
    ways: [{ id: 11, tags: { highway: 'residential' }, nodeIds: [1, 2, 3] }, { id: 12, tags: { highway: 'residential' }, nodeIds: [2, 4] }],
  }, DEFAULT_NETWORK_PROFILE), DEFAULT_NETWORK_PROFILE);
  const problem = { vehicles: [{ id: 'v', profile: 'sw' }] } as unknown as ProblemInput;
  const mapping = { profiles: { sw: { networkKind: 'sweeper' } } } as unknown as PlanMapping;
  const northOf = (line: Array<[number, number]> | null) => (line ?? []).map(([, lat]) => Math.round((lat - 43.73) * 111_195));

  it('a fix near a junction, nearer the side street, is put on the road its course runs along', () => {
    // driving east at 30 km/h; the fix at the junction lies 6 m north of the main road and 3 m west of the side street
    const fixes = [{ timeMs: T0, ...at(70, 1), speedKmh: 30 }, { timeMs: T0 + 4_000, ...at(97, 6), speedKmh: 30 }, { timeMs: T0 + 10_000, ...at(150, -1), speedKmh: 30 }];
    const router = roadRouters(network, problem, mapping, 120)('v')!;
    // by position alone the fix is on the side street: the way there turns off the main road
    expect(Math.max(...northOf(router(fixes, 0)))).toBeGreaterThan(3);
    // its course (east, as JT/T 808 terminals report it) says the main road
    expect(new Set(northOf(router(fixes.map((f) => ({ ...f, headingDeg: 90 })), 0)))).toEqual(new Set([0]));
  });
});
