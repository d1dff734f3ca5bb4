import { describe, expect, it } from 'vitest';
import { defaultCityProfile } from '../../src/domain/city-profile.js';
import { roadSegmentSchema } from '../../src/domain/model.js';
import { osmWidthM } from '../../src/demo/demo-city.js';
import { sweepingArea, type SweptSegment } from '../../src/planning/actual/sweeping-rate.js';
import type { ActualStatus } from '../../src/planning/actual/plan-actual.js';
import { haversineM } from '../../solver/geo.js';

const line = (lon: number) => ({ coordinates: [[lon, 0], [lon, 0.001]] });
const LENGTH_M = haversineM(0, 0, 0, 0.001);
const status = (itemId: string, recordId: string, s: ActualStatus['status']): ActualStatus => ({
  key: itemId, kind: 'segment', vehicleIds: ['sw1'], recordId, itemId, status: s, source: 'gps', fromMs: 0, dueMs: 1, plannedStartMs: 0, passes: 2, requiredPasses: 2,
});

describe('mechanised sweeping rate (机扫率): mechanically swept area / area to be swept', () => {
  const profile = defaultCityProfile();
  const segments: SweptSegment[] = [
    { id: 'a', grade: 1, geometry: line(0) }, // the profile's width for grade 1: 20 m
    { id: 'b', grade: 2, geometry: line(0.01), widthM: 5 }, // its own width
    { id: 'c', grade: 4, geometry: line(0.02), sweepsPerDay: 0 }, // not swept at all that day
    { id: 'd', grade: 3, geometry: line(0.03), widthM: 15 }, // swept by hand only (grade 3 needs a machine pass here, none done)
  ];

  it('counts a segment by its length × width when its sweep task is done or late; washing and missed passes do not count', () => {
    const r = sweepingArea(segments, [status('sweep:a', 'a', 'late'), status('wash:b', 'b', 'done'), status('sweep:b', 'b', 'missed'), status('sweep:d', 'd', 'pending')], profile);
    expect(r.sweptAreaM2).toBe(Math.round(LENGTH_M * (20 + 5 + 15)));
    expect(r.mechanicalAreaM2).toBe(Math.round(LENGTH_M * 20));
    expect(r.rate).toBe(0.5);
    const all = sweepingArea(segments, [status('sweep:a', 'a', 'done'), status('sweep:b', 'b', 'done'), status('sweep:d', 'd', 'done')], profile);
    expect(all.rate).toBe(1);
    expect(sweepingArea([segments[2]!], [], profile)).toEqual({ sweptAreaM2: 0, mechanicalAreaM2: 0, rate: null });
  });

  it("a road segment may carry its width; the profile's default per grade is documented and can be changed", () => {
    expect(profile.sweeping.widthMByGrade).toEqual({ '1': 20, '2': 14, '3': 9, '4': 6 });
    const narrow = { ...profile, sweeping: { ...profile.sweeping, widthMByGrade: { ...profile.sweeping.widthMByGrade, '1': 5 } } };
    // a (grade 1, now 5 m) swept, b (5 m) not: half the area
    expect(sweepingArea(segments.slice(0, 2), [status('sweep:a', 'a', 'done')], narrow).rate).toBe(0.5);
    const seg = { geometry: { type: 'LineString', coordinates: [[0, 0], [0, 0.001]] }, grade: 2 };
    expect(roadSegmentSchema.parse({ ...seg, widthM: 7.5 }).widthM).toBe(7.5);
    expect(roadSegmentSchema.safeParse({ ...seg, widthM: -1 }).success).toBe(false);
    // the demo city's roads take OSM's width where it is given in metres
    expect([osmWidthM('7'), osmWidthM('7.5 m'), osmWidthM('24 ft'), osmWidthM('5-7'), osmWidthM(undefined), osmWidthM('0')]).toEqual([7, 7.5, undefined, undefined, undefined, undefined]);
  });
});
