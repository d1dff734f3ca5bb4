import type { Db } from '../store/db.js';
import { queryTrack } from '../tracking/track.js';
import { fixId, parseFixId } from './fix-id.js';
import type { Incident, IncidentLogEntry } from './incident-store.js';

/**
 * The evidence chain of one incident (执法全过程记录) as one GeoJSON FeatureCollection: the
 * track snippet around it (the fixes involved flagged, plus a margin before and after), the
 * area the rule was judged against (the permit's corridor as its buffered area, the zone's
 * polygon, the facilities named in the details — outline when known, else their point), the
 * status series per fix (load, cover, lift, speed) and the thresholds in force, with the
 * officers' log. The printable page (evidence-page.ts) shows the same facts.
 */
export const EVIDENCE_MARGIN_MS = 2 * 60_000;
/** A snippet longer than this is thinned (the fixes involved and every alarm are kept by the track's rules). */
export const EVIDENCE_MAX_POINTS = 5_000;

type Geometry = { type: string; coordinates: unknown };
type Doc = Record<string, any>;

export interface EvidenceLookups {
  permit(id: string): Promise<Doc | undefined>;
  zone(id: string): Promise<Doc | undefined>;
  facility(id: string): Promise<Doc | undefined>;
  site(id: string): Promise<Doc | undefined>;
  vehicle(id: string): Promise<Doc | undefined>;
  collectionPoint(id: string): Promise<Doc | undefined>;
  roadSegment(id: string): Promise<Doc | undefined>;
}

/**
 * A missed collection or sweeping gap is judged plan against track: its evidence is the vehicle's
 * track over what the plan asked (the stop's window; the street from its planned time to its
 * deadline), not a few minutes round the moment it was judged missed. Undefined for other incidents.
 */
export function planEventSpan(incident: Pick<Incident, 'type' | 'details'>): { fromMs: number; toMs: number } | undefined {
  const d = incident.details;
  const [from, to] = incident.type === 'missed_collection' ? [d.windowStart, d.windowEnd]
    : incident.type === 'sweeping_gap' ? [d.plannedStart, d.deadline] : [undefined, undefined];
  const [fromMs, toMs] = [Date.parse(String(from)), Date.parse(String(to))];
  return Number.isFinite(fromMs) && Number.isFinite(toMs) ? { fromMs: Math.min(fromMs, toMs), toMs } : undefined;
}

/**
 * The fix time a fix id names: the detectors' `<vehicleId>@<ISO fix time>` (fix-id.ts); a bare
 * epoch ms or ISO time is read too (ids from other sources).
 */
export function fixTimeOfId(id: string): number | undefined {
  const parsed = parseFixId(id);
  if (parsed) return parsed.fixTimeMs;
  if (/^\d{10,16}$/.test(id)) return Number(id);
  const t = Date.parse(id);
  return Number.isFinite(t) ? t : undefined;
}

export interface StatusPoint {
  fixTime: string;
  involved: boolean;
  speedKmh: number;
  loadState: string | null;
  loadKg: number | null;
  coverClosed: boolean | null;
  bodyLifted: boolean | null;
  implausible: boolean;
}

export interface Evidence {
  type: 'FeatureCollection';
  properties: {
    incident: Incident;
    vehicle?: { id: string; plate?: string; contractor?: string; kind?: string };
    thresholds: Record<string, number | string>;
    window: { from: string; to: string; marginS: number };
    fixesInvolved: number;
    statusSeries: StatusPoint[];
    log: IncidentLogEntry[];
    truncated: boolean;
  };
  features: Array<{ type: 'Feature'; geometry: Geometry; properties: Record<string, unknown> }>;
}

/** Facility and site ids the details name (siteId, disposalFacilityId, nearestFacilityId, …). */
function namedPlaces(details: Record<string, unknown>): { facilities: string[]; sites: string[] } {
  const facilities = new Set<string>();
  const sites = new Set<string>();
  for (const [k, v] of Object.entries(details)) {
    if (typeof v !== 'string') continue;
    if (/facilityId$/i.test(k)) facilities.add(v);
    else if (/siteId$/i.test(k)) {
      // a "site" in the details may be a construction site or a disposal facility
      sites.add(v);
      facilities.add(v);
    }
  }
  return { facilities: [...facilities], sites: [...sites] };
}

async function corridorArea(permit: Doc): Promise<Geometry | undefined> {
  // turf is large: loaded on the first evidence that needs a corridor.
  const { buffer } = await import('@turf/turf');
  const area = buffer({ type: 'Feature', properties: {}, geometry: permit.corridor.line }, permit.corridor.widthM / 2, { units: 'meters' });
  return area?.geometry as Geometry | undefined;
}

export async function buildEvidence(db: Db, lookups: EvidenceLookups, incident: Incident, log: IncidentLogEntry[]): Promise<Evidence> {
  const startMs = Date.parse(incident.startAt);
  const endMs = Date.parse(incident.endAt ?? incident.lastEventAt);
  const involvedTimes = new Set(incident.fixIds.map(fixTimeOfId).filter((t): t is number => t !== undefined));
  const planned = planEventSpan(incident);
  const firstMs = Math.min(planned?.fromMs ?? startMs, ...involvedTimes);
  const lastMs = Math.max(planned?.toMs ?? endMs, ...involvedTimes);
  const fromMs = firstMs - EVIDENCE_MARGIN_MS;
  const toMs = lastMs + EVIDENCE_MARGIN_MS + 1;
  const track = incident.vehicleId
    ? await queryTrack(db, incident.vehicleId, { fromMs, toMs, maxPoints: EVIDENCE_MAX_POINTS })
    : { features: [], properties: { truncated: false, totalFixes: 0, returnedFixes: 0 } };
  const features: Evidence['features'] = [];
  const statusSeries: StatusPoint[] = [];
  for (const f of track.features) {
    if (f.properties.kind === 'path') {
      features.push({ type: 'Feature', geometry: f.geometry as Geometry, properties: { kind: 'track', vehicleId: incident.vehicleId } });
      continue;
    }
    const p = f.properties as Record<string, any>;
    const fixMs = Date.parse(p.fixTime);
    // (plan against track: what is missing is the violation, so no fix of the window is flagged)
    const involved = involvedTimes.has(fixMs) || (involvedTimes.size === 0 && !planned && fixMs >= startMs && fixMs <= endMs);
    features.push({ type: 'Feature', geometry: f.geometry as Geometry, properties: { ...p, kind: 'fix', fixId: fixId(incident.vehicleId!, fixMs), involved } });
    statusSeries.push({
      fixTime: p.fixTime, involved, speedKmh: p.speedKmh, loadState: p.loadState, loadKg: p.loadKg,
      coverClosed: p.coverClosed, bodyLifted: p.bodyLifted, implausible: p.implausible,
    });
  }
  if (incident.permitId) {
    const permit = await lookups.permit(incident.permitId);
    if (permit) {
      const area = await corridorArea(permit);
      if (area) features.push({ type: 'Feature', geometry: area, properties: { kind: 'corridor', permitId: permit.id, number: permit.number, widthM: permit.corridor.widthM } });
      features.push({ type: 'Feature', geometry: permit.corridor.line, properties: { kind: 'corridor_line', permitId: permit.id } });
    }
  }
  if (incident.zoneId) {
    const zone = await lookups.zone(incident.zoneId);
    if (zone) features.push({ type: 'Feature', geometry: zone.area, properties: { kind: 'zone', zoneId: zone.id, name: zone.name, mode: zone.mode, hours: zone.hours, speedLimitKmh: zone.speedLimitKmh } });
  }
  const named = namedPlaces(incident.details);
  for (const id of named.facilities) {
    const f = await lookups.facility(id);
    if (f) features.push({ type: 'Feature', geometry: f.outline ?? f.location, properties: { kind: 'facility', facilityId: f.id, name: f.name, facilityKind: f.kind, outline: !!f.outline } });
  }
  for (const id of named.sites) {
    const s = await lookups.site(id);
    if (s) features.push({ type: 'Feature', geometry: s.area ?? s.location, properties: { kind: 'site', siteId: s.id, name: s.name, outline: !!s.area } });
  }
  // plan against track: the point not collected, the street not swept (with its coverage)
  if (incident.type === 'missed_collection' && typeof incident.details.pointId === 'string') {
    const point = await lookups.collectionPoint(incident.details.pointId);
    if (point) features.push({ type: 'Feature', geometry: point.location, properties: { kind: 'collection_point', pointId: point.id, name: point.name, wasteClass: point.wasteClass } });
  }
  if (incident.type === 'sweeping_gap' && typeof incident.details.segmentId === 'string') {
    const street = await lookups.roadSegment(incident.details.segmentId);
    if (street) {
      features.push({ type: 'Feature', geometry: street.geometry, properties: {
        kind: 'street', segmentId: street.id, name: street.name, passes: incident.details.passes, requiredPasses: incident.details.requiredPasses,
        partialShare: incident.details.partialShare, lengthM: incident.details.lengthM,
      } });
    }
  }
  // a spill report: where it was reported, and where each candidate truck passed
  if (incident.details.source === 'report' && Array.isArray(incident.details.location)) {
    features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: incident.details.location }, properties: {
      kind: 'spill_report', reportId: incident.details.reportId, reporterKind: incident.details.reporterKind, reportedAt: incident.details.reportedAt,
    } });
    for (const c of (incident.details.candidates ?? []) as Array<Record<string, any>>) {
      features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: c.passPosition }, properties: { kind: 'candidate_pass', ...c } });
    }
  }
  const vehicle = incident.vehicleId ? await lookups.vehicle(incident.vehicleId) : undefined;
  return {
    type: 'FeatureCollection',
    properties: {
      incident,
      ...(vehicle ? { vehicle: { id: vehicle.id, plate: vehicle.plate, contractor: vehicle.contractor, kind: vehicle.kind } } : {}),
      thresholds: incident.thresholds,
      window: { from: new Date(fromMs).toISOString(), to: new Date(toMs - 1).toISOString(), marginS: EVIDENCE_MARGIN_MS / 1000 },
      fixesInvolved: statusSeries.filter((s) => s.involved).length,
      statusSeries,
      log,
      truncated: track.properties.truncated || track.properties.totalFixes > track.properties.returnedFixes,
    },
    features,
  };
}
