import { z } from 'zod';
import { vehicleKind, wasteClass } from '../../src/domain/model.js';

/**
 * A capacity study's scenario: the days to simulate, what varies from day to day (demand,
 * rain, breakdowns, facility outages) and the fleet configurations to compare. Every draw is
 * made from `seed` (solver/random.ts), so a scenario is one study, the same on every machine.
 */
export const pointClass = wasteClass.exclude(['construction']);
export type PointClass = z.infer<typeof pointClass>;
export const pointClasses = pointClass.options;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD');

/** One class's daily demand as a factor on the points' `expectedKgPerDay`. */
export const classDemandSchema = z.strictObject({
  /** mean factor on an ordinary day (before the weekday, month and festival profiles) */
  mean: z.number().positive().max(10).default(1),
  /** day-to-day coefficient of variation of the city-wide factor (log-normal) */
  cv: z.number().min(0).max(2).default(0.1),
  /** each point's own spread around the city-wide factor (log-normal, mean 1) */
  pointCv: z.number().min(0).max(2).default(0.15),
});
export type ClassDemand = z.infer<typeof classDemandSchema>;

export const festivalSchema = z.strictObject({
  name: z.string().min(1).max(100),
  from: isoDate,
  /** inclusive */
  to: isoDate,
  factor: z.number().positive().max(10),
  /** the classes it touches; all when absent */
  classes: z.array(pointClass).optional(),
});
export type Festival = z.infer<typeof festivalSchema>;

/** 春节 and 国庆 of 2026-2027: more food and residual waste, for a week. */
export const defaultFestivals: Festival[] = [
  { name: '春节 2026', from: '2026-02-16', to: '2026-02-22', factor: 1.35, classes: ['food', 'residual', 'recyclable'] },
  { name: '国庆 2026', from: '2026-10-01', to: '2026-10-07', factor: 1.2 },
  { name: '春节 2027', from: '2027-02-05', to: '2027-02-11', factor: 1.35, classes: ['food', 'residual', 'recyclable'] },
];

/** `collector`, `collector:food`, `sweeper`, …: a kind, or a kind carrying one class. */
export const fleetKey = z.string().regex(/^[a-z_]+(:[a-z]+)?$/).refine((k) => {
  const [kind, cls] = k.split(':');
  return vehicleKind.safeParse(kind).success && (cls === undefined || wasteClass.safeParse(cls).success);
}, 'a fleet key is a vehicle kind, optionally :class (collector:food)');

export const scenarioSchema = z.strictObject({
  startDate: isoDate.default('2027-01-04'),
  days: z.number().int().min(1).max(3660),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
  demand: z.strictObject({
    default: classDemandSchema.prefault({}),
    classes: z.partialRecord(pointClass, classDemandSchema).default({}),
    /** Monday … Sunday */
    weekday: z.array(z.number().positive().max(10)).length(7).default([1, 1, 1, 1, 1.05, 1.15, 1.1]),
    /** January … December */
    monthly: z.array(z.number().positive().max(10)).length(12).default([1.05, 1.1, 1, 0.95, 0.95, 1, 1.05, 1.05, 1, 1, 0.95, 1]),
    festivals: z.array(festivalSchema).max(100).default(defaultFestivals),
  }).prefault({}),
  rain: z.strictObject({
    /** share of days with rain */
    probability: z.number().min(0).max(1).default(0.15),
    /** 0.25: service at points takes 25 % longer and street work runs 25 % slower */
    slowdown: z.number().min(0).max(3).default(0.25),
  }).prefault({}),
  /**
   * Snow days, planned in the planner's winter mode (`mode: 'snow'`: sweepers clear and washers
   * de-ice by the profile's winter table instead of sweeping and washing; collection kept).
   */
  snow: z.strictObject({
    /** share of days with snow, January … December (none by default) */
    monthly: z.array(z.number().min(0).max(1)).length(12).default([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    /** 0.5: service at points takes 50 % longer (a snow day is not also a rain day) */
    slowdown: z.number().min(0).max(3).default(0.5),
  }).prefault({}),
  breakdowns: z.strictObject({
    /** per vehicle and day in service */
    probability: z.number().min(0).max(1).default(0.02),
    repairDays: z.number().int().min(1).max(60).default(2),
  }).prefault({}),
  facilities: z.strictObject({
    /** per facility and day: closed all day */
    outageProbability: z.number().min(0).max(1).default(0.01),
    /** per facility and day: capacity cut to `cutFactor` */
    cutProbability: z.number().min(0).max(1).default(0.03),
    cutFactor: z.number().min(0).max(1).default(0.5),
  }).prefault({}),
  /** the fleet configurations to compare; keys not named keep the city's vehicles */
  fleets: z.array(z.record(fleetKey, z.number().int().min(0).max(500))).min(1).max(200),
  /** what each day's plan routes (points: 日产日清; muck and street work share facilities and time) */
  work: z.array(z.enum(['points', 'muck', 'streets'])).min(1).default(['points', 'muck', 'streets']),
  /** solver iterations per day (the budget; deterministic, unlike a time limit) */
  iterations: z.number().int().min(1).max(1_000_000).default(200),
  /** the share of days a recommended fleet clears */
  targetShare: z.number().min(0).max(1).default(0.99),
});
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.infer<typeof scenarioSchema>;

export function classDemand(s: Scenario, cls: PointClass): ClassDemand {
  return s.demand.classes[cls] ?? s.demand.default;
}
