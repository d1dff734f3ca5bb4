import { expect, it } from 'vitest';
import { scoreCandidate, SPILL_WEIGHTS, type SpillFix } from '../../src/compliance/spill-match.js';

/** The likelihood score of spill-match.ts on hand-made passes: the documented terms, in order. */
const SPOT = { lon: 7.43, lat: 43.735, atMs: Date.parse('2026-11-30T16:00:00Z') };
const at = (min: number) => SPOT.atMs - 3_600_000 + min * 60_000;

function pass(over: Partial<SpillFix> & { offsetDeg?: number }, after: Partial<SpillFix> = {}): SpillFix[] {
  const { offsetDeg = 0, ...rest } = over;
  return [-2, -1, 0, 1, 2].map((k) => ({
    fixTimeMs: at(k), lon: SPOT.lon + k * 0.001, lat: SPOT.lat + offsetDeg, speedKmh: 30,
    loadState: 'full', loadKg: 15_000, coverClosed: true, ...rest, ...(k > 0 ? after : {}),
  }));
}

it('scores the documented terms: nearer, loaded, cover open, load dropped, recent rank higher', () => {
  const worst = scoreCandidate('a', pass({ offsetDeg: 0.0012, loadState: 'empty', loadKg: 0 }), SPOT, 150, 7200)!;
  const covered = scoreCandidate('b', pass({}), SPOT, 150, 7200)!;
  const open = scoreCandidate('c', pass({ coverClosed: false }), SPOT, 150, 7200)!;
  const dropped = scoreCandidate('d', pass({ coverClosed: false }, { loadKg: 13_000, loadState: 'half' }), SPOT, 150, 7200)!;
  expect(worst.score).toBeLessThan(covered.score);
  expect(covered.score).toBeLessThan(open.score);
  expect(open.score).toBeLessThan(dropped.score);
  expect(dropped).toMatchObject({ loadedAtPass: true, coverOpenNearPass: true, loadDropKg: 2000, loadStateStepDown: true, distanceM: 0 });
  // passed right over the spot an hour into a two-hour window
  expect(dropped.terms).toEqual({ distance: SPILL_WEIGHTS.distance, loaded: SPILL_WEIGHTS.loaded, cover: SPILL_WEIGHTS.cover, loadDrop: SPILL_WEIGHTS.loadDrop, recency: SPILL_WEIGHTS.recency / 2 });
  expect(worst.loadedAtPass).toBe(false);
});

it('leaves out a truck that never came within the radius', () => {
  expect(scoreCandidate('far', pass({ offsetDeg: 0.01 }), SPOT, 150, 7200)).toBeUndefined();
  expect(scoreCandidate('none', [], SPOT, 150, 7200)).toBeUndefined();
});
