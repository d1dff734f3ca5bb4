import type { Db, Queryable } from '../store/db.js';
import { newId } from '../store/city-repo.js';
import type { IncidentEvent, IncidentType } from './incident-event.js';
import { parseFixId } from './fix-id.js';

/**
 * Incidents as the enforcement desk keeps them: one row per violation (keyed by the
 * detector's stable key, so a repeated 'open' is an update and never a second row), the
 * detector's view (`detection`: still going or ended) apart from the officers' workflow
 * (`status`: open → acknowledged → assigned → closed, and reopened), and an append-only log
 * of every officer action (the database refuses updates and deletes of it: migration 12).
 */
export const incidentStatuses = ['open', 'acknowledged', 'assigned', 'closed'] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];

export const incidentActions = ['acknowledge', 'assign', 'close', 'reopen'] as const;
export type IncidentAction = (typeof incidentActions)[number];

export const dispositions = ['penalised', 'warned', 'rectified', 'false_alarm', 'duplicate', 'not_enforceable'] as const;
export type Disposition = (typeof dispositions)[number];

/** A very long incident (a truck off its corridor for hours) keeps its first fixes and its latest ones. */
export const MAX_FIX_IDS = 5_000;

export interface Incident {
  id: string;
  key: string;
  type: IncidentType;
  /** Absent only on a spill report no truck could be matched to. */
  vehicleId?: string;
  permitId?: string;
  zoneId?: string;
  contractor?: string;
  district?: string;
  startAt: string;
  endAt?: string;
  lastEventAt: string;
  level: number;
  status: IncidentStatus;
  /** The detector's side: 'open' while the violation goes on, 'closed' once it ended. */
  detection: 'open' | 'closed';
  assignedTo?: string;
  disposition?: Disposition;
  fixIds: string[];
  thresholds: Record<string, number | string>;
  details: Record<string, unknown>;
  spillReportId?: string;
  /** Where it began: the position of the first fix involved (a spill report: its spot). */
  location?: { type: 'Point'; coordinates: [number, number] };
  createdAt: string;
  updatedAt: string;
}

export interface IncidentLogEntry {
  seq: number;
  incidentId: string;
  at: string;
  actor: string;
  actorRole: string;
  action: IncidentAction;
  note?: string;
  disposition?: Disposition;
  assignedTo?: string;
}

export interface IncidentFilter {
  type?: IncidentType;
  status?: IncidentStatus;
  /** not closed by an officer (open, acknowledged or assigned) */
  active?: boolean;
  vehicleId?: string;
  contractor?: string;
  district?: string;
  fromMs?: number;
  toMs?: number;
  limit: number;
  offset: number;
}

/** What the incident's vehicle contributes: the contractor and district it is listed under. */
export interface VehicleFacts {
  contractor?: string;
  district?: string;
}

export class IncidentTransitionError extends Error {
  constructor(message: string, readonly status: IncidentStatus) {
    super(message);
  }
}

interface Row {
  id: string; key: string; type: IncidentType; vehicle_id: string | null; permit_id: string | null; zone_id: string | null;
  contractor: string | null; district: string | null; start_at: Date | string; end_at: Date | string | null;
  last_event_at: Date | string; level: number; status: IncidentStatus; detection: 'open' | 'closed';
  assigned_to: string | null; disposition: Disposition | null; fix_ids: string[]; thresholds: Record<string, number | string>;
  details: Record<string, unknown>; spill_report_id: string | null; lon: number | null; lat: number | null; created_at: Date | string; updated_at: Date | string;
}

const iso = (d: Date | string): string => new Date(d).toISOString();

function toIncident(r: Row): Incident {
  return {
    id: r.id, key: r.key, type: r.type,
    ...(r.vehicle_id ? { vehicleId: r.vehicle_id } : {}),
    ...(r.permit_id ? { permitId: r.permit_id } : {}),
    ...(r.zone_id ? { zoneId: r.zone_id } : {}),
    ...(r.contractor ? { contractor: r.contractor } : {}),
    ...(r.district ? { district: r.district } : {}),
    startAt: iso(r.start_at),
    ...(r.end_at ? { endAt: iso(r.end_at) } : {}),
    lastEventAt: iso(r.last_event_at), level: r.level, status: r.status, detection: r.detection,
    ...(r.assigned_to ? { assignedTo: r.assigned_to } : {}),
    ...(r.disposition ? { disposition: r.disposition } : {}),
    fixIds: r.fix_ids ?? [], thresholds: r.thresholds ?? {}, details: r.details ?? {},
    ...(r.spill_report_id ? { spillReportId: r.spill_report_id } : {}),
    ...(r.lon !== null && r.lat !== null ? { location: { type: 'Point' as const, coordinates: [r.lon, r.lat] as [number, number] } } : {}),
    createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
  };
}

interface LogRow {
  seq: string | number; incident_id: string; at: Date | string; actor: string; actor_role: string; action: IncidentAction;
  note: string | null; disposition: Disposition | null; assigned_to: string | null;
}

function toLogEntry(r: LogRow): IncidentLogEntry {
  return {
    seq: Number(r.seq), incidentId: r.incident_id, at: iso(r.at), actor: r.actor, actorRole: r.actor_role, action: r.action,
    ...(r.note ? { note: r.note } : {}),
    ...(r.disposition ? { disposition: r.disposition } : {}),
    ...(r.assigned_to ? { assignedTo: r.assigned_to } : {}),
  };
}

/** The fix ids so far, in first-seen order, without repeats; beyond the cap the middle goes. */
export function mergeFixIds(known: readonly string[], more: readonly string[]): string[] {
  const seen = new Set(known);
  const out = [...known];
  for (const id of more) {
    if (!seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  }
  if (out.length <= MAX_FIX_IDS) return out;
  const head = Math.floor(MAX_FIX_IDS / 2);
  return [...out.slice(0, head), ...out.slice(out.length - (MAX_FIX_IDS - head))];
}

export class IncidentStore {
  constructor(private readonly db: Db) {}

  /**
   * Applies one detector event. Open, update and close all land on the one row of the key:
   * an update or close whose open was never seen (a restart between them) creates the row,
   * a repeated open only updates it. Returns the incident and whether this event created it.
   */
  async apply(event: IncidentEvent, vehicle: VehicleFacts = {}): Promise<{ incident: Incident; created: boolean }> {
    return this.db.transaction(async (tx) => {
      // most events update an incident that exists: look first, insert only when missing
      let current = (await tx.query<Row>('select * from incidents where key = $1 for update', [event.key])).rows[0];
      let created = false;
      if (!current) {
        // where it began: the first fix involved, else the vehicle's last fix at the start
        const firstFix = event.fixIds.map((id) => parseFixId(id)?.fixTimeMs).find((t) => t !== undefined) ?? event.startMs;
        const at = (await tx.query<{ lon: number; lat: number }>(
          'select lon, lat from positions where vehicle_id = $1 and fix_time <= $2 and positioned and not implausible order by fix_time desc limit 1',
          [event.vehicleId, new Date(firstFix)],
        )).rows[0];
        const inserted = await tx.query<Row>(
          `insert into incidents (id, key, type, vehicle_id, permit_id, zone_id, contractor, district, start_at, last_event_at, level, fix_ids, thresholds, details, lon, lat)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::jsonb, $14::jsonb, $15, $16)
           on conflict (key) do nothing returning *`,
          [
            newId('inc'), event.key, event.type, event.vehicleId, event.permitId ?? null, event.zoneId ?? null,
            vehicle.contractor ?? null, vehicle.district ?? null, new Date(event.startMs), new Date(event.atMs),
            Math.max(1, event.level), JSON.stringify(mergeFixIds([], event.fixIds)), JSON.stringify(event.thresholds), JSON.stringify(event.details),
            at?.lon ?? null, at?.lat ?? null,
          ],
        );
        created = inserted.rows.length > 0;
        // an open (or update) that created the row is all there is to write
        if (created && event.phase !== 'close') return { incident: toIncident(inserted.rows[0]!), created };
        // another instance inserted it between our look and our insert: update theirs
        current = inserted.rows[0] ?? (await tx.query<Row>('select * from incidents where key = $1 for update', [event.key])).rows[0]!;
      }
      const fixIds = created ? current.fix_ids : mergeFixIds(current.fix_ids ?? [], event.fixIds);
      const closing = event.phase === 'close';
      const res = await tx.query<Row>(
        `update incidents set
           level = greatest(level, $2), fix_ids = $3::jsonb, thresholds = $4::jsonb, details = details || $5::jsonb,
           permit_id = coalesce(permit_id, $6), zone_id = coalesce(zone_id, $7),
           last_event_at = greatest(last_event_at, $8),
           detection = case when $9::boolean then 'closed' when $10::boolean then 'open' else detection end,
           end_at = case when $9::boolean then $11 when $10::boolean then null else end_at end,
           updated_at = now()
         where id = $1 returning *`,
        [
          current.id, Math.max(1, event.level), JSON.stringify(fixIds), JSON.stringify(event.thresholds), JSON.stringify(event.details),
          event.permitId ?? null, event.zoneId ?? null, new Date(event.atMs), closing,
          // a detector re-evaluating a late stretch may re-open what it closed (the same key)
          event.phase === 'open' && !created,
          closing ? new Date(event.endMs ?? event.atMs) : null,
        ],
      );
      return { incident: toIncident(res.rows[0]!), created };
    });
  }

  /**
   * A spill incident raised from a report (not by a detector): keyed by the report, on the
   * most likely truck when one passed; the candidates go into the details.
   */
  async openFromReport(input: {
    reportId: string; startMs: number; vehicleId?: string; permitId?: string; vehicle?: VehicleFacts; location: [number, number];
    thresholds: Record<string, number | string>; details: Record<string, unknown>;
  }, q: Queryable = this.db): Promise<Incident> {
    const res = await q.query<Row>(
      `insert into incidents (id, key, type, vehicle_id, permit_id, contractor, district, start_at, end_at, last_event_at, detection, thresholds, details, spill_report_id, lon, lat)
       values ($1, $2, 'spill', $3, $4, $5, $6, $7, $7, $7, 'closed', $8::jsonb, $9::jsonb, $10, $11, $12)
       on conflict (key) do update set updated_at = now() returning *`,
      [
        newId('inc'), `spill:report:${input.reportId}`, input.vehicleId ?? null, input.permitId ?? null,
        input.vehicle?.contractor ?? null, input.vehicle?.district ?? null, new Date(input.startMs),
        JSON.stringify(input.thresholds), JSON.stringify(input.details), input.reportId, input.location[0], input.location[1],
      ],
    );
    return toIncident(res.rows[0]!);
  }

  async get(id: string, q: Queryable = this.db): Promise<Incident | undefined> {
    const res = await q.query<Row>('select * from incidents where id = $1', [id]);
    return res.rows[0] ? toIncident(res.rows[0]) : undefined;
  }

  async getByKey(key: string): Promise<Incident | undefined> {
    const res = await this.db.query<Row>('select * from incidents where key = $1', [key]);
    return res.rows[0] ? toIncident(res.rows[0]) : undefined;
  }

  /** Newest first; `total` counts every match. */
  async list(f: IncidentFilter): Promise<{ items: Incident[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.type) add('type = ?', f.type);
    if (f.status) add('status = ?', f.status);
    if (f.active) where.push("status <> 'closed'");
    if (f.vehicleId) add('vehicle_id = ?', f.vehicleId);
    if (f.contractor) add('contractor = ?', f.contractor);
    if (f.district) add('district = ?', f.district);
    // an incident overlapping [from, to): started before `to`, not ended before `from`
    if (f.toMs !== undefined) add('start_at < ?', new Date(f.toMs));
    if (f.fromMs !== undefined) add('coalesce(end_at, last_event_at) >= ?', new Date(f.fromMs));
    const whereSql = where.length ? `where ${where.join(' and ')}` : '';
    const total = Number((await this.db.query<{ n: string | number }>(`select count(*) as n from incidents ${whereSql}`, params)).rows[0]?.n ?? 0);
    params.push(f.limit, f.offset);
    const res = await this.db.query<Row>(
      `select * from incidents ${whereSql} order by start_at desc, id limit $${params.length - 1} offset $${params.length}`, params,
    );
    return { items: res.rows.map(toIncident), total };
  }

  /**
   * An officer's action: checked against the current status, applied, and appended to the
   * log in one transaction. Acknowledge: open → acknowledged; assign: any status but closed;
   * close: any status but closed (disposition and note required by the API); reopen: closed → open.
   */
  async act(id: string, action: IncidentAction, who: { actor: string; role: string }, input: { note?: string; disposition?: Disposition; assignedTo?: string } = {}): Promise<Incident | undefined> {
    return this.db.transaction(async (tx) => {
      const row = (await tx.query<Row>('select * from incidents where id = $1 for update', [id])).rows[0];
      if (!row) return undefined;
      const next = nextStatus(row.status, action);
      if (!next) throw new IncidentTransitionError(`cannot ${action} an incident that is ${row.status}`, row.status);
      const res = await tx.query<Row>(
        `update incidents set status = $2,
           assigned_to = case when $3::boolean then $4 else assigned_to end,
           disposition = case when $5::boolean then $6 when $7::boolean then null else disposition end,
           updated_at = now()
         where id = $1 returning *`,
        [id, next, action === 'assign', input.assignedTo ?? null, action === 'close', input.disposition ?? null, action === 'reopen'],
      );
      await tx.query(
        `insert into incident_log (incident_id, actor, actor_role, action, note, disposition, assigned_to) values ($1, $2, $3, $4, $5, $6, $7)`,
        [id, who.actor, who.role, action, input.note ?? null, action === 'close' ? input.disposition ?? null : null, action === 'assign' ? input.assignedTo ?? null : null],
      );
      return toIncident(res.rows[0]!);
    });
  }

  async log(id: string, q: Queryable = this.db): Promise<IncidentLogEntry[]> {
    const res = await q.query<LogRow>('select * from incident_log where incident_id = $1 order by seq', [id]);
    return res.rows.map(toLogEntry);
  }

  /** Links a spill incident to the report it was raised from. */
  async linkSpillReport(incidentId: string, reportId: string, q: Queryable = this.db): Promise<void> {
    await q.query('update incidents set spill_report_id = $2, updated_at = now() where id = $1', [incidentId, reportId]);
  }
}

export function nextStatus(status: IncidentStatus, action: IncidentAction): IncidentStatus | undefined {
  switch (action) {
    case 'acknowledge': return status === 'open' ? 'acknowledged' : undefined;
    case 'assign': return status === 'closed' ? undefined : 'assigned';
    case 'close': return status === 'closed' ? undefined : 'closed';
    case 'reopen': return status === 'closed' ? 'open' : undefined;
  }
}

/**
 * The enforcement figures over incidents that started in [from, to): per type and per
 * contractor (total, still open, closed, confirmed = closed as penalised / warned / rectified,
 * dismissed = closed as false alarm / duplicate), and the spill detection-and-handling rate
 * (渣土漏撒查处率): spill incidents closed with a confirming disposition (penalised, warned,
 * rectified) or as not enforceable, over spill incidents that were not dismissed — the
 * detected spills the officers dealt with.
 */
export interface IncidentFigures {
  from: string;
  to: string;
  total: number;
  byType: Array<{ type: IncidentType; total: number; open: number; closed: number; confirmed: number; dismissed: number }>;
  /**
   * The contractors' ranking for the period, most incidents first, counting those not dismissed
   * (`counted` = total - dismissed): a false alarm an officer closed is not held against anyone.
   */
  byContractor: Array<{ contractor: string | null; total: number; counted: number; open: number; closed: number; confirmed: number; dismissed: number; byType: Record<string, number> }>;
  spill: { total: number; dismissed: number; handled: number; rate: number | null };
}

export async function incidentFigures(db: Db, f: { fromMs: number; toMs: number; contractor?: string; district?: string }): Promise<IncidentFigures> {
  const params: unknown[] = [new Date(f.fromMs), new Date(f.toMs)];
  let scope = '';
  if (f.contractor !== undefined) scope += ` and contractor = $${params.push(f.contractor)}`;
  if (f.district !== undefined) scope += ` and district = $${params.push(f.district)}`;
  const res = await db.query<{ type: IncidentType; contractor: string | null; status: IncidentStatus; disposition: Disposition | null; n: number }>(
    `select type, contractor, status, disposition, count(*)::int as n from incidents
     where start_at >= $1 and start_at < $2${scope} group by type, contractor, status, disposition`,
    params,
  );
  const confirmed = (d: Disposition | null) => d === 'penalised' || d === 'warned' || d === 'rectified';
  const dismissed = (d: Disposition | null) => d === 'false_alarm' || d === 'duplicate';
  const types = new Map<IncidentType, IncidentFigures['byType'][number]>();
  const contractors = new Map<string | null, IncidentFigures['byContractor'][number]>();
  const spill = { total: 0, dismissed: 0, handled: 0, rate: null as number | null };
  let total = 0;
  for (const r of res.rows) {
    const closed = r.status === 'closed';
    const add = (x: { total: number; open: number; closed: number; confirmed: number; dismissed: number }) => {
      x.total += r.n;
      if (closed) x.closed += r.n;
      else x.open += r.n;
      if (closed && confirmed(r.disposition)) x.confirmed += r.n;
      if (closed && dismissed(r.disposition)) x.dismissed += r.n;
    };
    total += r.n;
    let t = types.get(r.type);
    if (!t) types.set(r.type, (t = { type: r.type, total: 0, open: 0, closed: 0, confirmed: 0, dismissed: 0 }));
    add(t);
    let c = contractors.get(r.contractor);
    if (!c) contractors.set(r.contractor, (c = { contractor: r.contractor, total: 0, counted: 0, open: 0, closed: 0, confirmed: 0, dismissed: 0, byType: {} }));
    add(c);
    c.byType[r.type] = (c.byType[r.type] ?? 0) + r.n;
    if (r.type === 'spill') {
      spill.total += r.n;
      if (closed && dismissed(r.disposition)) spill.dismissed += r.n;
      if (closed && (confirmed(r.disposition) || r.disposition === 'not_enforceable')) spill.handled += r.n;
    }
  }
  for (const c of contractors.values()) c.counted = c.total - c.dismissed;
  const counted = spill.total - spill.dismissed;
  spill.rate = counted > 0 ? Math.round((spill.handled / counted) * 10_000) / 10_000 : null;
  return {
    from: new Date(f.fromMs).toISOString(), to: new Date(f.toMs).toISOString(), total,
    byType: [...types.values()].sort((a, b) => b.total - a.total || a.type.localeCompare(b.type)),
    byContractor: [...contractors.values()].sort((a, b) => b.counted - a.counted || String(a.contractor).localeCompare(String(b.contractor))),
    spill,
  };
}
