import { solve, type ProblemInput, type Solution } from '../../solver/index.js';
import type { RoadNetwork } from '../../solver/network/index.js';
import { buildProblem, type PlanMapping } from '../../src/planning/build-problem.js';
import type { PlanningSnapshot } from '../../src/planning/snapshot.js';
import type { Queryable } from '../../src/store/db.js';
import { loadTerminalProfilesFile } from '../../src/config.js';
import { DEMO_TERMINAL_PROFILES } from '../../src/demo/demo-files.js';
import { Fleet, simClock, type FleetVehicle } from '../../simulations/fleet/fleet.js';
import { demoSnapshot, networkFor } from './planning.js';
import type { TestService } from './service.js';

/** A small plan of the demo city: eight residual points of Fontvieille, five main streets, one collector and one sweeper. */
export interface SmallPlan {
  city: PlanningSnapshot;
  network: RoadNetwork;
  problem: ProblemInput;
  solution: Solution;
  mapping: PlanMapping;
  roads: Map<string, Array<[number, number]>>;
}

const cached = new Map<string, Promise<SmallPlan>>();

/** The same plan for any local date (the solver counts from the date's midnight). */
export function smallPlan(date = '2026-12-01'): Promise<SmallPlan> {
  if (!cached.has(date)) cached.set(date, (async () => {
    const full = await demoSnapshot({ date });
    const city: PlanningSnapshot = {
      ...full,
      collectionPoints: full.collectionPoints.filter((p) => p.district === 'Fontvieille' && p.wasteClass === 'residual').slice(0, 8)
        .map((p) => ({ ...p, visitsPerDay: 1, minGapS: 0 })),
      vehicles: full.vehicles.filter((v) => v.id === 'collector-residual-1' || v.id === full.vehicles.find((s) => s.kind === 'sweeper' && s.district === 'Fontvieille')!.id),
      roadSegments: full.roadSegments.filter((r) => r.district === 'Fontvieille' && r.grade === 1).slice(0, 5),
      permits: [], constructionSites: [],
    };
    const network = await networkFor(city);
    const built = buildProblem(city, network);
    const solution = await solve(built.problem, { seed: 1, maxIterations: 100 });
    const roads = new Map(city.roadSegments.map((r) => [r.id, r.geometry.coordinates as Array<[number, number]>]));
    return { city, network, problem: built.problem, solution, mapping: built.mapping, roads };
  })());
  return cached.get(date)!;
}

/**
 * Stores a small plan as a published plan of `date` for Fontvieille (or the whole city with
 * `district: null`), as the plan store keeps one: the Problem without its matrices.
 */
export async function insertPublishedPlan(db: Queryable, planId: string, date: string, plan: Pick<SmallPlan, 'problem' | 'solution' | 'mapping'>, district: string | null = 'Fontvieille'): Promise<void> {
  const { matrices: _m, ...problem } = plan.problem;
  await db.query(
    `insert into plans (id, plan_date, district, district_key, version, status, problem, solution, mapping)
     values ($1, $2, $3, $4, 1, 'published', $5::jsonb, $6::jsonb, $7::jsonb)`,
    [planId, date, district, district ?? '', JSON.stringify(problem), JSON.stringify(plan.solution), JSON.stringify(plan.mapping)],
  );
}

/** The stored vehicles as the fleet simulator pairs them with tracks (terminal, model, capacity). */
export async function storedDevices(db: Queryable): Promise<Array<{ id: string; terminalId?: string; terminalModel?: string; capacityKg?: number }>> {
  return (await db.query<{ id: string; doc: any }>('select id, doc from vehicles')).rows
    .map((r) => ({ id: r.id, terminalId: r.doc.terminalId, terminalModel: r.doc.terminalModel, capacityKg: r.doc.capacityKg }));
}

/**
 * The simulated vehicles driven by the fleet simulator over JT/T 808 into the service at 5,000 times
 * real time, every vehicle through a blind area (part of the day arrives late, as 0x0704 batches).
 * `useClock` gets the simulated clock before the first frame (the test's plan-against-actual judge
 * runs on it). Resolves once every frame is stored and judged, with whether every frame was answered.
 */
export async function driveOverJt808(svc: TestService, vehicles: FleetVehicle[], useClock: (clock: { nowMs: () => number }) => void): Promise<{ fleet: Fleet; drained: boolean }> {
  const firstMs = Math.min(...vehicles.map((v) => v.fixes[0]!.timeMs));
  const clock = simClock(firstMs - 60_000, 5000);
  useClock(clock);
  await svc.actual.planChanged(); // as publishing does: the plan is being driven
  const fleet = new Fleet({
    vehicles, target: { jt808Port: svc.jt808Port }, clock, terminalProfiles: loadTerminalProfilesFile(DEMO_TERMINAL_PROFILES),
    tickMs: 20, seed: 1, blindShare: 1,
  }).start();
  await fleet.done;
  const drained = await fleet.drain();
  await svc.tracking.writer.drain();
  await svc.actual.idle();
  return { fleet, drained };
}
