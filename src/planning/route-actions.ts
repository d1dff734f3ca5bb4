import { newId } from '../store/city-repo.js';
import type { Db } from '../store/db.js';

/**
 * What drivers send back from the road (migration 10): problem reports for the dispatchers,
 * and stops marked done by hand where automatic detection could not tell.
 */
export const reportKinds = ['vehicle_breakdown', 'blocked_road', 'bin_overflow', 'point_not_accessible'] as const;
export type ReportKind = (typeof reportKinds)[number];

export interface DriverReport {
  id: string;
  vehicleId: string;
  planId: string | null;
  stopId: string | null;
  kind: ReportKind;
  note: string | null;
  position: { lon: number; lat: number } | null;
  reportedBy: string;
  reportedAt: string;
}

export interface StopDone {
  planId: string;
  stopId: string;
  vehicleId: string;
  seq: number;
  status: 'done';
  note: string | null;
  markedBy: string;
  markedAt: string;
}

const iso = (d: unknown): string => new Date(d as string).toISOString();

function toReport(r: Record<string, any>): DriverReport {
  return {
    id: r.id, vehicleId: r.vehicle_id, planId: r.plan_id ?? null, stopId: r.stop_id ?? null, kind: r.kind, note: r.note ?? null,
    position: r.lon === null || r.lon === undefined ? null : { lon: r.lon, lat: r.lat }, reportedBy: r.reported_by, reportedAt: iso(r.reported_at),
  };
}

function toMark(r: Record<string, any>): StopDone {
  return { planId: r.plan_id, stopId: r.stop_id, vehicleId: r.vehicle_id, seq: r.seq, status: r.status, note: r.note ?? null, markedBy: r.marked_by, markedAt: iso(r.marked_at) };
}

export class RouteActions {
  constructor(private readonly db: Db) {}

  async report(input: { vehicleId: string; planId: string | null; stopId: string | null; kind: ReportKind; note: string | null; position: { lon: number; lat: number } | null; by: string }): Promise<DriverReport> {
    const res = await this.db.query<Record<string, any>>(
      `insert into driver_reports (id, vehicle_id, plan_id, stop_id, kind, note, lon, lat, reported_by) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning *`,
      [newId('rep'), input.vehicleId, input.planId, input.stopId, input.kind, input.note, input.position?.lon ?? null, input.position?.lat ?? null, input.by],
    );
    return toReport(res.rows[0]!);
  }

  /** `vehicleIds`: only these vehicles' reports (an account's scope). */
  async reports(filter: { vehicleId?: string; vehicleIds?: readonly string[]; planId?: string; kind?: ReportKind; since?: string; limit: number; offset: number }): Promise<{ items: DriverReport[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.vehicleId) where.push(`vehicle_id = $${params.push(filter.vehicleId)}`);
    if (filter.vehicleIds) where.push(`vehicle_id in (select jsonb_array_elements_text($${params.push(JSON.stringify(filter.vehicleIds))}::jsonb))`);
    if (filter.planId) where.push(`plan_id = $${params.push(filter.planId)}`);
    if (filter.kind) where.push(`kind = $${params.push(filter.kind)}`);
    if (filter.since) where.push(`reported_at >= $${params.push(filter.since)}`);
    const w = where.length ? `where ${where.join(' and ')}` : '';
    const total = await this.db.query<{ n: number }>(`select count(*)::int as n from driver_reports ${w}`, params);
    const res = await this.db.query<Record<string, any>>(
      `select * from driver_reports ${w} order by reported_at desc, id limit $${params.length + 1} offset $${params.length + 2}`, [...params, filter.limit, filter.offset],
    );
    return { items: res.rows.map(toReport), total: total.rows[0]!.n };
  }

  /** Marks a stop done; marking it again keeps the first mark (who and when it was first done). */
  async markDone(input: { planId: string; stopId: string; vehicleId: string; seq: number; note: string | null; by: string }): Promise<{ mark: StopDone; created: boolean }> {
    const res = await this.db.query<Record<string, any>>(
      `insert into stop_marks (plan_id, stop_id, vehicle_id, seq, status, note, marked_by) values ($1, $2, $3, $4, 'done', $5, $6)
       on conflict (plan_id, stop_id) do nothing returning *`,
      [input.planId, input.stopId, input.vehicleId, input.seq, input.note, input.by],
    );
    if (res.rows[0]) return { mark: toMark(res.rows[0]), created: true };
    const existing = await this.db.query<Record<string, any>>('select * from stop_marks where plan_id = $1 and stop_id = $2', [input.planId, input.stopId]);
    return { mark: toMark(existing.rows[0]!), created: false };
  }
}
