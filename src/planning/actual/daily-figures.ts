import type { Solution } from '../../../solver/index.js';
import type { CityProfile } from '../../domain/city-profile.js';
import type { Queryable } from '../../store/db.js';
import { plausibleStepM } from '../../tracking/geo.js';
import { PlanClock } from '../plan-clock.js';
import { NOT_ROUTED, type UnservedItem } from '../plan-model.js';
import type { ActualStore } from './actual-store.js';
import { contractorDay, type ContractorDay } from './contractor-figures.js';
import { sweepingArea, type SweepingArea, type SweptSegment } from './sweeping-rate.js';
import type { ActualStatus } from './plan-actual.js';

/**
 * The day's figures the city is judged on, for a date and a district (or every plan of the date),
 * from the plans in force and what their vehicles did:
 * - clearance rate: due points collected by the day's end (collected = done or late; due = every
 *   point the plans serve plus the points they could not serve); 日产日清 met when all were;
 * - on-time rate: stops done inside their window of those judged (done, late, missed);
 * - plan adherence: stops and streets done as planned (on time) of all planned;
 * - streets: required mechanical coverage done / late / missed;
 * - per vehicle: km from its plausible fixes (the tracker's step rule; steps between two standing fixes are
 *   GPS scatter, not distance), hours on duty (fix to fix,
 *   gaps over planning.actual.maxFixGapS left out) and hours moving (at or above the stopped speed).
 * - mechanised sweeping rate: mechanically swept area / area to be swept (sweeping-rate.ts), over the
 *   road segments of the district (the whole city without one) when a plan is in force.
 */
export interface DailyFigures {
  date: string;
  district: string | null;
  plans: Array<{ id: string; district: string | null; status: string }>;
  /** every due time of the plans has passed: the figures are final */
  final: boolean;
  points: { due: number; collected: number; done: number; late: number; missed: number; pending: number; notPlanned: number };
  clearanceRate: number | null;
  dailyClearanceMet: boolean | null;
  onTimeRate: number | null;
  streets: { planned: number; done: number; late: number; missed: number; pending: number; notPlanned: number };
  planAdherence: number | null;
  vehicles: Array<{ vehicleId: string; distanceKm: number; onDutyH: number; movingH: number; fixes: number }>;
  sweeping: SweepingArea;
  mechanisedSweepingRate: number | null;
  /** collection per contractor of the planned vehicle (contractor-figures.ts) */
  contractors: ContractorDay[];
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);

export async function dailyFigures(
  db: Queryable, store: ActualStore, profile: CityProfile,
  query: { date: string; district?: string },
  judge: (planId: string) => Promise<ActualStatus[]>,
  nowMs = Date.now(),
): Promise<DailyFigures> {
  const res = await db.query<{ id: string; district: string | null; status: string; unserved: UnservedItem[] | null; solution: Solution | null }>(
    `select id, district, status, unserved, solution from plans
     where plan_date = $1 and status in ('published', 'in_progress', 'closed') and ($2::text is null or district_key = $2) order by district_key, id`,
    [query.date, query.district ?? null],
  );
  const points = { due: 0, collected: 0, done: 0, late: 0, missed: 0, pending: 0, notPlanned: 0 };
  const streets = { planned: 0, done: 0, late: 0, missed: 0, pending: 0, notPlanned: 0 };
  const vehicleIds = new Set<string>();
  const allStatuses: ActualStatus[] = [];
  for (const plan of res.rows) {
    let statuses = await store.statuses(plan.id);
    if (statuses.length === 0) statuses = await judge(plan.id);
    allStatuses.push(...statuses);
    for (const s of statuses) {
      const into = s.kind === 'stop' ? points : streets;
      into[s.status]++;
      if (s.kind === 'segment') streets.planned++;
    }
    for (const u of plan.unserved ?? []) {
      if (NOT_ROUTED.has(u.reason)) continue;
      if (u.kind === 'point') points.notPlanned++;
      else if (u.kind === 'segment') streets.notPlanned++;
    }
    for (const r of plan.solution?.routes ?? []) vehicleIds.add(r.vehicleId);
  }
  points.collected = points.done + points.late;
  points.due = points.done + points.late + points.missed + points.pending + points.notPlanned;
  const judged = points.done + points.late + points.missed;
  const clock = new PlanClock(query.date, profile.timeZone);
  const final = nowMs >= clock.epochMs(86_400) && points.pending === 0 && streets.pending === 0;

  const vehicles: DailyFigures['vehicles'] = [];
  const gapMs = profile.planning.actual.maxFixGapS * 1000;
  for (const vehicleId of [...vehicleIds].sort()) {
    const fixes = await store.fixes(vehicleId, clock.midnightMs, clock.epochMs(86_400));
    let distanceM = 0;
    let onDutyMs = 0;
    let movingMs = 0;
    for (let i = 1; i < fixes.length; i++) {
      const a = fixes[i - 1]!;
      const b = fixes[i]!;
      // a standing vehicle's fixes scatter by the GPS error: those steps are no distance
      const standing = a.speedKmh < profile.tracking.stoppedBelowKmh && b.speedKmh < profile.tracking.stoppedBelowKmh;
      if (!standing) distanceM += plausibleStepM(a.lat, a.lon, a.timeMs, b.lat, b.lon, b.timeMs, profile.tracking.maxPlausibleSpeedKmh);
      const dt = b.timeMs - a.timeMs;
      if (dt > gapMs) continue;
      onDutyMs += dt;
      if (b.speedKmh >= profile.tracking.stoppedBelowKmh) movingMs += dt;
    }
    vehicles.push({
      vehicleId, distanceKm: Math.round(distanceM / 100) / 10, onDutyH: Math.round(onDutyMs / 36_000) / 100, movingH: Math.round(movingMs / 36_000) / 100, fixes: fixes.length,
    });
  }
  const contractorRows = vehicleIds.size === 0 ? { rows: [] } : await db.query<{ id: string; contractor: string | null }>(
    `select id, doc->>'contractor' as contractor from vehicles where id = any($1::text[])`, [[...vehicleIds]]);
  const contractorOf = new Map(contractorRows.rows.map((r) => [r.id, r.contractor]));
  const segments = res.rows.length === 0 ? { rows: [] } : await db.query<{ id: string; grade: number; doc: SweptSegment }>(
    `select id, grade, doc from road_segments where $1::text is null or district = $1`, [query.district ?? null]);
  const sweeping = sweepingArea(segments.rows.map((r) => ({ ...r.doc, id: r.id, grade: r.grade as SweptSegment['grade'] })), allStatuses, profile);
  return {
    date: query.date, district: query.district ?? null, plans: res.rows.map((p) => ({ id: p.id, district: p.district, status: p.status })), final,
    points, clearanceRate: ratio(points.collected, points.due),
    // known once all due points are collected, or once the day is over
    dailyClearanceMet: points.due === 0 ? null : points.collected === points.due ? true : final ? false : null,
    onTimeRate: ratio(points.done, judged),
    streets, planAdherence: ratio(points.done + streets.done, points.done + points.late + points.missed + points.pending + streets.planned),
    vehicles,
    sweeping, mechanisedSweepingRate: sweeping.rate,
    contractors: contractorDay(allStatuses, (id) => contractorOf.get(id) ?? null),
  };
}
