/**
 * Scoring a validated benchmark solution against a best-known value, for bench/solver.ts. Every
 * figure comes from the validator's recomputation. A row counts in a mean gap only when it is
 * valid, leaves nothing unserved and (hierarchical objective) uses the best-known fleet; a value
 * below the best known beyond its printed rounding is flagged for checking, never "optimal".
 */
import type { ValidationReport } from '../validate.js';

/** A best-known value as the data table prints it (its decimals say how far it was rounded). */
export interface BestKnown { value: number; text: string; proven: boolean; vehicles?: number; doubtful?: boolean }

/**
 * One instance, every figure from the validator's recomputation. `gapPct` is set only on rows
 * that count in the mean gap: valid, nothing unserved, and (hierarchical) the best-known fleet.
 */
export interface Row {
  name: string; vehicles: number; value: number; bks?: BestKnown; gapPct?: number; timeS: number;
  valid: boolean; violations: number; unserved: number;
  /** at the best-known value (within its rounding); `optimal` only where that value is proven optimal */
  atBks: boolean; optimal: boolean;
  /** better than the best known beyond its rounding, or fewer vehicles: to be checked, never "optimal" */
  check: boolean;
  status: string;
}

/** Half the last printed digit of a best-known value: what its rounding may hide. */
export const halfUnit = (text: string) => 0.5 * 10 ** -((text.split('.')[1] ?? '').length);

/** Score a validated solution against a best-known value (distance, or cost for `value: 'cost'`). */
export function score(name: string, report: ValidationReport, timeS: number, bks?: BestKnown, value: 'distance' | 'cost' = 'distance'): Row {
  const r = report.recomputed;
  const row: Row = { name, vehicles: r.vehicles, value: value === 'cost' ? r.cost : r.distanceM, bks, timeS, valid: report.valid,
    violations: report.violations.length, unserved: report.unservedCount, atBks: false, optimal: false, check: false, status: '' };
  if (!report.valid) { row.status = `INVALID (${row.violations} violations)`; return row; }
  if (!report.complete) { row.status = `UNSERVED ${row.unserved}`; return row; }
  if (!bks) { row.status = 'valid, all served'; return row; }
  if (bks.vehicles !== undefined && row.vehicles !== bks.vehicles) {
    row.check = row.vehicles < bks.vehicles;
    row.status = row.check ? 'FEWER VEHICLES THAN BEST KNOWN: check' : `+${row.vehicles - bks.vehicles} vehicles (no gap)`;
    return row;
  }
  row.gapPct = (100 * (row.value - bks.value)) / bks.value;
  const diff = row.value - bks.value, tolerance = halfUnit(bks.text) + 1e-9 * bks.value;
  if (diff < -tolerance) {
    row.check = true;
    row.status = `BELOW BEST KNOWN: check${bks.doubtful ? ' (best known marked doubtful)' : ''}`;
  } else if (diff <= tolerance) {
    row.atBks = true;
    row.optimal = bks.proven;
    row.status = bks.proven ? 'optimal' : 'at best known';
  } else {
    row.status = 'above best known';
  }
  return row;
}

export const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
export const sum = (rows: Row[], f: (r: Row) => number) => rows.reduce((a, r) => a + f(r), 0);

/** What every set reports: how many rows count, and why the others do not. */
export function tally(rows: Row[]) {
  const counted = rows.filter((r) => r.gapPct !== undefined);
  const gaps = counted.map((r) => r.gapPct!);
  return {
    instances: rows.length,
    valid: rows.filter((r) => r.valid).length,
    invalid: rows.filter((r) => !r.valid).length,
    withUnserved: rows.filter((r) => r.valid && r.unserved > 0).length,
    inMeanGap: counted.length,
    meanGapPct: round(mean(gaps), 3),
    maxGapPct: gaps.length ? round(Math.max(...gaps), 3) : NaN,
    atBestKnown: rows.filter((r) => r.atBks).length,
    optimalFound: rows.filter((r) => r.optimal).length,
    toCheck: rows.filter((r) => r.check).map((r) => r.name),
    wallSMean: round(mean(rows.map((r) => r.timeS))),
  };
}
