import { describe, expect, it } from 'vitest';
import { parseProblem, solve, validateSolution } from '../../solver/index.js';
import { generateCity, networkFromOsm } from '../../solver/network/index.js';
import { generatedCityDocument } from '../../src/demo/generated-city.js';
import { cityProfileSchema } from '../../src/domain/city-profile.js';
import {
  collectionPointSchema, constructionSiteSchema, depotSchema, facilitySchema, permitSchema, restrictedZoneSchema, roadSegmentSchema, vehicleSchema,
} from '../../src/domain/model.js';
import { buildProblem } from '../../src/planning/build-problem.js';
import { networkProfileFor } from '../../src/planning/network-profile.js';
import type { PlanningSnapshot } from '../../src/planning/snapshot.js';

/**
 * The generated city day (issue 12 item 10) is a city like any other: its records pass the
 * store's schemas, the planner builds its Problem from the generated road network with nothing
 * left out for want of a road, its muck loads drive along their permits' corridors, and a small
 * day plans with no rule broken.
 */
describe('the generated city day on a generated road network', { timeout: 300_000 }, () => {
  it('builds from the road network with every point, street and muck load reachable, and plans validly', async () => {
    const grid = { seed: 5, columns: 45, rows: 45 };
    const osm = generateCity(grid);
    const doc = generatedCityDocument(osm, { ...grid, tileJunctions: 30, points: 40, sweepSegments: 30, muckLoads: 20 });
    const withId = <T>(schema: { parse(x: unknown): T }, xs: Array<{ id: string }>) => xs.map((x) => ({ ...(schema.parse(x) as object), id: x.id })) as Array<T & { id: string }>;
    const snapshot: PlanningSnapshot = {
      date: '2026-12-01', district: null, profile: cityProfileSchema.parse(doc.profile),
      depots: withId(depotSchema, doc.depots), facilities: withId(facilitySchema, doc.facilities), vehicles: withId(vehicleSchema, doc.vehicles),
      collectionPoints: withId(collectionPointSchema, doc.collectionPoints), constructionSites: withId(constructionSiteSchema, doc.constructionSites),
      permits: withId(permitSchema, doc.permits), roadSegments: withId(roadSegmentSchema, doc.roadSegments), restrictedZones: withId(restrictedZoneSchema, doc.restrictedZones),
      reserved: { planIds: [], vehicleIds: [], facilityKg: {} },
    };
    expect(snapshot.vehicles).toHaveLength(80);
    const network = networkFromOsm(osm, networkProfileFor(snapshot.profile, snapshot.restrictedZones));
    const built = buildProblem(snapshot, network);
    const p = parseProblem(built.problem);

    // nothing is left out for want of a road, a drivable corridor or a way in
    expect(built.excluded.filter((x) => ['no_road', 'corridor_not_drivable', 'unreachable'].includes(x.reason))).toEqual([]);
    expect(p.jobs).toHaveLength(40);
    expect(p.muckLoads).toHaveLength(20);
    expect(new Set(p.sweepTasks.map((t) => built.mapping.sweepTasks[t.id]!.segmentId)).size).toBe(30);
    // the school zone closes the morning run to collectors: they get a matrix of their own
    expect(Object.keys(p.matrices).sort()).toEqual(['sweeper', 'truck', 'truck+z0']);
    // travel is the road network's, not a formula: a cell is the route's duration
    const [a, b] = [p.jobs[0]!.location, p.jobs[1]!.location];
    expect(p.matrices.truck!.durationsS[a]![b]).toBe(network.route(built.mapping.locations[a]!, built.mapping.locations[b]!, { vehicleKind: 'truck' })!.durationS);
    // a loaded muck trip follows its corridor along the arterials, never shorter than the open road
    for (const c of Object.values(built.mapping.corridors)) {
      expect(c.distanceM).toBeGreaterThan(0);
      expect(c.distanceM).toBeGreaterThanOrEqual(c.unrestricted!.distanceM);
    }

    const solution = await solve(built.problem, { seed: 1, maxIterations: 200 });
    expect(validateSolution(built.problem, solution).violations).toEqual([]);
    expect(solution.routes.length).toBeGreaterThan(0);
  });
});
