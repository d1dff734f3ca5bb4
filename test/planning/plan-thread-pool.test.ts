import { describe, expect, it } from 'vitest';
import type { PlanJobInput } from '../../src/planning/plan-job.js';
import { PlanThread, PlanThreadCrash } from '../../src/planning/plan-thread.js';

// A job the planner refuses at once (no city): it ends in the thread with an error, and the
// thread lives on. Enough to start a thread and see which one ran it.
const refused = {} as PlanJobInput;

describe('plan threads of stopped runners', () => {
  it('a thread stopped without a job is taken by the next runner of the process, warm; one stopped under a job is not', async () => {
    const first = new PlanThread();
    await expect(first.run('j1', refused, () => undefined)).rejects.not.toBeInstanceOf(PlanThreadCrash);
    const warmId = first.threadId;
    expect(warmId).toBeGreaterThan(0);
    await first.terminate();
    await expect(first.run('j2', refused, () => undefined)).rejects.toBeInstanceOf(PlanThreadCrash);

    const second = new PlanThread();
    await expect(second.run('j3', refused, () => undefined)).rejects.not.toBeInstanceOf(PlanThreadCrash);
    expect(second.threadId).toBe(warmId);

    // stopped under a job: the job is a crash (tried again elsewhere) and the thread is gone
    const crashed = expect(second.run('j4', refused, () => undefined)).rejects.toBeInstanceOf(PlanThreadCrash);
    await second.terminate();
    await crashed;

    const third = new PlanThread();
    await expect(third.run('j5', refused, () => undefined)).rejects.not.toBeInstanceOf(PlanThreadCrash);
    expect(third.threadId).not.toBe(warmId);
    await third.terminate();
  });
});
