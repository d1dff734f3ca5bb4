import type { CityProfile } from '../../domain/city-profile.js';
import { lineLengthM } from '../build-problem.js';
import type { ActualStatus } from './plan-actual.js';

export interface SweptSegment {
  id: string;
  grade: 1 | 2 | 3 | 4;
  geometry: { coordinates: number[][] };
  widthM?: number;
  sweepsPerDay?: number;
}

export interface SweepingArea {
  /** every segment the day requires swept (by hand or by machine): length × width */
  sweptAreaM2: number;
  /** segments whose required mechanical passes were done (on time or late) */
  mechanicalAreaM2: number;
  rate: number | null;
}

/**
 * The mechanised sweeping rate (机扫率): mechanically swept area over the area to be swept. A
 * segment counts as swept by machine when its sweep task is done or late — a pass is counted only
 * while the sweeper works mechanically (plan-actual) — and its area is length × its width (the
 * profile's width for its grade when it gives none). Segments the day does not sweep count in neither.
 */
export function sweepingArea(segments: readonly SweptSegment[], statuses: readonly ActualStatus[], profile: CityProfile): SweepingArea {
  const swept = new Set(statuses.filter((s) => s.kind === 'segment' && s.itemId === `sweep:${s.recordId}` && (s.status === 'done' || s.status === 'late')).map((s) => s.recordId));
  let sweptAreaM2 = 0;
  let mechanicalAreaM2 = 0;
  for (const seg of segments) {
    const grade = String(seg.grade) as '1' | '2' | '3' | '4';
    const passes = seg.sweepsPerDay ?? profile.sweeping.grades[grade]?.sweepsPerDay ?? 0;
    if (passes === 0) continue;
    const area = lineLengthM(seg.geometry.coordinates) * (seg.widthM ?? profile.sweeping.widthMByGrade[grade] ?? 0);
    sweptAreaM2 += area;
    if (swept.has(seg.id)) mechanicalAreaM2 += area;
  }
  return {
    sweptAreaM2: Math.round(sweptAreaM2), mechanicalAreaM2: Math.round(mechanicalAreaM2),
    rate: sweptAreaM2 === 0 ? null : Math.round((mechanicalAreaM2 / sweptAreaM2) * 10_000) / 10_000,
  };
}
