import type { ProblemInput, Solution } from '../../../solver/index.js';
import { newId } from '../../store/city-repo.js';
import type { Db, Queryable } from '../../store/db.js';
import { statementChunks, valuesPlaceholders } from '../../store/multi-row.js';
import type { PlanMapping } from '../build-problem.js';
import type { PlanStatus } from '../plan-model.js';
import type { ActualStatus } from './plan-actual.js';
import type { ActualFix } from './vehicle-actual.js';

/**
 * Plan against actual in the store (migration 11): each stop's and street's latest status, the
 * plan events (once per stop), and what the judging reads — the plan, the streets' lines, a
 * vehicle's plausible fixes of the day in fix-time order.
 */
export type PlanEventType = 'missed_collection' | 'sweeping_gap';

/** Kept in an alert's shape (type, vehicle, plan, stop or segment, when, details) for the compliance alerts to take over. */
export interface PlanEvent {
  id: string;
  type: PlanEventType;
  planId: string;
  vehicleId: string | null;
  /** the stop (`<vehicle>#<seq>`) or street (`segment:<task>`) */
  key: string;
  /** the collection point or road segment */
  recordId: string;
  /** when it became due unserved (the window's end, the deadline) */
  at: string;
  details: Record<string, unknown>;
  createdAt: string;
}

export interface StoredPlanForActual {
  id: string;
  date: string;
  status: PlanStatus;
  problem: ProblemInput;
  solution: Solution;
  mapping: PlanMapping;
}

type Raw = Record<string, any>;
const iso = (d: unknown): string | undefined => (d === null || d === undefined ? undefined : new Date(d as string).toISOString());
const ms = (d: unknown): number | undefined => (d === null || d === undefined ? undefined : new Date(d as string).getTime());
const at = (x: number | undefined): Date | null => (x === undefined ? null : new Date(x));

export class ActualStore {
  constructor(private readonly db: Db) {}

  /** Published or in-progress plans of these dates (the days being driven). */
  async activePlanIds(dates: string[]): Promise<string[]> {
    const res = await this.db.query<{ id: string }>(
      `select id from plans where status in ('published', 'in_progress') and to_char(plan_date, 'YYYY-MM-DD') = any($1::text[]) order by id`, [dates],
    );
    return res.rows.map((r) => r.id);
  }

  async plan(id: string): Promise<StoredPlanForActual | undefined> {
    const res = await this.db.query<Raw>(`select id, to_char(plan_date, 'YYYY-MM-DD') as date, status, problem, solution, mapping from plans where id = $1`, [id]);
    const r = res.rows[0];
    if (!r?.problem || !r.solution || !r.mapping) return undefined;
    return { id: r.id, date: r.date, status: r.status, problem: r.problem, solution: r.solution, mapping: r.mapping };
  }

  async segmentGeometries(ids: string[]): Promise<Map<string, Array<[number, number]>>> {
    const res = await this.db.query<{ id: string; coords: Array<[number, number]> }>(
      `select id, doc->'geometry'->'coordinates' as coords from road_segments where id = any($1::text[])`, [ids],
    );
    return new Map(res.rows.map((r) => [r.id, r.coords]));
  }

  /** A vehicle's plausible, positioned fixes in [fromMs, toMs), by fix time (the log's key is also the dedupe rule). */
  async fixes(vehicleId: string, fromMs: number, toMs: number): Promise<ActualFix[]> {
    const res = await this.db.query<{ t: Date; lon: number; lat: number; speed_kmh: number; heading_deg: number; working: boolean | null; cover_closed: boolean | null }>(
      `select fix_time as t, lon, lat, speed_kmh, heading_deg, working, cover_closed from positions
       where vehicle_id = $1 and fix_time >= $2 and fix_time < $3 and not implausible and positioned order by fix_time`,
      [vehicleId, new Date(fromMs), new Date(toMs)],
    );
    return res.rows.map((r) => ({ timeMs: new Date(r.t).getTime(), lon: r.lon, lat: r.lat, speedKmh: r.speed_kmh, headingDeg: r.heading_deg, ...(r.working === null ? {} : { working: r.working }), ...(r.cover_closed === null ? {} : { coverClosed: r.cover_closed }) }));
  }

  /**
   * Stops a driver marked done by hand (`stop_marks`, the driver-route migration 10), by stop key;
   * none while that table does not exist.
   */
  async marks(planId: string): Promise<Map<string, number>> {
    const exists = await this.db.query<{ t: string | null }>(`select to_regclass('stop_marks')::text as t`);
    if (!exists.rows[0]?.t) return new Map();
    const res = await this.db.query<{ vehicle_id: string; seq: number; marked_at: Date }>(
      `select vehicle_id, seq, marked_at from stop_marks where plan_id = $1 and status = 'done'`, [planId],
    );
    return new Map(res.rows.map((r) => [`${r.vehicle_id}#${r.seq}`, new Date(r.marked_at).getTime()]));
  }

  async save(planId: string, rows: ActualStatus[], q: Queryable = this.db): Promise<void> {
    // A key given twice keeps its last state (one statement cannot update a row twice).
    const byKey = [...new Map(rows.map((s) => [s.key, s])).values()];
    const columns = 17;
    for (const chunk of statementChunks(byKey, columns)) {
      await q.query(
        `insert into plan_actual (plan_id, key, kind, vehicle_ids, record_id, item_id, visit, seq, status, source, from_at, due_at, planned_at,
           arrival_at, departure_at, passes, required_passes)
         values ${valuesPlaceholders(chunk.length, columns, { 3: '::text[]' })}
         on conflict (plan_id, key) do update set status = excluded.status, source = excluded.source, arrival_at = excluded.arrival_at,
           departure_at = excluded.departure_at, passes = excluded.passes, vehicle_ids = excluded.vehicle_ids, updated_at = now()`,
        chunk.flatMap((s) => [planId, s.key, s.kind, s.vehicleIds, s.recordId, s.itemId, s.visit ?? null, s.seq ?? null, s.status, s.source, new Date(s.fromMs),
          new Date(s.dueMs), new Date(s.plannedStartMs), at(s.arrivalMs), at(s.departureMs), s.passes ?? null, s.requiredPasses ?? null]),
      );
    }
  }

  /** Raises each event once (plan, type, stop); answers those raised now. */
  async raise(events: Array<Omit<PlanEvent, 'id' | 'createdAt'>>): Promise<PlanEvent[]> {
    const out: PlanEvent[] = [];
    const identity = (planId: string, type: string, key: string) => `${planId}\u0000${type}\u0000${key}`;
    const columns = 8;
    for (const chunk of statementChunks(events, columns)) {
      const res = await this.db.query<Raw & { plan_id: string; type: string; key: string }>(
        `insert into plan_events (id, type, plan_id, vehicle_id, key, record_id, at, details) values ${valuesPlaceholders(chunk.length, columns, { 7: '::jsonb' })}
         on conflict (plan_id, type, key) do nothing returning id, created_at, plan_id, type, key`,
        chunk.flatMap((e) => [newId('pev'), e.type, e.planId, e.vehicleId, e.key, e.recordId, new Date(e.at), JSON.stringify(e.details)]),
      );
      // Only the rows inserted now come back; the first of an event given twice is the one raised.
      const raised = new Map(res.rows.map((r) => [identity(r.plan_id, r.type, r.key), r]));
      for (const e of chunk) {
        const r = raised.get(identity(e.planId, e.type, e.key));
        if (!r) continue;
        raised.delete(identity(e.planId, e.type, e.key));
        out.push({ ...e, id: r.id, createdAt: iso(r.created_at)! });
      }
    }
    return out;
  }

  async statuses(planId: string): Promise<ActualStatus[]> {
    const res = await this.db.query<Raw>(`select * from plan_actual where plan_id = $1 order by kind desc, key`, [planId]);
    return res.rows.map((r) => ({
      key: r.key, kind: r.kind, vehicleIds: r.vehicle_ids, recordId: r.record_id, itemId: r.item_id,
      ...(r.visit === null ? {} : { visit: r.visit }), ...(r.seq === null ? {} : { seq: r.seq }),
      status: r.status, source: r.source, fromMs: ms(r.from_at)!, dueMs: ms(r.due_at)!, plannedStartMs: ms(r.planned_at)!,
      ...(r.arrival_at ? { arrivalMs: ms(r.arrival_at) } : {}), ...(r.departure_at ? { departureMs: ms(r.departure_at) } : {}),
      ...(r.passes === null ? {} : { passes: r.passes }), ...(r.required_passes === null ? {} : { requiredPasses: r.required_passes }),
    }));
  }

  /** `district`: events of that district's plans only (a district-scoped reader). */
  async events(filter: { planId?: string; type?: PlanEventType; vehicleId?: string; from?: string; to?: string; district?: string; limit: number; offset: number }): Promise<{ items: PlanEvent[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.planId) where.push(`plan_id = $${params.push(filter.planId)}`);
    if (filter.type) where.push(`type = $${params.push(filter.type)}`);
    if (filter.vehicleId) where.push(`vehicle_id = $${params.push(filter.vehicleId)}`);
    if (filter.from) where.push(`at >= $${params.push(new Date(filter.from))}`);
    if (filter.to) where.push(`at < $${params.push(new Date(filter.to))}`);
    if (filter.district !== undefined) where.push(`plan_id in (select id from plans where district = $${params.push(filter.district)})`);
    const whereSql = where.length ? `where ${where.join(' and ')}` : '';
    const total = await this.db.query<{ n: number }>(`select count(*)::int as n from plan_events ${whereSql}`, params);
    const res = await this.db.query<Raw>(
      `select * from plan_events ${whereSql} order by at desc, id limit $${params.length + 1} offset $${params.length + 2}`, [...params, filter.limit, filter.offset],
    );
    return {
      total: total.rows[0]!.n,
      items: res.rows.map((r) => ({
        id: r.id, type: r.type, planId: r.plan_id, vehicleId: r.vehicle_id, key: r.key, recordId: r.record_id, at: iso(r.at)!, details: r.details ?? {}, createdAt: iso(r.created_at)!,
      })),
    };
  }
}

