/**
 * The solver's data contract: Problem in, Solution out (JSON).
 *
 * Time: every `...S` time value is seconds from the plan day's local midnight (00:00 of the
 * day the plan is for, in the city's time zone). Night shifts simply run past 86,400
 * (e.g. 22:00-06:00 is 79,200-108,000). The service converts to/from UTC epoch ms.
 * Time windows constrain the START of service at a stop (arrival earlier means waiting).
 *
 * Locations are indices into the matrices. `matrices[profile]` holds one travel-time and
 * one distance matrix per vehicle profile (e.g. "truck", "sweeper"), row = from, col = to.
 *
 * Classes (`wasteClass`, facility `accepts`): "food", "residual", "recyclable",
 * "hazardous" for collection; "muck" for construction waste; "sweepings" (hopper) and
 * "water" (tank refill) for sweepers and washers, "deicer" (salt/grit refill) for spreaders.
 * Any other string is treated as a class.
 * A class that no facility accepts is carried back to the vehicle's end depot (classic VRP).
 */
import { z } from 'zod';

const windowSchema = z.object({ startS: z.number(), endS: z.number() }).refine((w) => w.endS >= w.startS, {
  message: 'window endS must be >= startS',
});
export type TimeWindow = z.infer<typeof windowSchema>;

export const vehicleKinds = ['collector', 'muck', 'sweeper', 'washer', 'waterer', 'spreader'] as const;
export type VehicleKind = (typeof vehicleKinds)[number];

/** Kinds that work road segments (sweep tasks). */
export const streetKinds = ['sweeper', 'washer', 'waterer', 'spreader'] as const;
export type StreetKind = (typeof streetKinds)[number];

/**
 * What a street vehicle's route carries. A sweeper's hopper fills and is unloaded at a facility
 * that accepts "sweepings"; the others use up a consumable (the task's kg/m3 is what the pass
 * uses) and refill it at a facility that accepts it. Both are the same capacity/IF machinery;
 * only a consumable needs no trip to a facility before the route ends.
 */
export function streetCarries(kind: StreetKind): string {
  return kind === 'sweeper' ? 'sweepings' : kind === 'spreader' ? 'deicer' : 'water';
}

const consumables: ReadonlySet<string> = new Set(['water', 'deicer']);
/** true for a class that is refilled at a facility (used up on the road), not unloaded there */
export function isConsumable(cls: string): boolean {
  return consumables.has(cls);
}

// City matrices have millions of cells: check them with one plain loop, not per-cell schemas.
const numberGrid = z.custom<number[][]>((x) => Array.isArray(x) && x.every((row) => Array.isArray(row) &&
  row.every((c) => typeof c === 'number' && c >= 0 && !Number.isNaN(c))), { message: 'expected a square matrix of non-negative numbers' });
const matrixSchema = z.object({ durationsS: numberGrid, distancesM: numberGrid });

const facilitySchema = z.object({
  id: z.string(),
  location: z.number().int().nonnegative(),
  /** classes this facility takes (or a consumable it refills: "water", "deicer") */
  accepts: z.array(z.string()).min(1),
  /** opening hours; unloading must START inside one of them */
  windows: z.array(windowSchema).min(1),
  /** remaining daily capacity in kg for this plan; omit for unlimited */
  dailyCapacityKg: z.number().nonnegative().optional(),
  unloadS: z.number().nonnegative().default(0),
});

const vehicleSchema = z.object({
  id: z.string(),
  kind: z.enum(vehicleKinds),
  profile: z.string(),
  /** collection classes it may carry (collectors); one class per route (no mixed transport) */
  classes: z.array(z.string()).default([]),
  capacityKg: z.number().nonnegative(),
  /** bin/body volume; washers: water tank volume (spreaders: capacityKg is the de-icing material) */
  capacityM3: z.number().nonnegative(),
  sealed: z.boolean().default(false),
  hazardousRated: z.boolean().default(false),
  /** false when the cover sensor is faulty: not planned for sealed-only loads */
  coverSensorOk: z.boolean().default(true),
  shift: windowSchema,
  /** a driver break of durationS, to START inside window */
  break: z.object({ durationS: z.number().positive(), window: windowSchema }).optional(),
  startLocation: z.number().int().nonnegative(),
  endLocation: z.number().int().nonnegative(),
  fixedCost: z.number().nonnegative().default(0),
  costPerKm: z.number().nonnegative().default(1),
  costPerHour: z.number().nonnegative().default(0),
});

const jobSchema = z.object({
  id: z.string(),
  location: z.number().int().nonnegative(),
  wasteClass: z.string(),
  /** the day's amount at this point (split evenly over visitsPerDay) */
  kg: z.number().nonnegative(),
  m3: z.number().nonnegative().default(0),
  windows: z.array(windowSchema).min(1),
  serviceS: z.number().nonnegative().default(0),
  visitsPerDay: z.number().int().positive().default(1),
  /** minimum time between the starts of two visits of the same point */
  minGapS: z.number().nonnegative().default(0),
  /** only these vehicles may serve it (re-planning keeps a point on the vehicle it had); omit for any */
  vehicleIds: z.array(z.string()).optional(),
});

const muckLoadSchema = z.object({
  id: z.string(),
  siteLocation: z.number().int().nonnegative(),
  /** the permit's designated disposal facility */
  disposalFacilityId: z.string(),
  kg: z.number().nonnegative(),
  m3: z.number().nonnegative().default(0),
  loadS: z.number().nonnegative().default(0),
  permit: z.object({
    id: z.string(),
    /** loading must start and the unloading must end inside this window */
    window: windowSchema,
    vehicleIds: z.array(z.string()),
    /** the loaded leg site -> disposal along the approved corridor (from the road network) */
    corridorDistanceM: z.number().nonnegative(),
    corridorDurationS: z.number().nonnegative(),
  }),
});

const sweepTaskSchema = z.object({
  id: z.string(),
  fromLocation: z.number().int().nonnegative(),
  toLocation: z.number().int().nonnegative(),
  lengthM: z.number().positive(),
  /** true: may be swept only from -> to */
  oneWay: z.boolean().default(false),
  /** passes per day required by the road grade; only mechanical ones are routed */
  passes: z.number().int().nonnegative().default(1),
  mechanicalPasses: z.number().int().nonnegative().default(1),
  /** all passes must be finished by this time */
  deadlineS: z.number(),
  /** earliest start of any pass */
  earliestS: z.number().default(0),
  workSpeedKmh: z.number().positive().default(10),
  vehicleKind: z.enum(streetKinds).default('sweeper'),
  /** hopper fill (sweepers, "sweepings"), water use in m3 (washers/waterers, "water") or
   * material spread in kg (spreaders, "deicer") per pass */
  kg: z.number().nonnegative().default(0),
  m3: z.number().nonnegative().default(0),
  /** only these vehicles may work it (re-planning keeps a segment on the vehicle it had); omit for any */
  vehicleIds: z.array(z.string()).optional(),
});

export const problemSchema = z.object({
  name: z.string().default('problem'),
  matrices: z.record(z.string(), matrixSchema),
  facilities: z.array(facilitySchema).default([]),
  vehicles: z.array(vehicleSchema),
  jobs: z.array(jobSchema).default([]),
  muckLoads: z.array(muckLoadSchema).default([]),
  sweepTasks: z.array(sweepTaskSchema).default([]),
  /** "vehicles-then-cost": fewest vehicles first (default); "cost": fixed costs + km + hours only */
  objective: z.enum(['vehicles-then-cost', 'cost']).default('vehicles-then-cost'),
});

export type Problem = z.infer<typeof problemSchema>;
export type ProblemInput = z.input<typeof problemSchema>;
export type Facility = Problem['facilities'][number];
export type Vehicle = Problem['vehicles'][number];
export type CollectionJob = Problem['jobs'][number];
export type MuckLoad = Problem['muckLoads'][number];
export type SweepTask = Problem['sweepTasks'][number];

/** Parse and check a Problem; throws an Error naming the offending field. */
export function parseProblem(input: unknown): Problem {
  const parsed = problemSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid problem at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const p = parsed.data;
  for (const v of p.vehicles) {
    if (!p.matrices[v.profile]) throw new Error(`invalid problem at vehicles.${v.id}.profile: unknown matrix profile "${v.profile}"`);
  }
  for (const [name, m] of Object.entries(p.matrices)) {
    const n = m.durationsS.length;
    if (m.distancesM.length !== n || m.durationsS.some((r) => r.length !== n) || m.distancesM.some((r) => r.length !== n)) {
      throw new Error(`invalid problem at matrices.${name}: matrices must be square and of equal size`);
    }
  }
  return p;
}

// ---- Solution -------------------------------------------------------------------------

export type StopType = 'start' | 'job' | 'muck' | 'sweep' | 'facility' | 'break' | 'end';

export interface Stop {
  type: StopType;
  /** job / muck load / sweep task / facility id (absent for start, end, break) */
  id?: string;
  /** for jobs with visitsPerDay > 1: 0-based visit number; for sweep tasks: pass number */
  visit?: number;
  location: number;
  /** sweep tasks: location where the pass ends (the other end of the segment); muck: disposal */
  endLocation?: number;
  arrivalS: number;
  startS: number;
  departureS: number;
  /** load in the body after this stop */
  loadKg: number;
  loadM3: number;
  /** muck loads: the facility it was delivered to */
  facilityId?: string;
}

export interface Route {
  vehicleId: string;
  /** the class this vehicle carries today (collectors), "muck", "sweepings" or "water" */
  carries: string;
  stops: Stop[];
  distanceM: number;
  durationS: number;
  cost: number;
}

export type UnservedReason =
  | 'no_compatible_vehicle'
  | 'capacity'
  | 'time_window'
  | 'facility'
  | 'facility_capacity'
  | 'fleet_exhausted';

export interface Unserved {
  id: string;
  visit?: number;
  reason: UnservedReason;
  detail: string;
}

export interface Solution {
  problem: string;
  routes: Route[];
  unserved: Unserved[];
  cost: { vehicles: number; distanceM: number; durationS: number; fixed: number; total: number };
  /** counts of work done, for reproducibility */
  stats: {
    iterations: number; seed: number;
    /**
     * with driver breaks or facility daily capacities: how often the repairs after the search
     * still had to act (trips sent elsewhere or taken out for a facility's capacity, tasks taken
     * off a route to make room for a break); 0 and 0 when the search respected them itself
     */
    repairs?: { facilityTrips: number; breakTasks: number };
  };
}

/**
 * The Solution's shape, for reading one from outside (a file, another solver): every number
 * finite (zod 4 refuses NaN and ±Infinity), indices and visit numbers non-negative integers.
 * The rules a plan must keep are the validator's job (`validate.ts`), not this schema's.
 */
const stopSchema = z.object({
  type: z.enum(['start', 'job', 'muck', 'sweep', 'facility', 'break', 'end']),
  id: z.string().optional(),
  visit: z.number().int().nonnegative().optional(),
  location: z.number().int().nonnegative(),
  endLocation: z.number().int().nonnegative().optional(),
  arrivalS: z.number(),
  startS: z.number(),
  departureS: z.number(),
  loadKg: z.number(),
  loadM3: z.number(),
  facilityId: z.string().optional(),
});

export const solutionSchema = z.object({
  problem: z.string(),
  routes: z.array(z.object({
    vehicleId: z.string(),
    carries: z.string(),
    stops: z.array(stopSchema),
    distanceM: z.number(),
    durationS: z.number(),
    cost: z.number(),
  })),
  unserved: z.array(z.object({
    id: z.string(),
    visit: z.number().int().nonnegative().optional(),
    // any string here: a reason outside UnservedReason is the validator's `unserved_reason`
    reason: z.string(),
    detail: z.string(),
  })),
  cost: z.object({ vehicles: z.number().int().nonnegative(), distanceM: z.number(), durationS: z.number(), fixed: z.number(), total: z.number() }),
  stats: z.object({ iterations: z.number(), seed: z.number(),
    repairs: z.object({ facilityTrips: z.number().int().nonnegative(), breakTasks: z.number().int().nonnegative() }).optional() }),
});

export const unservedReasons: readonly UnservedReason[] = ['no_compatible_vehicle', 'capacity', 'time_window', 'facility', 'facility_capacity', 'fleet_exhausted'];
