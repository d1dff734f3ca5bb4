import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { PlanConflict, PlanStore } from '../../src/planning/plan-store.js';
import { describeEachBackend, openTestStore, type TestStore } from '../helpers/backends.js';

const options = { seed: 1, iterations: 100, timeLimitS: 60 };

/** The plan-job queue on each store (PGlite always; PostgreSQL when TEST_DATABASE_URL is set). */
describeEachBackend('plan queue [%s]', (backend) => {
  let store: TestStore;
  let db: Db;
  let plans: PlanStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
    db = store.db;
    plans = new PlanStore(db);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('hands each job to one claimer only, oldest first, and numbers versions per date and district', async () => {
    const made = [];
    for (let i = 0; i < 6; i++) made.push((await plans.create({ date: '2026-12-03', district: i % 2 ? 'North' : null, options, createdBy: 'test' }))!);
    expect(made.map((m) => m.version)).toEqual([1, 1, 2, 2, 3, 3]);
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => plans.queue.claim(`claimer-${i}`, 60)));
    const got = claims.filter((c) => c !== undefined).map((c) => c!.id);
    expect(got.sort()).toEqual(made.map((m) => m.jobId).sort());
    expect(claims.filter((c) => c === undefined)).toHaveLength(2);
    for (const c of claims) if (c) expect(c).toMatchObject({ status: 'running', attempts: 1, owner: expect.stringMatching(/^claimer-/) });
    for (const c of claims) if (c) expect(await db.transaction((tx) => plans.queue.finish(tx, c.id, c.owner!, 'done'))).toBe(true);
  });

  it('gives an interrupted job back to the queue until its tries are used up, then fails it', async () => {
    const { jobId } = (await plans.create({ date: '2026-12-04', district: null, options, createdBy: 'test' }))!;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const job = await plans.queue.claim('me', 60);
      expect(job).toMatchObject({ id: jobId, attempts: attempt });
      expect(await plans.queue.release(jobId, 'someone else', 'crash')).toBeUndefined();
      expect(await plans.queue.release(jobId, 'me', 'thread died')).toBe(attempt < 3 ? 'queued' : 'failed');
    }
    expect(await plans.queue.claim('me', 60)).toBeUndefined();
  });

  it('recovers jobs whose lease ran out (a dead process), all running ones on request, and dedupes nightly jobs', async () => {
    const a = (await plans.create({ date: '2026-12-05', district: 'A', options, createdBy: 'test' }))!;
    const b = (await plans.create({ date: '2026-12-05', district: 'B', options, createdBy: 'test' }))!;
    await plans.queue.claim('dead', 60);
    await plans.queue.claim('alive', 60);
    await db.query(`update plan_jobs set lease_until = now() - interval '1 second' where id = $1`, [a.jobId]);
    expect((await plans.queue.recoverAbandoned(false)).requeued).toEqual([a.jobId]);
    expect((await plans.queue.get(b.jobId))!.status).toBe('running');
    expect((await plans.queue.recoverAbandoned(true)).requeued).toEqual([b.jobId]);
    // a lost lease means the late result is not stored
    const claimed = (await plans.queue.claim('new', 60))!;
    expect(await db.transaction((tx) => plans.queue.finish(tx, claimed.id, 'dead', 'done'))).toBe(false);

    const key = 'nightly:2026-12-06:A';
    expect(await plans.create({ date: '2026-12-06', district: 'A', options, createdBy: 'nightly', dedupeKey: key })).toBeDefined();
    expect(await plans.create({ date: '2026-12-06', district: 'A', options, createdBy: 'nightly', dedupeKey: key })).toBeUndefined();
    expect((await plans.list({ date: '2026-12-06', limit: 10, offset: 0 })).total).toBe(1);
  });

  it('publishes a draft once, supersedes the plan in force, checks transitions, and refuses clashes with other districts', async () => {
    await db.query(`insert into facilities (id, kind, doc) values ('inc', 'incinerator', '{"dailyCapacityKg": 1000}') on conflict do nothing`);
    const draft = async (district: string, vehicles: string[], kg: number) => {
      const { planId } = (await plans.create({ date: '2026-12-07', district, options, createdBy: 'test' }))!;
      const solution = { routes: vehicles.map((vehicleId) => ({ vehicleId, stops: [] })), unserved: [] };
      await db.query(`update plans set status = 'draft', solution = $2::jsonb, figures = $3::jsonb where id = $1`,
        [planId, JSON.stringify(solution), JSON.stringify({ facilityKg: { inc: kg } })]);
      return planId;
    };
    const north1 = await draft('North', ['v1', 'v2'], 400);
    const north2 = await draft('North', ['v1'], 500);
    expect((await plans.publish(north1, 'dispatcher:t1')).status).toBe('published');
    await expect(plans.publish(north1, 'dispatcher:t1')).rejects.toThrow(/cannot publish a published plan/);
    await expect(plans.transition(north1, 'close')).rejects.toThrow(/cannot close a published plan/);
    expect((await plans.transition(north1, 'start')).status).toBe('in_progress');
    // a new version replaces the one in force, even under way
    const published = await plans.publish(north2, 'dispatcher:t2');
    expect(published).toMatchObject({ status: 'published', publishedBy: 'dispatcher:t2' });
    expect(await plans.get(north1)).toMatchObject({ status: 'superseded', supersededBy: north2 });
    // another district may not route a vehicle the published plan routes, nor overfill a facility
    const south = await draft('South', ['v1', 'v3'], 600);
    const clash = (await plans.publish(south, 'dispatcher:t2').catch((e: unknown) => e)) as PlanConflict;
    expect(clash).toBeInstanceOf(PlanConflict);
    expect(clash.details.map((d) => d.message).join(' ')).toMatch(/vehicle v1 .*facility inc would receive 1100 kg/);
    expect((await plans.get(south))!.status).toBe('draft');
    const south2 = await draft('South', ['v3'], 500);
    expect((await plans.publish(south2, 'dispatcher:t2')).status).toBe('published');
    expect(await plans.reserved('2026-12-07', 'East')).toMatchObject({ vehicleIds: ['v1', 'v3'], facilityKg: { inc: 1000 } });
    expect((await plans.transition(north2, 'start')).status).toBe('in_progress');
    expect((await plans.transition(north2, 'close')).status).toBe('closed');
  });
});
