import type { Queryable } from '../../src/store/db.js';

/**
 * A stored draft plan for the small city (city-fixture.ts) without running the solver: two
 * routes (col-1: depot → collect cp-1 → sweep seg-1 (pass 1 of 2) → unload at inc-1 → break →
 * depot; col-2: depot → unload → depot), with the Problem, mapping and GeoJSON a solved plan
 * stores. Times are solver seconds of the local day (Asia/Shanghai): the first route leaves at
 * 04:00 (14,400 s), or at `startS` with every time of the plan moved alike.
 */
export async function insertRoutePlan(db: Queryable, opts: { id: string; date: string; district?: string | null; vehicles?: string[]; startS?: number }): Promise<string> {
  const vehicles = opts.vehicles ?? ['col-1', 'col-2'];
  const d = Math.round((opts.startS ?? 14_400) - 14_400);
  const locations = [
    { lon: 7.42, lat: 43.735, refs: ['depot-a'] },
    { lon: 7.421, lat: 43.736, refs: ['cp-1'] },
    { lon: 7.41, lat: 43.73, refs: ['inc-1'] },
  ];
  const shift = { startS: 14_400 + d, endS: 43_200 + d };
  const problem = {
    name: 'fixture',
    facilities: [{ id: 'inc-1', location: 2, accepts: ['residual', 'sweepings'], windows: [{ startS: 0, endS: 86_400 }], unloadS: 900 }],
    vehicles: vehicles.map((id) => ({
      id, kind: 'collector', profile: 'truck', classes: ['residual'], capacityKg: 8000, capacityM3: 18, shift,
      break: { durationS: 1800, window: { startS: 37_800 + d, endS: 46_800 + d } }, startLocation: 0, endLocation: 0,
    })),
    jobs: [{ id: 'cp-1', location: 1, wasteClass: 'residual', kg: 300, m3: 1, windows: [{ startS: 14_400 + d, endS: 25_200 + d }], serviceS: 120 }],
    sweepTasks: [{ id: 'seg-1:sweep', fromLocation: 0, toLocation: 1, lengthM: 140, passes: 3, mechanicalPasses: 2, deadlineS: 25_200 + d, earliestS: 0 }],
  };
  const stop = (type: string, location: number, arrivalS: number, startS: number, departureS: number, loadKg: number, extra: Record<string, unknown> = {}) =>
    ({ type, location, arrivalS: arrivalS + d, startS: startS + d, departureS: departureS + d, loadKg, loadM3: 0, ...extra });
  const routes = vehicles.map((vehicleId, i) => i === 0 ? {
    vehicleId, carries: 'residual', distanceM: 5200, durationS: 25_000, cost: 1,
    stops: [
      stop('start', 0, 14_400, 14_400, 14_400, 0),
      stop('job', 1, 14_700, 14_700, 14_820, 300, { id: 'cp-1' }),
      stop('sweep', 0, 15_000, 15_000, 15_100, 310, { id: 'seg-1:sweep', visit: 0, endLocation: 1 }),
      stop('facility', 2, 16_000, 16_000, 16_900, 0, { id: 'inc-1' }),
      stop('break', 2, 38_000, 38_000, 39_800, 0),
      stop('end', 0, 40_400, 40_400, 40_400, 0),
    ],
  } : {
    vehicleId, carries: 'residual', distanceM: 2400, durationS: 3600, cost: 1,
    stops: [stop('start', 0, 14_400, 14_400, 14_400, 0), stop('facility', 2, 15_000, 15_000, 15_900, 0, { id: 'inc-1' }), stop('end', 0, 16_800, 16_800, 16_800, 0)],
  });
  const solution = { problem: 'fixture', routes, unserved: [], cost: { vehicles: routes.length, distanceM: 7600, durationS: 28_600, fixed: 0, total: 2 }, stats: { iterations: 1, seed: 1 } };
  const mapping = {
    date: opts.date, district: opts.district ?? null, timeZone: 'Asia/Shanghai', midnightMs: 0, locations, profiles: {},
    jobs: { 'cp-1': { pointId: 'cp-1' } }, sweepTasks: { 'seg-1:sweep': { segmentId: 'seg-1', work: 'sweep' } }, muckLoads: {}, corridors: {}, directHaul: [],
  };
  const features: unknown[] = [];
  for (const r of routes) {
    features.push({
      type: 'Feature', geometry: { type: 'LineString', coordinates: r.stops.map((s) => [locations[s.location]!.lon, locations[s.location]!.lat]) },
      properties: { kind: 'route', vehicleId: r.vehicleId, carries: r.carries, distanceM: r.distanceM, durationS: r.durationS, stops: r.stops.length },
    });
    r.stops.forEach((s, seq) => features.push({
      type: 'Feature', geometry: { type: 'Point', coordinates: [locations[s.location]!.lon, locations[s.location]!.lat] },
      properties: { kind: 'stop', vehicleId: r.vehicleId, seq, type: s.type, task: `${s.type} ${(s as { id?: string }).id ?? ''}`.trim() },
    }));
  }
  const figures = { vehicles: routes.length, distanceM: 7600, durationS: 28_600, cost: 2, iterations: 1, seed: 1, served: 2, unserved: 0, unservedByReason: {}, notRoutedByReason: {}, violations: 0, facilityKg: { 'inc-1': 310 }, timingsMs: {} };
  const districtKey = opts.district ?? '';
  await db.query(
    `insert into plans (id, plan_date, district, district_key, version, status, options, problem, mapping, solution, figures, validation, unserved, geometry, created_by, solved_at)
     values ($1, $2, $3, $4, (select coalesce(max(version), 0) + 1 from plans where plan_date = $2 and district_key = $4), 'draft', '{}', $5::jsonb, $6::jsonb, $7::jsonb, $8::jsonb, $9::jsonb, '[]', $10::jsonb, 'test', now())`,
    [opts.id, opts.date, opts.district ?? null, districtKey, JSON.stringify(problem), JSON.stringify(mapping), JSON.stringify(solution), JSON.stringify(figures),
      JSON.stringify({ valid: true, violations: [] }), JSON.stringify({ type: 'FeatureCollection', features })],
  );
  return opts.id;
}
