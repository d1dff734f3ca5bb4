import type { Db } from '../store/db.js';
import { newId } from '../store/city-repo.js';
import type { Incident, IncidentStore, VehicleFacts } from './incident-store.js';
import { matchSpill, SPILL_WEIGHTS, type SpillCandidate } from './spill-match.js';

/**
 * Spill reports (遗撒举报) from sweepers, citizens and officers: stored with the muck trucks
 * matched to them (spill-match.ts), and each raised as a 'spill' incident on the most likely
 * truck with every candidate in its details, so it is handled like any other incident (the
 * city's spill detection-and-handling rate counts reported spills too).
 */
export const reporterKinds = ['sweeper', 'citizen', 'officer'] as const;
export type ReporterKind = (typeof reporterKinds)[number];

export interface SpillReportInput {
  reportedAtMs: number;
  lon: number;
  lat: number;
  reporterKind: ReporterKind;
  note?: string;
  /** A data: URL (small image) or an https URL. */
  photo?: string;
  reportedBy: string;
  radiusM: number;
  windowS: number;
}

/** A report as stored: what was reported (time and place as ISO time and GeoJSON) and what it matched. */
export interface SpillReport extends Pick<SpillReportInput, 'reporterKind' | 'note' | 'photo' | 'reportedBy' | 'radiusM' | 'windowS'> {
  id: string;
  reportedAt: string;
  location: { type: 'Point'; coordinates: [number, number] };
  candidates: SpillCandidate[];
  incidentId?: string;
  createdAt: string;
}

interface Row {
  id: string; reported_at: Date | string; lon: number; lat: number; reporter_kind: ReporterKind; note: string | null; photo: string | null;
  reported_by: string; radius_m: number; window_s: number; candidates: SpillCandidate[]; incident_id: string | null; created_at: Date | string;
}

function toReport(r: Row): SpillReport {
  return {
    id: r.id, reportedAt: new Date(r.reported_at).toISOString(), location: { type: 'Point', coordinates: [r.lon, r.lat] },
    reporterKind: r.reporter_kind, ...(r.note ? { note: r.note } : {}), ...(r.photo ? { photo: r.photo } : {}),
    reportedBy: r.reported_by, radiusM: r.radius_m, windowS: r.window_s, candidates: r.candidates ?? [],
    ...(r.incident_id ? { incidentId: r.incident_id } : {}), createdAt: new Date(r.created_at).toISOString(),
  };
}

export class SpillReports {
  constructor(private readonly db: Db, private readonly incidents: IncidentStore, private readonly vehicleFacts: (id: string) => Promise<VehicleFacts | undefined>) {}

  /** Stores the report with its ranked candidates and raises its spill incident. */
  async report(input: SpillReportInput): Promise<{ report: SpillReport; incident: Incident }> {
    const candidates = await matchSpill(this.db, { lon: input.lon, lat: input.lat, atMs: input.reportedAtMs }, input.radiusM, input.windowS);
    const id = newId('spr');
    const top = candidates[0];
    const facts = top ? await this.vehicleFacts(top.vehicleId) : undefined;
    return this.db.transaction(async (tx) => {
      const incident = await this.incidents.openFromReport({
        reportId: id, startMs: top ? Date.parse(top.passAt) : input.reportedAtMs, vehicleId: top?.vehicleId, vehicle: facts, location: [input.lon, input.lat],
        thresholds: { radiusM: input.radiusM, windowS: input.windowS, ...Object.fromEntries(Object.entries(SPILL_WEIGHTS).map(([k, w]) => [`weight.${k}`, w])) },
        details: {
          source: 'report', reportId: id, reporterKind: input.reporterKind, reportedAt: new Date(input.reportedAtMs).toISOString(),
          location: [input.lon, input.lat], ...(input.note ? { note: input.note } : {}),
          candidates: candidates.map(({ fixTimes: _f, ...c }) => c),
        },
      }, tx);
      const res = await tx.query<Row>(
        `insert into spill_reports (id, reported_at, lon, lat, reporter_kind, note, photo, reported_by, radius_m, window_s, candidates, incident_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12) returning *`,
        [id, new Date(input.reportedAtMs), input.lon, input.lat, input.reporterKind, input.note ?? null, input.photo ?? null,
          input.reportedBy, input.radiusM, input.windowS, JSON.stringify(candidates), incident.id],
      );
      return { report: toReport(res.rows[0]!), incident };
    });
  }

  async get(id: string): Promise<SpillReport | undefined> {
    const res = await this.db.query<Row>('select * from spill_reports where id = $1', [id]);
    return res.rows[0] ? toReport(res.rows[0]) : undefined;
  }

  async list(f: { fromMs?: number; toMs?: number; limit: number; offset: number }): Promise<{ items: SpillReport[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.fromMs !== undefined) where.push(`reported_at >= $${params.push(new Date(f.fromMs))}`);
    if (f.toMs !== undefined) where.push(`reported_at < $${params.push(new Date(f.toMs))}`);
    const w = where.length ? `where ${where.join(' and ')}` : '';
    const total = Number((await this.db.query<{ n: string | number }>(`select count(*) as n from spill_reports ${w}`, params)).rows[0]?.n ?? 0);
    const res = await this.db.query<Row>(
      `select * from spill_reports ${w} order by reported_at desc, id limit $${params.length + 1} offset $${params.length + 2}`, [...params, f.limit, f.offset],
    );
    return { items: res.rows.map(toReport), total };
  }
}
