/**
 * One test per validator rule: a small city on a line (1 km, 100 s between neighbours), a plan
 * that serves all of it and passes, and for each rule id a change to the plan or to the problem
 * that breaks that rule and no other.
 */
import { describe, expect, it } from 'vitest';
import { rules, validateSolution, type ProblemInput, type Rule, type Solution, type Unserved } from '../../solver/index.js';
import { collector, lineProblem } from './helpers.js';
import { buildPlan, type PlanSpec } from './planBuilder.js';

const allDay = [{ startS: 0, endS: 86400 }];
const dayShift = { startS: 0, endS: 36000 };

function world(): ProblemInput {
  return lineProblem(10, {
    facilities: [
      { id: 'inc', location: 9, accepts: ['residual', 'recyclable', 'hazardous', 'sweepings'], windows: allDay, unloadS: 300, dailyCapacityKg: 5000 },
      { id: 'plant', location: 8, accepts: ['food'], windows: allDay, unloadS: 300 },
      { id: 'tip', location: 7, accepts: ['muck'], windows: allDay, unloadS: 300 },
      { id: 'hydrant', location: 1, accepts: ['water'], windows: allDay, unloadS: 120 },
    ],
    vehicles: [
      collector('c1', { break: { durationS: 1800, window: { startS: 3600, endS: 7200 } }, fixedCost: 100, costPerHour: 20 }),
      collector('c2', { classes: ['recyclable', 'residual'] }),
      collector('c3', { classes: ['recyclable'] }), // idle in the plan
      collector('f1', { classes: ['food'], sealed: true }),
      collector('h1', { classes: ['hazardous'], hazardousRated: true }),
      { id: 'm1', kind: 'muck', profile: 'truck', capacityKg: 20000, capacityM3: 20, sealed: true, shift: dayShift, startLocation: 0, endLocation: 0 },
      { id: 's1', kind: 'sweeper', profile: 'truck', capacityKg: 1000, capacityM3: 5, shift: dayShift, startLocation: 0, endLocation: 0 },
      { id: 'w1', kind: 'washer', profile: 'truck', capacityKg: 0, capacityM3: 5, shift: dayShift, startLocation: 0, endLocation: 0 },
    ],
    jobs: [
      { id: 'a', location: 2, wasteClass: 'residual', kg: 600, windows: [{ startS: 0, endS: 30000 }], serviceS: 60 },
      { id: 'b', location: 4, wasteClass: 'residual', kg: 300, windows: [{ startS: 0, endS: 30000 }], serviceS: 60 },
      { id: 'd', location: 3, wasteClass: 'residual', kg: 200, windows: [{ startS: 0, endS: 30000 }], serviceS: 60, visitsPerDay: 2, minGapS: 3600 },
      { id: 'r', location: 5, wasteClass: 'recyclable', kg: 100, windows: [{ startS: 0, endS: 30000 }], serviceS: 60 },
      { id: 'f', location: 6, wasteClass: 'food', kg: 300, windows: [{ startS: 1000, endS: 30000 }], serviceS: 60 },
      { id: 'z', location: 5, wasteClass: 'hazardous', kg: 50, windows: [{ startS: 0, endS: 30000 }], serviceS: 60 },
    ],
    muckLoads: [{ id: 'L1', siteLocation: 3, disposalFacilityId: 'tip', kg: 15000, m3: 10, loadS: 600,
      permit: { id: 'P1', window: { startS: 0, endS: 36000 }, vehicleIds: ['m1'], corridorDistanceM: 5000, corridorDurationS: 500 } }],
    sweepTasks: [
      { id: 'S1', fromLocation: 2, toLocation: 3, lengthM: 1000, oneWay: true, deadlineS: 36000, vehicleKind: 'sweeper', kg: 100 },
      { id: 'W1', fromLocation: 4, toLocation: 5, lengthM: 1000, deadlineS: 36000, vehicleKind: 'washer', m3: 2 },
    ],
  });
}

/** Everything served: c1 makes two trips around its break, each point of d twice, 3,600 s apart. */
function goodPlan(): PlanSpec {
  return {
    routes: [
      { vehicleId: 'c1', steps: ['a', { id: 'd', visit: 0 }, 'inc', 'break', 'b', { id: 'd', visit: 1 }, 'inc'] },
      { vehicleId: 'c2', steps: ['r', 'inc'] },
      { vehicleId: 'f1', steps: ['f', 'plant'] },
      { vehicleId: 'h1', steps: ['z', 'inc'] },
      { vehicleId: 'm1', steps: ['L1'] },
      { vehicleId: 's1', steps: ['S1', 'inc'] },
      { vehicleId: 'w1', steps: ['W1'] },
    ],
    unserved: [],
  };
}

type Problem = ReturnType<typeof world> & Required<Pick<ProblemInput, 'jobs' | 'facilities' | 'muckLoads' | 'sweepTasks'>>;

interface Case {
  rule: Rule;
  what: string;
  /** change the problem (the plan stays the good one unless `plan` / `solution` change it too) */
  problem?: (p: Problem) => void;
  /** change the plan before it is built (its stated figures follow) */
  plan?: (s: PlanSpec) => void;
  /** change the built solution (stated figures no longer follow) */
  solution?: (sol: Solution) => void;
}

const route = (s: PlanSpec, vehicleId: string) => s.routes.find((r) => r.vehicleId === vehicleId)!;
const solRoute = (sol: Solution, vehicleId: string) => sol.routes.find((r) => r.vehicleId === vehicleId)!;
const vehicle = (p: Problem, id: string) => p.vehicles.find((v) => v.id === id)!;
const byId = <T extends { id: string }>(xs: T[], id: string) => xs.find((x) => x.id === id)!;

const cases: Case[] = [
  { rule: 'schema', what: 'a route distance that is NaN', solution: (sol) => { sol.routes[0].distanceM = NaN; } },
  { rule: 'schema', what: 'a stop type the schema does not know', solution: (sol) => { (sol.routes[1].stops[1] as { type: string }).type = 'teleport'; } },
  { rule: 'unknown_id', what: 'an unserved entry for a point the problem does not have', plan: (s) => { s.unserved.push({ id: 'ghost', reason: 'capacity', detail: 'too heavy' }); } },
  { rule: 'unknown_id', what: 'an unserved entry for a visit the point does not have', plan: (s) => { s.unserved.push({ id: 'a', visit: 3, reason: 'time_window', detail: 'late' }); } },
  { rule: 'unknown_id', what: 'a stop for a point the problem does not have (at the previous stop, no time)', solution: (sol) => {
    const stops = solRoute(sol, 'c2').stops;
    stops.splice(2, 0, { ...stops[1], type: 'job', id: 'ghost', arrivalS: stops[1].departureS, startS: stops[1].departureS });
  } },
  { rule: 'unknown_id', what: 'a route for a vehicle the problem does not have', solution: (sol) => {
    const r = solRoute(sol, 'w1');
    // an empty route adds nothing to the stated totals, which count the known vehicles
    sol.routes.push({ ...r, vehicleId: 'ghost', stops: [r.stops[0], { ...r.stops[0], type: 'end' }] });
  } },
  { rule: 'duplicate', what: 'a served point also listed unserved', plan: (s) => { s.unserved.push({ id: 'b', reason: 'capacity', detail: 'too heavy' }); } },
  { rule: 'duplicate', what: 'a vehicle with two routes', plan: (s) => { s.routes.push({ vehicleId: 'w1', steps: [] }); } },
  { rule: 'duplicate', what: 'a segment swept twice for one pass', plan: (s) => { route(s, 's1').steps = ['S1', 'S1', 'inc']; } },
  { rule: 'duplicate', what: 'a task listed unserved twice', plan: (s) => {
    route(s, 'w1').steps = [];
    s.unserved.push({ id: 'W1', reason: 'time_window', detail: 'late' }, { id: 'W1', reason: 'time_window', detail: 'late' });
  } },
  { rule: 'depot', what: 'a route ending away from its depot', plan: (s) => { route(s, 'w1').endAt = 1; } },
  { rule: 'shift', what: 'leaving before the shift starts', plan: (s) => { route(s, 'w1').departS = -100; } },
  { rule: 'travel_time', what: 'arriving 50 s sooner than the road allows', solution: (sol) => { solRoute(sol, 'c2').stops[1].arrivalS -= 50; } },
  { rule: 'time_window', what: 'food collected before its window opens', plan: (s) => { route(s, 'f1').steps = [{ id: 'f', at: 0 }, 'plant']; } },
  { rule: 'break', what: 'a break started after its window', plan: (s) => { route(s, 'c1').steps[3] = { id: 'break', at: 8000 }; } },
  { rule: 'break', what: 'no break at all', plan: (s) => { route(s, 'c1').steps = ['a', { id: 'd', visit: 0 }, 'inc', 'b', { id: 'd', visit: 1, at: 4000 }, 'inc']; } },
  { rule: 'capacity', what: 'a truck too small for its first trip', problem: (p) => { vehicle(p, 'c1').capacityKg = 650; } },
  { rule: 'unload_before_return', what: 'hazardous waste taken back to the depot', plan: (s) => { route(s, 'h1').steps = ['z']; } },
  { rule: 'mixed_classes', what: 'recyclables and residual waste on one route', plan: (s) => {
    route(s, 'c1').steps = ['a', { id: 'd', visit: 0 }, 'inc', 'break', { id: 'd', visit: 1 }, 'inc'];
    route(s, 'c2').steps = ['r', 'b', 'inc'];
  } },
  { rule: 'vehicle_class', what: 'recyclables on a collector for residual waste only', problem: (p) => { vehicle(p, 'c2').classes = ['residual']; } },
  { rule: 'facility_accepts', what: 'hazardous waste unloaded at the food plant', plan: (s) => { route(s, 'h1').steps = ['z', 'plant']; } },
  { rule: 'facility_hours', what: 'unloading at the food plant before it opens', problem: (p) => { byId(p.facilities, 'plant').windows = [{ startS: 20000, endS: 30000 }]; } },
  { rule: 'facility_hours', what: 'a muck load tipped before the disposal site opens', problem: (p) => { byId(p.facilities, 'tip').windows = [{ startS: 20000, endS: 30000 }]; } },
  { rule: 'facility_capacity', what: 'the incinerator receiving more than it has left today', problem: (p) => { byId(p.facilities, 'inc').dailyCapacityKg = 500; } },
  { rule: 'sealed', what: 'food on a truck whose cover sensor is faulty', problem: (p) => { vehicle(p, 'f1').coverSensorOk = false; } },
  { rule: 'sealed', what: 'muck on a truck that is not sealed', problem: (p) => { vehicle(p, 'm1').sealed = false; } },
  { rule: 'hazardous', what: 'hazardous waste on a truck that is not rated for it', problem: (p) => { vehicle(p, 'h1').hazardousRated = false; } },
  { rule: 'permit_vehicle', what: 'a muck load carried by a truck not on its permit', problem: (p) => { byId(p.muckLoads, 'L1').permit.vehicleIds = ['m9']; } },
  { rule: 'permit_hours', what: 'a muck trip that ends after the permit window', problem: (p) => { byId(p.muckLoads, 'L1').permit.window = { startS: 0, endS: 1000 }; } },
  { rule: 'permit_corridor', what: 'a loaded leg that ends away from the disposal site', solution: (sol) => { solRoute(sol, 'm1').stops[1].endLocation = 6; } },
  { rule: 'sweep_direction', what: 'a one-way segment swept against its direction', plan: (s) => { route(s, 's1').steps = [{ id: 'S1', reverse: true }, 'inc']; } },
  { rule: 'sweep_deadline', what: 'a pass that ends after the segment\'s deadline', problem: (p) => { byId(p.sweepTasks, 'S1').deadlineS = 500; } },
  { rule: 'sweep_kind', what: 'a waterer\'s segment washed by a washer', problem: (p) => { byId(p.sweepTasks, 'W1').vehicleKind = 'waterer'; } },
  { rule: 'coverage', what: 'a point dropped from its route and not listed unserved', plan: (s) => { route(s, 'c2').steps = []; } },
  { rule: 'visit_gap', what: 'the two visits of d one after the other', plan: (s) => {
    route(s, 'c1').steps = ['a', { id: 'd', visit: 0 }, { id: 'd', visit: 1 }, 'inc', 'break', 'b', 'inc'];
  } },
  { rule: 'cost', what: 'a route stating 500 m less than it drives', solution: (sol) => { sol.routes[0].distanceM -= 500; } },
  { rule: 'cost', what: 'a route stating a cost 1 below the recomputed one', solution: (sol) => { sol.routes[0].cost -= 1; } },
  { rule: 'cost', what: 'a route stating 60 s less than it takes', solution: (sol) => { sol.routes[0].durationS -= 60; } },
  { rule: 'load', what: 'a stop stating an empty body after collecting 600 kg', solution: (sol) => { solRoute(sol, 'c1').stops[1].loadKg = 0; } },
  { rule: 'load', what: 'a washer stating no water used after a pass', solution: (sol) => { solRoute(sol, 'w1').stops[1].loadM3 = 0; } },
  { rule: 'carries', what: 'a recyclables route stating it carries residual waste', solution: (sol) => { solRoute(sol, 'c2').carries = 'residual'; } },
  { rule: 'totals', what: 'a total cost 10 above the sum of the routes', solution: (sol) => { sol.cost.total += 10; } },
  { rule: 'totals', what: 'one vehicle fewer than routes', solution: (sol) => { sol.cost.vehicles -= 1; } },
  { rule: 'totals', what: 'a fixed cost that is not the vehicles\'', solution: (sol) => { sol.cost.fixed = 0; } },
  { rule: 'unserved_reason', what: 'an unserved entry with a reason the schema does not know', plan: (s) => {
    route(s, 'h1').steps = [];
    s.unserved.push({ id: 'z', reason: 'lost' as Unserved['reason'], detail: 'nobody went' }); // as a file from outside could say
  } },
  { rule: 'unserved_reason', what: 'an unserved entry without a detail', plan: (s) => {
    route(s, 'h1').steps = [];
    s.unserved.push({ id: 'z', reason: 'fleet_exhausted', detail: ' ' });
  } },
  { rule: 'unserved_servable', what: 'recyclables left out while c3 stands idle', plan: (s) => {
    route(s, 'c2').steps = [];
    s.unserved.push({ id: 'r', reason: 'fleet_exhausted', detail: 'no vehicle left' });
  } },
];

function check(c: Case) {
  const p = world() as Problem;
  const spec = goodPlan();
  c.plan?.(spec);
  const sol = buildPlan(world(), spec); // planned on the unchanged problem
  c.solution?.(sol);
  c.problem?.(p);
  return validateSolution(p, sol);
}

describe('the validator, one rule at a time', () => {
  it('passes the plan that serves the whole little city', () => {
    const sol = buildPlan(world(), goodPlan());
    const report = validateSolution(world(), sol);
    expect(report.violations).toEqual([]);
    expect(report).toMatchObject({ valid: true, complete: true, unservedCount: 0 });
    expect(report.recomputed).toMatchObject({ vehicles: 7, required: 10, served: 10 });
    expect(report.recomputed.distanceM).toBeCloseTo(sol.cost.distanceM, 9);
    expect(report.recomputed.cost).toBeCloseTo(sol.cost.total, 9);
  });

  it('has a case for every rule id it reports', () => {
    expect(new Set(cases.map((c) => c.rule))).toEqual(new Set(rules));
  });

  it.each(cases.map((c) => [c.rule, c.what, c] as const))('%s: %s', (rule, _what, c) => {
    const report = check(c);
    expect(report.valid).toBe(false);
    expect([...new Set(report.violations.map((v) => v.rule))]).toEqual([rule]);
  });
});
