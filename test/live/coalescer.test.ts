import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VehicleState } from '../../src/domain/vehicle-state.js';
import { Coalescer } from '../../src/live/coalescer.js';
import { fleet, moved } from './fixtures.js';

/** The per-client queue on a fake clock: exact batch times, no sleeping. */
describe('coalescer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const [a, b] = fleet() as [VehicleState, VehicleState];

  it('sends the first state at once, then at most one batch per interval with only the newest state per vehicle', () => {
    const sent: Array<{ atMs: number; batch: VehicleState[] }> = [];
    const c = new Coalescer(4, (batch) => sent.push({ atMs: Date.now(), batch }));
    c.push(moved(a, 1));
    expect(sent).toHaveLength(1);
    for (let i = 2; i <= 50; i++) {
      c.push(moved(a, i));
      c.push(moved(b, i));
      vi.advanceTimersByTime(10);
    }
    vi.advanceTimersByTime(1000);
    // 490 ms of pushes at 4/s: the immediate one, then one at 250 and one at 500 ms.
    expect(sent.map((s) => s.atMs - 1_000_000)).toEqual([0, 250, 500]);
    const last = sent.at(-1)!.batch;
    expect(last.map((s) => [s.vehicleId, s.latest!.fixTimeMs])).toEqual([[a.vehicleId, 50], [b.vehicleId, 50]]);
  });

  it('keeps the newer state when an older one arrives late', () => {
    const sent: VehicleState[][] = [];
    const c = new Coalescer(2, (batch) => sent.push(batch));
    c.push(moved(a, 1));
    c.push(moved(a, 30));
    c.push(moved(a, 20));
    vi.advanceTimersByTime(500);
    expect(sent.map((batch) => batch.map((s) => s.latest!.fixTimeMs))).toEqual([[1], [30]]);
  });

  it('sends nothing after clear() or close()', () => {
    const sent: VehicleState[][] = [];
    const c = new Coalescer(1, (batch) => sent.push(batch));
    c.push(moved(a, 1));
    c.push(moved(a, 2));
    c.clear();
    vi.advanceTimersByTime(2000);
    c.push(moved(b, 3));
    c.close();
    c.push(moved(b, 4));
    vi.advanceTimersByTime(2000);
    expect(sent.map((batch) => batch.map((s) => s.latest!.fixTimeMs))).toEqual([[1], [3]]);
  });
});
