import { describe, expect, it } from 'vitest';
import { runJt808Fuzz } from '../../../src/ingest/jt808/index.js';
import { innerOf, loadFrames } from './helpers.js';

const vectorSeeds = loadFrames()
  .filter((e) => e.layer === 'message' && e.kind === 'hex' && e.input.startsWith('7e'))
  .map(innerOf);

describe('JT/T 808 fuzzing (seeded)', () => {
  it('20,000 random and mutated frames: no exception escapes, every committed fix is sane', async () => {
    const report = await runJt808Fuzz({ seed: 808, cases: 20_000, seeds: vectorSeeds });
    expect(report.firstProblem).toBeUndefined();
    expect(report.exceptions).toBe(0);
    expect(report.invariantViolations).toBe(0);
    // The run must actually reach deep code paths, not just bounce off the checksum.
    expect(report.messagesAccepted).toBeGreaterThan(5_000);
    expect(report.fixesCommitted).toBeGreaterThan(1_000);
    expect(report.rejectedByReason.checksum).toBeGreaterThan(100);
    expect(report.rejectedByReason.location ?? 0).toBeGreaterThan(0);
    expect(report.sinkFailures).toBeGreaterThan(0);
  });

  it('is reproducible for a seed', async () => {
    const a = await runJt808Fuzz({ seed: 7, cases: 2_000 });
    const b = await runJt808Fuzz({ seed: 7, cases: 2_000 });
    expect(b).toEqual(a);
  });
});
