import { z } from 'zod';
import { timeOfDay, timeWindow } from './time-of-day.js';

/**
 * Everything that differs from city to city. Defaults follow docs/domain.md; a city
 * overrides any of them in its profile file or through PUT /api/v1/city-profile.
 */
const roadGrade = z.enum(['1', '2', '3', '4']);

const sweepingRule = z.strictObject({
  sweepsPerDay: z.number().int().min(0).max(24),
  mechanicalSweepsPerDay: z.number().int().min(0).max(24),
  deadline: timeOfDay,
}).refine((r) => r.mechanicalSweepsPerDay <= r.sweepsPerDay, {
  message: 'mechanicalSweepsPerDay cannot exceed sweepsPerDay', path: ['mechanicalSweepsPerDay'],
});

const isTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** Street work other than sweeping (washing 冲洗, watering 洒水) per road grade. */
const streetWorkRule = z.strictObject({
  passesPerDay: z.number().int().min(0).max(24),
  deadline: timeOfDay,
});
const streetWork = (grades: Record<'1' | '2' | '3' | '4', { passesPerDay: number; deadline: string }>, waterM3PerKm: number) => z.strictObject({
  grades: z.record(roadGrade, streetWorkRule).default(grades),
  /** Water a pass uses per km of road (the tank is refilled at water points). */
  waterM3PerKm: z.number().min(0).max(100).default(waterM3PerKm),
}).prefault({});

const wasteClassKey = z.enum(['food', 'residual', 'recyclable', 'hazardous', 'construction']);

/**
 * How tomorrow's plan is made. The driver's break goes inside `window` when the shift leaves
 * room for it there (day shifts), else in the middle fifth of the shift; shifts shorter than
 * `minShiftH` get none.
 */
const planningSchema = z.strictObject({
  /** The nightly job plans tomorrow at this local time, as drafts for the dispatcher. */
  nightlyEnabled: z.boolean().default(true),
  nightlyAt: timeOfDay.refine((t) => t !== '24:00', 'use 00:00 for midnight').default('20:00'),
  /** "districts": one plan (job) per district; "city": one plan for the whole city. */
  nightlyScope: z.enum(['districts', 'city']).default('districts'),
  /**
   * Solver budget when a request names none: iterations decide (deterministic), the time cap
   * only guards. 1,000 plans the demo city in ~15 s of one core (npm run bench:planning).
   */
  iterations: z.number().int().min(50).max(10_000_000).default(1_000),
  timeLimitS: z.number().min(1).max(3600).default(60),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  driverBreak: z.strictObject({
    durationMin: z.number().int().min(0).max(240).default(30),
    window: timeWindow.default({ from: '10:30', to: '13:00' }),
    minShiftH: z.number().min(0).max(24).default(6),
  }).prefault({}),
  /** Loose density in the bin, to derive m3 where a point states only kg (construction: a truck load). */
  densityKgPerM3: z.record(wasteClassKey, z.number().positive().max(5000)).default({
    food: 600, residual: 250, recyclable: 60, hazardous: 300, construction: 1600,
  }),
  /** Loading a muck truck at the site (excavator), minutes. */
  muckLoadMin: z.number().min(0).max(240).default(15),
  /** A place farther than this from every road its vehicles may use is left out, with the reason. */
  snapMaxM: z.number().min(1).max(5000).default(200),
  /** A road is inside a permit's corridor when within half its width plus this (road vs corridor drawing). */
  corridorToleranceM: z.number().min(0).max(200).default(5),
  /** Hopper fill from sweeping one km of road. */
  sweepingsKgPerKm: z.number().min(0).max(10_000).default(40),
  washing: streetWork({ '1': { passesPerDay: 1, deadline: '07:00' }, '2': { passesPerDay: 1, deadline: '08:00' }, '3': { passesPerDay: 0, deadline: '09:00' }, '4': { passesPerDay: 0, deadline: '10:00' } }, 1.5),
  /**
   * Plan against actual (src/planning/actual/): a planned stop is served by a dwell of at least
   * `minDwellS` within `stopRadiusM` of where the truck parks for it (with at least one fix below
   * tracking.stoppedBelowKmh); a street pass counts when a mechanically working sweeper or washer,
   * at most speedLimitsKmh.sweeperWorking + `workSpeedToleranceKmh`, covers `minCoverage` of its
   * length within `segmentToleranceM`. Fixes more than `maxFixGapS` apart are a gap.
   * A stop or street is judged missed only on evidence: its vehicle has reported from after the
   * window's end (or deadline), or has been silent for `silentGraceMin` past it — a terminal in a
   * blind area uploads its day late, and its stops must not be called missed before it does.
   * `gearReportedAtOnce`: the terminals send a fix the moment the sweeping / washing gear goes on or
   * off (JT/T 808 terminals report a changed status word at once when so set up): the fix where the
   * gear state changes is where it changed, so the way to it was worked all along (switched off
   * there) or not at all (switched on there). Off: the switch lies somewhere between two periodic
   * fixes, placed by their speeds.
   */
  actual: z.strictObject({
    stopRadiusM: z.number().min(5).max(500).default(30),
    minDwellS: z.number().min(0).max(3600).default(30),
    maxFixGapS: z.number().min(10).max(3600).default(120),
    segmentToleranceM: z.number().min(2).max(200).default(20),
    minCoverage: z.number().min(0.1).max(1).default(0.7),
    workSpeedToleranceKmh: z.number().min(0).max(30).default(3),
    silentGraceMin: z.number().min(0).max(24 * 60).default(120),
    gearReportedAtOnce: z.boolean().default(true),
  }).prefault({}),
  watering: streetWork({ '1': { passesPerDay: 1, deadline: '12:00' }, '2': { passesPerDay: 0, deadline: '12:00' }, '3': { passesPerDay: 0, deadline: '12:00' }, '4': { passesPerDay: 0, deadline: '12:00' } }, 1),
}).prefault({});

/**
 * What the live compliance monitor (src/compliance/) judges a fix by; defaults follow
 * docs/domain.md "What the monitoring must catch". Speed limits are `speedLimitsKmh`, the
 * corridor rules `corridor`.
 */
const complianceSchema = z.strictObject({
  /** Moving at or above this speed (a stationary GPS drifts 1-3 km/h). */
  movingKmh: z.number().min(0).max(30).default(5),
  /** Loaded when the load state is not empty, or (no state) the payload is above this. */
  loadedAboveKg: z.number().min(0).max(100_000).default(1_000),
  /** Inside a facility or site: inside its outline or within this of it (tipping spots lie near the fence). */
  facilityToleranceM: z.number().min(0).max(1000).default(25),
  /** A facility or site known only by its point: within this radius of it. */
  facilityPointRadiusM: z.number().min(1).max(5000).default(150),
  /** Fixes are held per vehicle until this much later fix time has arrived, or reorderFixes later fixes, or reorderHoldMs of wall time. */
  reorderWindowS: z.number().min(0).max(600).default(5),
  reorderFixes: z.number().int().min(0).max(100).default(3),
  reorderHoldMs: z.number().int().min(0).max(60_000).default(1_000),
  /** Fix time kept per vehicle to re-evaluate a late (blind-area) stretch. */
  historyS: z.number().min(60).max(86_400).default(1_800),
  /** A longer silence between two fixes breaks a candidate incident (the gap is judged when its fixes come late). */
  maxGapS: z.number().min(10).max(3600).default(120),
  /** A loaded truck stopped this long ends its trip (it is parked, not driving). */
  tripBreakS: z.number().min(30).max(86_400).default(300),
  /** Outside hours / without a permit: loaded and moving this long before an incident opens. */
  outsideHoursAfterS: z.number().min(0).max(3600).default(60),
  noPermitAfterS: z.number().min(0).max(3600).default(60),
  /** Uncovered: loaded, cover open and moving this long. */
  uncoveredAfterS: z.number().min(0).max(3600).default(30),
  /** Spill: moving farther than this from every facility and site. */
  spillAwayFromFacilityM: z.number().min(0).max(10_000).default(100),
  /** Spill / dumping: the payload falling this much (a spill against its level over spillWindowS of moving fixes). */
  payloadDropKg: z.number().min(100).max(100_000).default(2_000),
  spillWindowS: z.number().min(1).max(3600).default(60),
  /** Illegal dumping: stopped this long outside every facility with the body lifted or the payload falling. */
  dumpingStoppedS: z.number().min(0).max(3600).default(60),
  /** Speeding: this many consecutive fixes over the limit open it, this many under close it. */
  speedingFixes: z.number().int().min(1).max(100).default(3),
  speedingBackUnderFixes: z.number().int().min(1).max(100).default(3),
  /** Restricted zone: this many consecutive fixes inside during banned hours open it, outside close it. */
  zoneFixes: z.number().int().min(1).max(100).default(2),
  /** E-manifest: a trip still open this long after its permit window's end is flagged late (manifest.ts). */
  manifestGraceMin: z.number().min(0).max(1440).default(60),
}).prefault({});

export const cityProfileSchema = z.strictObject({
  name: z.string().min(1).max(200).default('Demo city'),
  timeZone: z.string().refine(isTimeZone, 'unknown IANA time zone').default('Asia/Shanghai'),
  /** Construction-waste trucks may only run inside these hours (typ. night). */
  muckTruckHours: timeWindow.default({ from: '22:00', to: '06:00' }),
  speedLimitsKmh: z.strictObject({
    muckTruckInTown: z.number().positive().max(200).default(40),
    coverOpen: z.number().positive().max(200).default(20),
    sweeperWorking: z.number().positive().max(60).default(12),
    collector: z.number().positive().max(200).default(50),
  }).prefault({}),
  /** Free-flow speeds per OSM highway class, used where a way carries no maxspeed. */
  highwaySpeedsKmh: z.record(z.string().min(1), z.number().positive().max(200)).default({
    motorway: 80, motorway_link: 50, trunk: 60, trunk_link: 40, primary: 50, primary_link: 40,
    secondary: 40, secondary_link: 30, tertiary: 30, tertiary_link: 25, unclassified: 25,
    residential: 20, living_street: 10, service: 15, road: 20,
  }),
  corridor: z.strictObject({
    defaultWidthM: z.number().min(5).max(500).default(30),
    minWidthM: z.number().min(1).max(500).default(15),
    maxWidthM: z.number().min(1).max(1000).default(50),
    /** Back inside only counts once the truck is this far inside the edge (no flapping). */
    hysteresisM: z.number().min(0).max(200).default(10),
    /** Off-route: outside the corridor this long (and for offRouteMinFixes fixes) before an incident opens. */
    offRouteAfterS: z.number().min(0).max(3600).default(60),
    offRouteMinFixes: z.number().int().min(1).max(100).default(3),
    /** Off-route ends after this many consecutive fixes back inside. */
    backInsideFixes: z.number().int().min(1).max(100).default(3),
    /** An off-route incident goes to level 2 after this long outside, to level 3 after escalateAgainAfterMin. */
    escalateAfterMin: z.number().min(0).max(600).default(5),
    escalateAgainAfterMin: z.number().min(0).max(1440).default(15),
    /** A permit corridor must start this close to its site and end this close to its disposal site. */
    endpointToleranceM: z.number().min(0).max(10_000).default(500),
  }).prefault({}).refine((c) => c.minWidthM <= c.maxWidthM, { message: 'minWidthM must not exceed maxWidthM', path: ['minWidthM'] }),
  collectionWindows: z.array(timeWindow).min(1).max(24).default([
    { from: '04:00', to: '07:00' }, { from: '09:00', to: '16:00' }, { from: '19:00', to: '22:00' },
  ]),
  sweeping: z.strictObject({
    grades: z.record(roadGrade, sweepingRule).default({
      '1': { sweepsPerDay: 3, mechanicalSweepsPerDay: 2, deadline: '07:00' },
      '2': { sweepsPerDay: 2, mechanicalSweepsPerDay: 1, deadline: '08:00' },
      '3': { sweepsPerDay: 1, mechanicalSweepsPerDay: 1, deadline: '09:00' },
      '4': { sweepsPerDay: 1, mechanicalSweepsPerDay: 0, deadline: '10:00' },
    }),
    /** OSM highway class → road grade. */
    highwayGrades: z.record(z.string().min(1), roadGrade).default({
      motorway: '1', trunk: '1', primary: '1', secondary: '2', tertiary: '3', unclassified: '3',
      residential: '4', living_street: '4', service: '4', road: '4',
      motorway_link: '2', trunk_link: '2', primary_link: '2', secondary_link: '3', tertiary_link: '3',
    }),
    workSpeedKmh: z.number().positive().max(30).default(10),
    /**
     * Carriageway width swept per grade where a road segment gives none (`widthM`): the area of
     * the mechanised sweeping rate (length × width).
     */
    widthMByGrade: z.record(roadGrade, z.number().positive().max(200)).default({ '1': 20, '2': 14, '3': 9, '4': 6 }),
  }).prefault({}),
  /**
   * Snow-day plans (清雪除冰, plan `mode: "snow"`): per grade, passes clearing snow by sweepers
   * (`plowPasses`) and passes spreading de-icer by washers (`deicePasses`, `deicerM3PerKm` from
   * the tank, refilled at water points), all done by `deadline`; bridges and ramps (the road
   * segment's `bridge` / `ramp`) freeze first and are due by `bridgeRampDeadline` when earlier.
   */
  winter: z.strictObject({
    grades: z.record(roadGrade, z.strictObject({
      plowPasses: z.number().int().min(0).max(24),
      deicePasses: z.number().int().min(0).max(24),
      /** passes of a spreader (撒布机) spreading salt/grit; bridges and ramps get at least one */
      spreadPasses: z.number().int().min(0).max(24).default(0),
      deadline: timeOfDay,
    })).default({
      '1': { plowPasses: 2, deicePasses: 1, spreadPasses: 1, deadline: '08:00' },
      '2': { plowPasses: 1, deicePasses: 1, spreadPasses: 0, deadline: '09:00' },
      '3': { plowPasses: 1, deicePasses: 0, spreadPasses: 0, deadline: '10:00' },
      '4': { plowPasses: 1, deicePasses: 0, spreadPasses: 0, deadline: '11:00' },
    }),
    bridgeRampDeadline: timeOfDay.default('07:00'),
    deicerM3PerKm: z.number().min(0).max(100).default(0.5),
    /** de-icing salt/grit a spreader's pass puts down, grams per m² of carriageway (length × width) */
    spreadGPerM2: z.number().min(0).max(500).default(20),
    /** a spreader's speed while spreading (its own `workSpeedKmh` when set) */
    spreadSpeedKmh: z.number().positive().max(60).default(25),
    /**
     * Local dates the city declares snow days (the admin's winter switch): the nightly job plans
     * them in snow mode (`mode: "snow"`) instead of a normal day.
     */
    snowDates: z.array(z.iso.date()).max(366).default([]),
  }).prefault({}),
  tracking: z.strictObject({
    stoppedBelowKmh: z.number().min(0).max(20).default(3),
    offlineAfterS: z.number().int().min(30).max(86_400).default(300),
    /** Fixes older than this are rejected as stale. */
    maxFixAgeH: z.number().min(1).max(24 * 90).default(72),
    /** A fix implying more than this from the previous plausible fix is flagged implausible (a GPS jump). */
    maxPlausibleSpeedKmh: z.number().min(30).max(1000).default(200),
  }).prefault({}),
  compliance: complianceSchema,
  /** Direct haul below this distance, else via a transfer station (a planning option). */
  directHaulMaxKm: z.number().min(0).max(200).default(10),
  planning: planningSchema,
});

export type CityProfile = z.infer<typeof cityProfileSchema>;

export function defaultCityProfile(): CityProfile {
  return cityProfileSchema.parse({});
}
