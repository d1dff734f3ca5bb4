import { Rng } from '../../solver/random.js';
import { classDemand, pointClasses, type PointClass, type Scenario } from './scenario.js';

/**
 * What happens on each simulated day, drawn from the scenario's seed: the city-wide demand
 * factor per class, rain, which facilities are closed or cut, and (per vehicle) when it breaks
 * down. Each thing has its own stream keyed by what it is (day, facility id, vehicle id), so a
 * day's draws do not depend on the fleet being tried: every fleet size meets the same days
 * (common random numbers), and a larger fleet is compared with a smaller one on equal terms.
 */

/** A stream for a key (FNV-1a over the parts, then the seed): independent of draw order. */
export function stream(seed: number, ...parts: Array<string | number>): Rng {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0001')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return new Rng((h ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0);
}

/** A standard normal draw (Box-Muller). */
export function normal(rng: Rng): number {
  const u1 = 1 - rng.next();
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A log-normal draw with the given mean and coefficient of variation. */
export function logNormal(rng: Rng, mean: number, cv: number): number {
  if (cv === 0) return mean;
  const s2 = Math.log(1 + cv * cv);
  return Math.exp(Math.log(mean) - s2 / 2 + Math.sqrt(s2) * normal(rng));
}

export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The profile factor for a class on a date: weekday × month × festivals in force. */
export function profileFactor(s: Scenario, cls: PointClass, isoDate: string): number {
  const d = new Date(`${isoDate}T00:00:00Z`);
  const weekday = s.demand.weekday[(d.getUTCDay() + 6) % 7]!;
  const month = s.demand.monthly[d.getUTCMonth()]!;
  let festival = 1;
  for (const f of s.demand.festivals) {
    if (isoDate >= f.from && isoDate <= f.to && (!f.classes || f.classes.includes(cls))) festival *= f.factor;
  }
  return classDemand(s, cls).mean * weekday * month * festival;
}

export interface DayDraw {
  index: number;
  date: string;
  /** city-wide factor on expectedKgPerDay, per class */
  demandFactor: Record<PointClass, number>;
  /** the day's festivals, by name */
  festivals: string[];
  rain: boolean;
  /** planned in the winter mode; never also a rain day */
  snow: boolean;
  /** facility id → capacity factor (0 = closed); absent = as usual */
  facilityFactor: Record<string, number>;
}

export function drawDay(s: Scenario, index: number, facilityIds: readonly string[]): DayDraw {
  const date = addDays(s.startDate, index);
  const demandFactor = {} as Record<PointClass, number>;
  for (const cls of pointClasses) {
    demandFactor[cls] = logNormal(stream(s.seed, 'demand', cls, index), profileFactor(s, cls, date), classDemand(s, cls).cv);
  }
  const facilityFactor: Record<string, number> = {};
  for (const id of facilityIds) {
    const rng = stream(s.seed, 'facility', id, index);
    const u = rng.next();
    if (u < s.facilities.outageProbability) facilityFactor[id] = 0;
    else if (u < s.facilities.outageProbability + s.facilities.cutProbability) facilityFactor[id] = s.facilities.cutFactor;
  }
  const snow = stream(s.seed, 'snow', index).next() < s.snow.monthly[Number(date.slice(5, 7)) - 1]!;
  return {
    index, date, demandFactor, rain: !snow && stream(s.seed, 'rain', index).next() < s.rain.probability, snow, facilityFactor,
    festivals: s.demand.festivals.filter((f) => date >= f.from && date <= f.to).map((f) => f.name),
  };
}

/** One point's kg on a day: the class's city-wide factor times the point's own spread. */
export function pointKg(s: Scenario, day: DayDraw, pointId: string, cls: PointClass, expectedKg: number): number {
  const own = logNormal(stream(s.seed, 'point', pointId, day.index), 1, classDemand(s, cls).pointCv);
  return expectedKg * day.demandFactor[cls] * own;
}

/**
 * The days a vehicle is in the workshop: each day in service it breaks down with the
 * scenario's probability and is then away `repairDays` days (the day itself included).
 */
export function daysInRepair(s: Scenario, vehicleId: string): Set<number> {
  const rng = stream(s.seed, 'breakdown', vehicleId);
  const out = new Set<number>();
  for (let day = 0; day < s.days; day++) {
    const broke = rng.next() < s.breakdowns.probability;
    if (!broke) continue;
    for (let k = 0; k < s.breakdowns.repairDays && day + k < s.days; k++) out.add(day + k);
    day += s.breakdowns.repairDays - 1;
  }
  return out;
}
