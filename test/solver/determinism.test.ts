import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { solve } from '../../solver/index.js';
import { loadSolomon } from '../../solver/bench/solomon.js';
import { SOLVER_HANG_GUARD_MS } from './timeouts.js';

describe('determinism', { timeout: SOLVER_HANG_GUARD_MS }, () => {
  it('gives the identical solution JSON for the same seed and work limit', async () => {
    const p = loadSolomon(join(import.meta.dirname, '..', '..', 'data', 'bench', 'solomon', 'RC201.txt'));
    const a = await solve(p, { seed: 42, maxIterations: 800 });
    const b = await solve(p, { seed: 42, maxIterations: 800 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const c = await solve(p, { seed: 43, maxIterations: 800 });
    expect(c.stats.seed).toBe(43);
  });

  it('reports progress from 0 to 1', async () => {
    const p = loadSolomon(join(import.meta.dirname, '..', '..', 'data', 'bench', 'solomon', 'C201.txt'));
    const seen: number[] = [];
    await solve(p, { seed: 1, maxIterations: 600, onProgress: (f) => seen.push(f) });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen[seen.length - 1]).toBe(1);
    expect(seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= seen[i - 1] - 1e-9))).toBe(true);
  });
});
