import { haversineM } from '../../solver/index.js';
import type { Db } from '../store/db.js';

/**
 * Which muck trucks may have lost the load a sweeper, a citizen or an officer reports: every
 * muck truck with a plausible fix within `radiusM` of the spot in the `windowS` before the
 * report (and a short grace after: the report's clock and the terminals' differ), ranked by
 * a likelihood score in [0, 1], the sum of five weighted terms:
 *
 *   distance  0.35 × (1 − closest approach / radius)          nearer passes first
 *   loaded    0.15 if loaded at the pass (state not empty, or payload ≥ LOADED_KG)
 *   cover     0.15 if the cover was reported open within PASS_NEIGHBOURHOOD_MS of the pass
 *   load drop 0.20 × min(1, payload drop / FULL_DROP_KG) across the pass, or 0.20 for a
 *             state step down (full → half / empty) across it
 *   recency   0.15 × (1 − time from the pass to the report / window)
 *
 * A truck that passed empty, covered, far and long ago scores near 0; one that passed over
 * the spot loaded with its cover open and dropped 2 t there scores near 1. The terms are
 * returned with the score, so an officer sees why a truck ranks where it does.
 */
export const SPILL_WEIGHTS = { distance: 0.35, loaded: 0.15, cover: 0.15, loadDrop: 0.2, recency: 0.15 } as const;
export const LOADED_KG = 1_000;
export const FULL_DROP_KG = 2_000;
export const PASS_NEIGHBOURHOOD_MS = 5 * 60_000;
export const REPORT_GRACE_MS = 10 * 60_000;
export const DEFAULT_SPILL_RADIUS_M = 150;
export const DEFAULT_SPILL_WINDOW_S = 2 * 3600;

export interface SpillFix {
  fixTimeMs: number;
  lon: number;
  lat: number;
  speedKmh: number;
  loadState: string | null;
  loadKg: number | null;
  coverClosed: boolean | null;
}

export interface SpillCandidate {
  vehicleId: string;
  plate?: string;
  contractor?: string;
  score: number;
  passAt: string;
  distanceM: number;
  passPosition: [number, number];
  loadedAtPass: boolean;
  coverOpenNearPass: boolean;
  loadDropKg: number;
  loadStateStepDown: boolean;
  terms: Record<keyof typeof SPILL_WEIGHTS, number>;
  fixTimes: string[];
}

const rank: Record<string, number> = { empty: 0, half: 1, full: 2 };
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Scores one truck's fixes (in time order, plausible only) against the reported spot. The pass
 * is the closest fix, or the fix at `passAtMs` when the caller found it in the window already.
 */
export function scoreCandidate(
  vehicleId: string, fixes: SpillFix[], spot: { lon: number; lat: number; atMs: number }, radiusM: number, windowS: number, passAtMs?: number,
): SpillCandidate | undefined {
  let best = -1;
  let bestD = Infinity;
  fixes.forEach((f, i) => {
    const d = haversineM(f.lon, f.lat, spot.lon, spot.lat);
    if (passAtMs !== undefined ? f.fixTimeMs === passAtMs : d < bestD) {
      bestD = d;
      best = i;
    }
  });
  if (best < 0 || bestD > radiusM) return undefined;
  const pass = fixes[best]!;
  const near = fixes.filter((f) => Math.abs(f.fixTimeMs - pass.fixTimeMs) <= PASS_NEIGHBOURHOOD_MS);
  const before = near.filter((f) => f.fixTimeMs <= pass.fixTimeMs);
  const after = near.filter((f) => f.fixTimeMs >= pass.fixTimeMs);
  const loadedAtPass = (pass.loadState !== null && pass.loadState !== 'empty') || (pass.loadKg ?? 0) >= LOADED_KG;
  const coverOpenNearPass = near.some((f) => f.coverClosed === false);
  const kgBefore = Math.max(...before.map((f) => f.loadKg ?? -Infinity));
  const kgAfter = Math.min(...after.map((f) => f.loadKg ?? Infinity));
  const loadDropKg = Number.isFinite(kgBefore) && Number.isFinite(kgAfter) ? Math.max(0, kgBefore - kgAfter) : 0;
  const stateBefore = Math.max(...before.map((f) => rank[f.loadState ?? ''] ?? -1));
  const stateAfter = Math.min(...after.map((f) => rank[f.loadState ?? ''] ?? 99));
  const loadStateStepDown = stateBefore >= 0 && stateAfter < 99 && stateAfter < stateBefore;
  const sinceS = Math.max(0, (spot.atMs - pass.fixTimeMs) / 1000);
  const terms = {
    distance: SPILL_WEIGHTS.distance * (1 - bestD / radiusM),
    loaded: loadedAtPass ? SPILL_WEIGHTS.loaded : 0,
    cover: coverOpenNearPass ? SPILL_WEIGHTS.cover : 0,
    loadDrop: loadStateStepDown ? SPILL_WEIGHTS.loadDrop : SPILL_WEIGHTS.loadDrop * Math.min(1, loadDropKg / FULL_DROP_KG),
    recency: SPILL_WEIGHTS.recency * Math.max(0, 1 - sinceS / windowS),
  };
  const score = Object.values(terms).reduce((a, b) => a + b, 0);
  return {
    vehicleId, score: round(score), passAt: new Date(pass.fixTimeMs).toISOString(), distanceM: round(bestD, 1),
    passPosition: [pass.lon, pass.lat], loadedAtPass, coverOpenNearPass, loadDropKg: round(loadDropKg, 0), loadStateStepDown,
    terms: Object.fromEntries(Object.entries(terms).map(([k, v]) => [k, round(v)])) as SpillCandidate['terms'],
    fixTimes: near.map((f) => new Date(f.fixTimeMs).toISOString()),
  };
}

interface Row {
  vehicle_id: string; fix_time: Date | string; lon: number; lat: number; speed_kmh: number;
  load_state: string | null; load_kg: number | null; cover_closed: boolean | null; plate: string; contractor: string | null;
}

/**
 * The muck trucks that passed within the radius and window, most likely first. Two reads: the
 * fixes inside the radius's box in the window (few), then, per truck that came close enough,
 * its fixes around the closest approach (the key's index), for the load and cover terms.
 */
export async function matchSpill(db: Db, spot: { lon: number; lat: number; atMs: number }, radiusM: number, windowS: number): Promise<SpillCandidate[]> {
  const dLat = radiusM / 111_320;
  const dLon = radiusM / (111_320 * Math.max(0.01, Math.cos((spot.lat * Math.PI) / 180)));
  const near = await db.query<Row>(
    `select p.vehicle_id, p.fix_time, p.lon, p.lat, p.speed_kmh, p.load_state, p.load_kg, p.cover_closed, v.plate, v.doc->>'contractor' as contractor
     from positions p join vehicles v on v.id = p.vehicle_id
     where v.kind = 'muck_truck' and p.fix_time >= $1 and p.fix_time <= $2 and p.positioned and not p.implausible
       and p.lat between $3 and $4 and p.lon between $5 and $6
     order by p.vehicle_id, p.fix_time`,
    [new Date(spot.atMs - windowS * 1000), new Date(spot.atMs + REPORT_GRACE_MS), spot.lat - dLat, spot.lat + dLat, spot.lon - dLon, spot.lon + dLon],
  );
  const passes = new Map<string, { plate: string; contractor: string | null; fix: SpillFix; distanceM: number }>();
  for (const r of near.rows) {
    const fix = toFix(r);
    const d = haversineM(fix.lon, fix.lat, spot.lon, spot.lat);
    const best = passes.get(r.vehicle_id);
    if (d <= radiusM && (!best || d < best.distanceM)) passes.set(r.vehicle_id, { plate: r.plate, contractor: r.contractor, fix, distanceM: d });
  }
  const out: SpillCandidate[] = [];
  for (const [vehicleId, pass] of passes) {
    const around = await db.query<Row>(
      `select vehicle_id, fix_time, lon, lat, speed_kmh, load_state, load_kg, cover_closed, '' as plate, null as contractor
       from positions where vehicle_id = $1 and fix_time >= $2 and fix_time <= $3 and positioned and not implausible order by fix_time`,
      [vehicleId, new Date(pass.fix.fixTimeMs - PASS_NEIGHBOURHOOD_MS), new Date(pass.fix.fixTimeMs + PASS_NEIGHBOURHOOD_MS)],
    );
    // the pass is the closest approach inside the window; its neighbourhood may reach beyond the window
    const c = scoreCandidate(vehicleId, around.rows.map(toFix), spot, radiusM, windowS, pass.fix.fixTimeMs);
    if (c) out.push({ ...c, plate: pass.plate, ...(pass.contractor ? { contractor: pass.contractor } : {}) });
  }
  return out.sort((a, b) => b.score - a.score || a.distanceM - b.distanceM || a.vehicleId.localeCompare(b.vehicleId));
}

function toFix(r: Row): SpillFix {
  return {
    fixTimeMs: new Date(r.fix_time).getTime(), lon: r.lon, lat: r.lat, speedKmh: r.speed_kmh,
    loadState: r.load_state, loadKg: r.load_kg, coverClosed: r.cover_closed,
  };
}
