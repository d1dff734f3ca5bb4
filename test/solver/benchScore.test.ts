import { describe, expect, it } from 'vitest';
import { score, tally, type BestKnown } from '../../solver/bench/score.js';
import type { ValidationReport } from '../../solver/index.js';

/** A validator report as the bench receives it; the solver's own statements play no part. */
function report(distanceM: number, over: Partial<ValidationReport> = {}, vehicles = 3): ValidationReport {
  return { valid: true, complete: true, unservedCount: 0, violations: [],
    recomputed: { vehicles, distanceM, durationS: 0, fixed: 0, cost: distanceM, required: 10, served: 10 }, ...over };
}
const proven = (text: string): BestKnown => ({ value: Number(text), text, proven: true });

describe('bench scoring from the validator\'s recomputation', () => {
  it('leaves invalid rows and rows with unserved work out of the mean gap, and counts them', () => {
    const broken = { rule: 'capacity' as const, detail: 'over' };
    const rows = [
      score('ok', report(101), 1, proven('100')),
      score('invalid', report(90, { valid: false, violations: [broken] }), 1, proven('100')),
      score('short', report(80, { complete: false, unservedCount: 2 }), 1, proven('100')),
    ];
    expect(rows.map((r) => r.status)).toEqual(['above best known', 'INVALID (1 violations)', 'UNSERVED 2']);
    expect(tally(rows)).toMatchObject({ instances: 3, valid: 2, invalid: 1, withUnserved: 1, inMeanGap: 1, meanGapPct: 1, optimalFound: 0 });
  });

  it('flags a value below the best known for checking and never calls it optimal', () => {
    const rows = [score('below', report(99), 1, proven('100')), score('at', report(100), 1, proven('100'))];
    expect(rows[0]).toMatchObject({ check: true, optimal: false, atBks: false, status: 'BELOW BEST KNOWN: check' });
    expect(tally(rows)).toMatchObject({ optimalFound: 1, atBestKnown: 1, toCheck: ['below'] });
  });

  it('reads a best known printed to 2 decimals as rounded: 828.9364 is at 828.94, 828.93 is below it', () => {
    expect(score('C101', report(828.9364), 1, { value: 828.94, text: '828.94', proven: false })).toMatchObject({ atBks: true, optimal: false, check: false, status: 'at best known' });
    expect(score('C101', report(828.93), 1, { value: 828.94, text: '828.94', proven: false })).toMatchObject({ check: true });
  });

  it('hierarchical: a gap only at the best-known fleet; fewer vehicles than the best known is flagged', () => {
    const bks: BestKnown = { value: 1000, text: '1000.00', proven: false, vehicles: 10 };
    const more = score('more', report(900, {}, 11), 1, bks), fewer = score('fewer', report(1100, {}, 9), 1, bks);
    expect(more).toMatchObject({ check: false, status: '+1 vehicles (no gap)' });
    expect(fewer).toMatchObject({ check: true, status: 'FEWER VEHICLES THAN BEST KNOWN: check' });
    expect([more.gapPct, fewer.gapPct]).toEqual([undefined, undefined]);
    expect(score('same', report(1010, {}, 10), 1, bks).gapPct).toBeCloseTo(1, 9);
  });
});
