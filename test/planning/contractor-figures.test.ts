import { describe, expect, it } from 'vitest';
import { contractorDay, rankContractors } from '../../src/planning/actual/contractor-figures.js';
import type { ActualStatus } from '../../src/planning/actual/plan-actual.js';

const stop = (vehicleId: string, status: ActualStatus['status'], n: number): ActualStatus => ({
  key: `${vehicleId}#${n}`, kind: 'stop', vehicleIds: [vehicleId], recordId: `p${n}`, itemId: `j${n}`, status, source: null, fromMs: 0, dueMs: 1, plannedStartMs: 0,
});
const segment: ActualStatus = { key: 's1', kind: 'segment', vehicleIds: ['v1'], recordId: 'r1', itemId: 't1', status: 'missed', source: null, fromMs: 0, dueMs: 1, plannedStartMs: 0 };

describe('collection figures per contractor and the monthly ranking (月排名)', () => {
  const contractorOf = (id: string) => ({ v1: 'A', v2: 'A', v3: 'B' } as Record<string, string>)[id] ?? null;

  it("counts each stop under the contractor of its vehicle; streets do not count; a vehicle without one under null", () => {
    const day = contractorDay([
      stop('v1', 'done', 1), stop('v1', 'late', 2), stop('v2', 'missed', 3), stop('v2', 'done', 4),
      stop('v3', 'done', 5), stop('v3', 'pending', 6), stop('v9', 'missed', 7), segment,
    ], contractorOf);
    expect(day).toEqual([
      { contractor: null, vehicles: 1, stops: { planned: 1, done: 0, late: 0, missed: 1, pending: 0 }, clearanceRate: 0, onTimeRate: 0 },
      { contractor: 'A', vehicles: 2, stops: { planned: 4, done: 2, late: 1, missed: 1, pending: 0 }, clearanceRate: 0.75, onTimeRate: 0.5 },
      { contractor: 'B', vehicles: 1, stops: { planned: 2, done: 1, late: 0, missed: 0, pending: 1 }, clearanceRate: 0.5, onTimeRate: 1 },
    ]);
  });

  it('ranks the month by clearance rate, then on-time rate, summing stops over the days; ties share a rank', () => {
    const d = (contractor: string | null, done: number, late: number, missed: number) =>
      ({ contractor, vehicles: 1, stops: { planned: done + late + missed, done, late, missed, pending: 0 }, clearanceRate: null, onTimeRate: null });
    const ranking = rankContractors([
      [d('A', 8, 2, 0), d('B', 9, 0, 1), d('C', 5, 5, 0)],
      [d('A', 10, 0, 0), d('B', 10, 0, 0), d('D', 0, 0, 0)],
    ]);
    expect(ranking.map((r) => [r.rank, r.contractor, r.days, r.clearanceRate, r.onTimeRate])).toEqual([
      // A: 20 of 20 collected, 18 on time; C: 10 of 10, 5 on time; B: 19 of 20; D: nothing planned, last
      [1, 'A', 2, 1, 0.9],
      [2, 'C', 1, 1, 0.5],
      [3, 'B', 2, 0.95, 0.95],
      [4, 'D', 1, null, null],
    ]);
    expect(ranking[0]!.stops).toEqual({ planned: 20, done: 18, late: 2, missed: 0, pending: 0 });
    const tied = rankContractors([[d('X', 1, 0, 1), d('Y', 1, 0, 1), d('Z', 0, 0, 2)]]);
    expect(tied.map((r) => [r.rank, r.contractor])).toEqual([[1, 'X'], [1, 'Y'], [3, 'Z']]);
  });
});
