import { describe, expect, it } from 'vitest';
import type { Vehicle } from '../../src/domain/model.js';
import { daysInRepair, drawDay, pointKg } from '../../simulations/capacity/draws.js';
import { daySnapshot, fleetVehicles } from '../../simulations/capacity/perturb.js';
import { prepareStudy, summarize } from '../../simulations/capacity/study.js';
import { scenarioSchema, type ScenarioInput } from '../../simulations/capacity/scenario.js';
import { recommend, wilson } from '../../simulations/capacity/stats.js';

/** The simulated days match the scenario they are drawn from (pure and fast: no planning). */
const flat = { weekday: [1, 1, 1, 1, 1, 1, 1], monthly: Array(12).fill(1) as number[], festivals: [] };
const scenario = (over: Partial<ScenarioInput>) => scenarioSchema.parse({ days: 3000, fleets: [{ collector: 1 }], ...over });

function meanAndCv(xs: number[]): { mean: number; cv: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  return { mean, cv: sd / mean };
}

describe('capacity study: simulated demand and events', () => {
  it('the daily demand factor has the mean and spread the scenario gives, per class', () => {
    const s = scenario({ demand: { ...flat, default: { mean: 1, cv: 0.1 }, classes: { food: { mean: 1.3, cv: 0.25 } } } });
    const days = Array.from({ length: s.days }, (_, i) => drawDay(s, i, []));
    const food = meanAndCv(days.map((d) => d.demandFactor.food));
    const residual = meanAndCv(days.map((d) => d.demandFactor.residual));
    expect(food.mean).toBeGreaterThan(1.3 * 0.98);
    expect(food.mean).toBeLessThan(1.3 * 1.02);
    expect(food.cv).toBeGreaterThan(0.25 * 0.93);
    expect(food.cv).toBeLessThan(0.25 * 1.07);
    expect(residual.mean).toBeGreaterThan(0.99);
    expect(residual.mean).toBeLessThan(1.01);
    expect(residual.cv).toBeGreaterThan(0.093);
    expect(residual.cv).toBeLessThan(0.107);
  });

  it('weekday profile and festival peaks (春节) scale the days they name', () => {
    const s = scenario({
      startDate: '2027-01-04', // a Monday
      demand: { ...flat, weekday: [1, 1, 1, 1, 1, 1.4, 1], default: { mean: 1, cv: 0.1 }, festivals: [{ name: '春节', from: '2027-02-05', to: '2027-02-11', factor: 1.5, classes: ['food'] }] },
    });
    const days = Array.from({ length: s.days }, (_, i) => drawDay(s, i, []));
    const saturdays = meanAndCv(days.filter((d) => d.index % 7 === 5 && d.festivals.length === 0).map((d) => d.demandFactor.residual)).mean;
    const mondays = meanAndCv(days.filter((d) => d.index % 7 === 0 && d.festivals.length === 0).map((d) => d.demandFactor.residual)).mean;
    expect(saturdays / mondays).toBeGreaterThan(1.4 * 0.95);
    expect(saturdays / mondays).toBeLessThan(1.4 * 1.05);
    const festival = drawDay(s, 32, []); // 2027-02-05
    expect(festival.festivals).toEqual(['春节']);
    // the same day without the festival: only the named class moves, by the factor
    const plain = drawDay(scenario({ startDate: '2027-01-04', demand: { ...flat, weekday: [1, 1, 1, 1, 1, 1.4, 1], default: { mean: 1, cv: 0.1 } } }), 32, []);
    expect(festival.demandFactor.food / plain.demandFactor.food).toBeCloseTo(1.5, 9);
    expect(festival.demandFactor.residual).toBe(plain.demandFactor.residual);
  });

  it("each point's kg spreads around the class factor with the point spread given", () => {
    const s = scenario({ demand: { ...flat, default: { mean: 1, cv: 0, pointCv: 0.2 } } });
    const day = drawDay(s, 0, []);
    const kgs = Array.from({ length: 5000 }, (_, i) => pointKg(s, day, `cp-${i}`, 'residual', 500));
    const { mean, cv } = meanAndCv(kgs);
    expect(mean).toBeGreaterThan(500 * 0.98);
    expect(mean).toBeLessThan(500 * 1.02);
    expect(cv).toBeGreaterThan(0.2 * 0.93);
    expect(cv).toBeLessThan(0.2 * 1.07);
  });

  it('rain, facility outages and breakdowns come at the rates given', () => {
    const s = scenario({ rain: { probability: 0.2 }, facilities: { outageProbability: 0.05, cutProbability: 0.1, cutFactor: 0.5 }, breakdowns: { probability: 0.03, repairDays: 3 } });
    const days = Array.from({ length: s.days }, (_, i) => drawDay(s, i, ['fac-a', 'fac-b']));
    // bounds are about four standard errors of a share over 3,000 days
    const share = (f: (d: (typeof days)[number]) => boolean) => days.filter(f).length / days.length;
    expect(share((d) => d.rain)).toBeGreaterThan(0.175);
    expect(share((d) => d.rain)).toBeLessThan(0.225);
    expect(share((d) => d.facilityFactor['fac-a'] === 0)).toBeGreaterThan(0.035);
    expect(share((d) => d.facilityFactor['fac-a'] === 0)).toBeLessThan(0.065);
    expect(share((d) => d.facilityFactor['fac-b'] === 0.5)).toBeGreaterThan(0.08);
    expect(share((d) => d.facilityFactor['fac-b'] === 0.5)).toBeLessThan(0.12);
    // a vehicle breaks with p per day in service and is away r days: p·r / (1 + p·(r − 1)) of days
    const away = Array.from({ length: 50 }, (_, i) => daysInRepair(s, `v-${i}`).size).reduce((a, b) => a + b, 0) / (50 * s.days);
    const expected = (0.03 * 3) / (1 + 0.03 * 2);
    expect(away).toBeGreaterThan(expected * 0.93);
    expect(away).toBeLessThan(expected * 1.07);
  });

  it('snow comes by month at the seasonal rates given, is never also rain, and slows service at points', () => {
    // 2027 from 1 January: 365 days; snow on 40 % of January's days, 10 % of December's, none otherwise
    const monthly = [0.4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.1];
    const s = scenario({ days: 3650, startDate: '2027-01-01', snow: { monthly, slowdown: 0.5 }, rain: { probability: 0.5 } });
    const days = Array.from({ length: s.days }, (_, i) => drawDay(s, i, []));
    const rate = (month: number) => {
      const inMonth = days.filter((d) => Number(d.date.slice(5, 7)) === month);
      return inMonth.filter((d) => d.snow).length / inMonth.length;
    };
    expect(rate(1)).toBeGreaterThan(0.36);
    expect(rate(1)).toBeLessThan(0.44);
    expect(rate(12)).toBeGreaterThan(0.07);
    expect(rate(12)).toBeLessThan(0.13);
    for (const m of [2, 6, 11]) expect(rate(m)).toBe(0);
    expect(days.filter((d) => d.snow && d.rain)).toEqual([]);
    // rain still comes on half of the other days
    const dry = days.filter((d) => !d.snow);
    expect(dry.filter((d) => d.rain).length / dry.length).toBeGreaterThan(0.47);
    expect(dry.filter((d) => d.rain).length / dry.length).toBeLessThan(0.53);
    // a snow day's plan: winter mode, service 50 % longer
    const base = { date: '2027-01-01', district: null, profile: {} as never, depots: [], facilities: [], vehicles: [], constructionSites: [], permits: [], roadSegments: [], restrictedZones: [],
      collectionPoints: [{ id: 'p1', wasteClass: 'food', expectedKgPerDay: 100, serviceS: 200 } as never], reserved: { planIds: [], vehicleIds: [], facilityKg: {} } };
    const snowDay = days.find((d) => d.snow)!;
    const rainDay = days.find((d) => d.rain)!;
    expect(daySnapshot(base, s, snowDay, [], () => false).collectionPoints[0]!.serviceS).toBe(300);
    expect(daySnapshot(base, s, rainDay, [], () => false).collectionPoints[0]!.serviceS).toBe(250);
    const study = prepareStudy(base, { ...s, days: 40, fleets: [{}] }, { osmFile: 'none' });
    const jobs = Array.from({ length: 40 }, (_, i) => study.job(i));
    expect(jobs.filter((j) => j.input.options.mode === 'snow').map((j) => j.base.day)).toEqual(days.slice(0, 40).filter((d) => d.snow).map((d) => d.index));
    expect(jobs.filter((j) => j.base.snow).length).toBeGreaterThan(0);
    expect(jobs.every((j) => j.base.snow === (j.input.options.mode === 'snow'))).toBe(true);
  });

  it('a study counts its snow days and the snow days cleared apart, per fleet', () => {
    const s = scenario({ days: 4, fleets: [{ collector: 1 }] });
    const day = (i: number, snow: boolean, cleared: boolean) => ({ day: i, fleet: 'collector=1', snow, cleared, unservedByReason: {}, facilityLoad: {}, vehicles: 1, vehicleHours: 1, km: 1, cost: 1 }) as never;
    const result = summarize(s, [day(0, true, false), day(1, true, true), day(2, false, true), day(3, false, true)]);
    expect(result.configs[0]).toMatchObject({ days: 4, cleared: 3, snow: { days: 2, cleared: 1 } });
  });

  it('the same seed draws the same days; another seed other days', () => {
    const a = scenario({ seed: 7, days: 30 });
    const draw = (s: typeof a) => Array.from({ length: s.days }, (_, i) => drawDay(s, i, ['fac-a']));
    expect(draw(a)).toEqual(draw(scenario({ seed: 7, days: 30 })));
    expect(draw(a)).not.toEqual(draw(scenario({ seed: 8, days: 30 })));
    expect([...daysInRepair(a, 'v-1')]).toEqual([...daysInRepair(scenario({ seed: 7, days: 30 }), 'v-1')]);
  });
});

describe('capacity study: fleets and figures', () => {
  const v = (id: string, cls: 'food' | 'residual'): Vehicle => ({
    id, plate: id, kind: 'collector', wasteClasses: [cls], capacityKg: 1000, capacityM3: 5, sealed: true, hazardousRated: false,
    sensors: { cover: false, lift: false, load: false, coverFaulty: false }, homeDepotId: 'd', shift: { from: '04:00', to: '12:00' }, terminalId: '1',
  });
  const city = [v('c-food-1', 'food'), v('c-res-1', 'residual'), v('c-res-2', 'residual'), { ...v('sw-1', 'residual'), kind: 'sweeper' as const, wasteClasses: [] }];

  it('a kind is sized class by class in the city\'s mix, grown by copies of its own trucks', () => {
    const six = fleetVehicles(city, { collector: 6 });
    expect(six.filter((x) => x.kind === 'collector' && x.wasteClasses[0] === 'residual')).toHaveLength(4);
    expect(six.filter((x) => x.kind === 'collector' && x.wasteClasses[0] === 'food')).toHaveLength(2);
    expect(new Set(six.map((x) => x.id)).size).toBe(six.length);
    expect(six.find((x) => x.id === 'c-food-1.x1')?.terminalId).toBeUndefined();
    expect(six.filter((x) => x.kind === 'sweeper')).toHaveLength(1);
    const foodOnly = fleetVehicles(city, { 'collector:food': 0 });
    expect(foodOnly.map((x) => x.id)).toEqual(['c-res-1', 'c-res-2', 'sw-1']);
  });

  it('Wilson interval: the known values, and honest at 0 and n', () => {
    const w = wilson(9, 10);
    expect(w.low).toBeCloseTo(0.5958, 3);
    expect(w.high).toBeCloseTo(0.9821, 3);
    expect(wilson(0, 10).low).toBe(0);
    expect(wilson(0, 10).high).toBeCloseTo(0.2775, 3);
    expect(wilson(10, 10).high).toBe(1);
  });

  it('recommends the fewest vehicles that reach the target, none when no fleet does', () => {
    const c = (n: number, cleared: number) => ({ label: `c=${n}`, fleet: { collector: n }, days: 100, cleared });
    expect(recommend([c(12, 100), c(8, 97), c(10, 99), c(11, 100)], 0.99)?.label).toBe('c=10');
    expect(recommend([c(8, 97)], 0.99)).toBeNull();
  });
});

describe('capacity study: the command line', () => {
  it('combines --fleet flags into every configuration and refuses a malformed one', async () => {
    const { parseCapacityArgs, parseFleets, UsageError } = await import('../../simulations/capacity/cli.js');
    expect(parseFleets(['collector=4,5', 'sweeper=2'])).toEqual([{ collector: 4, sweeper: 2 }, { collector: 5, sweeper: 2 }]);
    expect(() => parseFleets(['collector=four'])).toThrow(UsageError);
    const args = parseCapacityArgs(['--days', '7', '--fleet', 'collector:food=3,4', '--seed', '9', '--iterations', '50', '--work', 'points', '--threads', '2']);
    expect(args).toMatchObject({ threads: 2, store: false, scenario: { days: 7, seed: 9, iterations: 50, work: ['points'], fleets: [{ 'collector:food': 3 }, { 'collector:food': 4 }] } });
    expect(() => parseCapacityArgs(['--days', '0', '--fleet', 'collector=3'])).toThrow(/days/);
    expect(() => parseCapacityArgs(['--days', '3', '--fleet', 'lorry=3'])).toThrow(/fleets/);
  });
});
