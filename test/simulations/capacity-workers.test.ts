import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { startWorkerProcess } from '../../bench/worker-process.js';
import { DEMO_OSM_FILE } from '../../src/demo/demo-files.js';
import { createScratchDatabase, type ScratchDatabase } from '../../src/store/scratch-database.js';
import { storeCitySnapshot } from '../../simulations/capacity/city.js';
import { runStudy } from '../../simulations/capacity/study.js';
import { childBundle } from '../helpers/child-bundles.js';
import { TEST_NETWORK_CACHE } from '../helpers/planning.js';
import { describeWith, serverUrls } from '../helpers/servers.js';
import { startTestService, type TestService } from '../helpers/service.js';

/**
 * A capacity study's days as plan-queue jobs on the PostgreSQL server: two `npm run worker`
 * processes take them (this service instance runs no plan threads), a planner follows the run on
 * the socket, and the result is the one a single process computes for the same seed; a day held
 * by a process that died (its lease ran out) is planned all the same.
 */
const serverUrl = serverUrls.postgres;
async function startWorker(databaseUrl: string): Promise<{ child: ChildProcess; pid: number }> {
  const child = await startWorkerProcess({ DATABASE_URL: databaseUrl, NETWORK_CACHE_DIR: TEST_NETWORK_CACHE }, childBundle('worker'));
  return { child, pid: child.pid! };
}

describeWith('postgres', 'capacity days over worker processes [postgres]', () => {
  let scratch: ScratchDatabase;
  let svc: TestService;
  const workers: Array<{ child: ChildProcess; pid: number }> = [];
  beforeAll(async () => {
    scratch = await createScratchDatabase(serverUrl!, 'sanifleet_capacity_workers');
    svc = await startTestService({ demo: true, roadNetwork: true, env: { DATABASE_URL: scratch.url, PLAN_WORKERS: '0' } });
    await svc.network;
  }, 600_000);
  afterAll(async () => {
    for (const w of workers) {
      w.child.kill('SIGTERM');
      if (w.child.exitCode === null) await once(w.child, 'exit');
    }
    await svc?.stop();
    await scratch?.drop();
  });

  it('two worker processes plan the days, a planner follows the run, and the result is the single-process one', async () => {
    const planner = svc.roleToken('planner');
    // two days of two fleets: four jobs, so each process gets some after the dead one's lease runs out
    const scenario = { days: 2, seed: 4, iterations: 10, work: ['points' as const], fleets: [{ collector: 9 }, { collector: 17 }], rain: { probability: 0.5 } };
    const asked = await svc.call('POST', '/api/v1/capacity-runs', { token: planner, body: scenario });
    expect(asked.status).toBe(202);
    const runId: string = asked.body.id;
    // a process that took the first day died with it (its lease ran out): the day is not lost
    const held = await svc.db.query(
      `update plan_jobs set status = 'running', owner = 'gone:1:x', attempts = 1, lease_until = now() - interval '1 second'
       where id = (select id from plan_jobs where run_id = $1 order by id limit 1) returning id`, [runId]);
    expect(held.rows).toHaveLength(1);
    workers.push(...(await Promise.all([startWorker(scratch.url), startWorker(scratch.url)])));

    const socket: Socket = connect(svc.url, { auth: { token: planner }, transports: ['websocket'] });
    const events: any[] = [];
    socket.on('capacity:progress', (e) => events.push(e));
    try {
      expect(await socket.timeout(60_000).emitWithAck('capacity:follow', { runId })).toEqual({ ok: true });
      // iteration budgets end the run; the wait is only a guard against a hang
      const startMs = Date.now();
      while (events.at(-1)?.status !== 'done' && events.at(-1)?.status !== 'failed') {
        if (Date.now() - startMs > 600_000) throw new Error(`run still ${JSON.stringify(events.at(-1))}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      socket.close();
    }
    const run = (await svc.call('GET', `/api/v1/capacity-runs/${runId}`, { token: planner })).body;
    expect(run).toMatchObject({ status: 'done', error: null, progress: { done: 4, total: 4 } });

    // the days were taken by both processes (the owner names the process: host:pid:…)
    const owners = await svc.db.query<{ job_owner: string }>('select job_owner from capacity_days where run_id = $1', [runId]);
    expect(owners.rows).toHaveLength(4);
    const pids = new Set(owners.rows.map((r) => Number(r.job_owner.split(':')[1])));
    expect([...pids].sort()).toEqual(workers.map((w) => w.pid).sort());

    // progress came over the socket as days were done, with the shares so far per fleet
    expect(events.map((e) => e.done)).toEqual([...events.map((e) => e.done)].sort((a, b) => a - b));
    expect(events[0].done).toBeLessThan(4);
    expect(events.length).toBeGreaterThan(1);
    const last = events.at(-1);
    expect(last).toMatchObject({ runId, status: 'done', done: 4, total: 4 });
    expect(last.shares).toEqual(run.result.configs.map((c: any) => ({ label: c.label, days: 2, cleared: c.cleared, share: c.cleared / 2 })));

    // the same study in this one process, on the same stored city and seed
    const single = await runStudy(await storeCitySnapshot(svc.db), scenario, { osmFile: DEMO_OSM_FILE, networkCacheDir: TEST_NETWORK_CACHE, threads: 0 });
    expect(run.result.days).toEqual(JSON.parse(JSON.stringify(single.days)));
    expect(run.result.configs).toEqual(JSON.parse(JSON.stringify(single.configs)));
    expect(run.result.recommended).toEqual(JSON.parse(JSON.stringify(single.recommended)));
  }, 900_000);
});
