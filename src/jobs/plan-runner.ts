import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { cityProfileSchema } from '../domain/city-profile.js';
import type { Db } from '../store/db.js';
import type { PlanJobInput, PlanProgress } from '../planning/plan-job.js';
import { PlanStore } from '../planning/plan-store.js';
import { PlanThread, PlanThreadCrash } from '../planning/plan-thread.js';
import { readCity, type PlanningSnapshot } from '../planning/snapshot.js';
import type { OtherJobRow, PlanJobRow } from './plan-queue.js';

/** What a dispatcher's page hears about a plan job ('plan:progress'). */
export interface PlanProgressEvent {
  jobId: string;
  planId: string;
  date: string;
  district: string | null;
  status: 'running' | 'done' | 'failed' | 'queued';
  phase?: PlanProgress['phase'];
  fraction: number;
  best?: PlanProgress['best'];
  error?: string;
}

export interface PlanRunnerOptions {
  db: Db;
  logger: Logger;
  /** The road network file and its cache (the thread loads it from the cache). */
  osmFile: string;
  networkCacheDir?: string;
  /** Worker threads, one job each at a time. */
  threads: number;
  onProgress?: (event: PlanProgressEvent) => void;
  /** How often an idle runner looks for queued jobs (a local enqueue wakes it at once). */
  pollMs?: number;
  /** A running job's lease; renewed every quarter of it. */
  leaseS?: number;
  /** Jobs of other kinds this runner takes from the same queue, in the same threads (a capacity study's days). */
  kinds?: JobKind[];
}

/**
 * A kind of job other than a plan. `run` does the job in the thread and ends it in the queue
 * (PlanQueue.finish with the runner's owner, in the transaction storing its result); it throws
 * when the job failed. The runner holds the lease meanwhile, and hands a job back to the queue
 * when its thread crashed or the runner is stopping.
 */
export interface JobKind {
  kind: OtherJobRow['kind'];
  run(thread: PlanThread, job: OtherJobRow, owner: string): Promise<void>;
  /** The job failed for good (its error, or its tries used up): record it where its owner looks. */
  failed(job: { id: string; runId: string | null }, owner: string, error: string): Promise<void>;
}

/**
 * Takes plan jobs from the queue and runs each in a worker thread: read the city from the
 * store → plan in the thread → store the plan and end the job in one transaction. The same
 * runner serves the service (its own threads) and `npm run worker` (another process, maybe
 * another machine, on the same PostgreSQL store).
 */
export class PlanRunner {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly store: PlanStore;
  private readonly threads: PlanThread[] = [];
  private readonly loops: Promise<void>[] = [];
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private readonly leaseS: number;

  constructor(private readonly opts: PlanRunnerOptions) {
    this.store = new PlanStore(opts.db);
    this.leaseS = opts.leaseS ?? 60;
  }

  /** Hands back jobs left running by a dead process, then starts taking jobs. */
  async start(): Promise<void> {
    const { requeued, failed } = await this.store.queue.recoverAbandoned(this.opts.db.kind === 'pglite');
    await this.gaveUp(failed);
    if (requeued.length || failed.length) this.opts.logger.info({ requeued, failed: failed.map((f) => f.id) }, 'plan jobs of a stopped process recovered');
    for (let i = 0; i < this.opts.threads; i++) {
      const thread = new PlanThread();
      this.threads.push(thread);
      this.loops.push(this.loop(thread));
    }
  }

  /** A job was queued here: look now instead of at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    // a job in a thread is handed back to the queue (released) by its loop
    await Promise.all(this.threads.map((t) => t.terminate()));
    await Promise.all(this.loops);
  }

  private async idle(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.opts.pollMs ?? 1000);
      timer.unref?.();
      const previous = this.wakeUp;
      this.wakeUp = () => {
        previous?.();
        done();
      };
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  private async loop(thread: PlanThread): Promise<void> {
    while (!this.stopping) {
      let job: PlanJobRow | undefined;
      try {
        const claimed = await this.store.queue.claim(this.owner, this.leaseS, ['plan', ...(this.opts.kinds ?? []).map((k) => k.kind)]);
        if (claimed && claimed.kind !== 'plan') {
          await this.runOther(thread, claimed);
          continue;
        }
        job = claimed;
        // a lease that ran out elsewhere (a process on another machine died) comes back here
        if (!job && this.opts.db.kind === 'postgres') {
          const { failed } = await this.store.queue.recoverAbandoned(false);
          await this.gaveUp(failed);
        }
      } catch (err) {
        if (this.stopping) break;
        this.opts.logger.error({ err }, 'plan queue: claim failed');
      }
      if (!job) {
        if (!this.stopping) await this.idle();
        continue;
      }
      await this.run(thread, job);
    }
  }

  private async gaveUp(failed: Array<{ id: string; planId: string | null; runId: string | null }>): Promise<void> {
    const why = 'its runner stopped before it finished, too many times';
    for (const f of failed) {
      if (f.planId !== null) await this.store.markFailed(f.planId, why);
      else await Promise.all((this.opts.kinds ?? []).map((k) => k.failed(f, this.owner, why)));
    }
  }

  /** A job of another kind (a capacity day): its kind runs it while this runner holds the lease. */
  private async runOther(thread: PlanThread, job: OtherJobRow): Promise<void> {
    const kind = this.opts.kinds?.find((k) => k.kind === job.kind);
    const renew = setInterval(() => {
      this.store.queue.renew(job.id, this.owner, this.leaseS).catch((err: unknown) => this.opts.logger.warn({ err, jobId: job.id }, 'job lease renewal failed'));
    }, (this.leaseS * 1000) / 4);
    renew.unref?.();
    try {
      if (!kind) throw new Error(`no runner for jobs of kind ${job.kind}`);
      await kind.run(thread, job, this.owner);
    } catch (err) {
      const message = (err as Error).message;
      if (err instanceof PlanThreadCrash || this.stopping) {
        const status = await this.store.queue.release(job.id, this.owner, message).catch(() => undefined);
        if (status === 'failed') await kind?.failed(job, this.owner, `gave up after ${job.maxAttempts} tries: ${message}`).catch(() => undefined);
        this.opts.logger.warn({ jobId: job.id, kind: job.kind, err: message, status }, 'job interrupted');
      } else {
        this.opts.logger.error({ jobId: job.id, kind: job.kind, err }, 'job failed');
        await this.store.queue.finish(this.opts.db, job.id, this.owner, 'failed', message).catch(() => undefined);
        await kind?.failed(job, this.owner, message).catch((e: unknown) => this.opts.logger.error({ err: e }, 'job: could not record its failure'));
      }
    } finally {
      clearInterval(renew);
    }
  }

  private async run(thread: PlanThread, job: PlanJobRow): Promise<void> {
    const { planId, date, district, options } = job.payload;
    const event = (e: Partial<PlanProgressEvent> & Pick<PlanProgressEvent, 'status' | 'fraction'>) =>
      this.opts.onProgress?.({ jobId: job.id, planId, date, district, ...e });
    let latest: PlanProgress | undefined;
    // the job row carries the progress too (at most once a second), for pages served by
    // instances other than the one running it (plan-progress-relay.ts)
    let storedAtMs = 0;
    const renew = setInterval(() => {
      this.store.queue.renew(job.id, this.owner, this.leaseS, latest).then((held) => {
        if (!held) this.opts.logger.warn({ jobId: job.id }, 'plan job lease lost: its result will not be stored');
      }, (err: unknown) => this.opts.logger.warn({ err, jobId: job.id }, 'plan job lease renewal failed'));
    }, (this.leaseS * 1000) / 4);
    renew.unref?.();
    const t0 = Date.now();
    try {
      event({ status: 'running', phase: 'network', fraction: 0 });
      const snapshot = await this.snapshot(date, district);
      const replan = job.payload.replan ? await this.replanInput(job.payload.replan) : undefined;
      const result = await thread.run(job.id, { snapshot, osmFile: this.opts.osmFile, networkCacheDir: this.opts.networkCacheDir, options, ...(replan ? { replan } : {}) }, (p) => {
        latest = p;
        event({ status: 'running', phase: p.phase, fraction: p.fraction, best: p.best });
        if (Date.now() - storedAtMs >= 1000) {
          storedAtMs = Date.now();
          this.store.queue.renew(job.id, this.owner, this.leaseS, p).catch(() => undefined);
        }
      });
      const stored = await this.store.storeResult(planId, job.id, this.owner, result);
      if (!stored) {
        this.opts.logger.warn({ jobId: job.id, planId }, 'plan job finished after losing its lease: result dropped');
        return;
      }
      this.opts.logger.info({ jobId: job.id, planId, date, district, ms: Date.now() - t0, vehicles: result.figures.vehicles, unserved: result.figures.unserved, violations: result.figures.violations }, 'plan stored');
      event({ status: 'done', fraction: 1, best: { vehicles: result.figures.vehicles, unserved: result.figures.unserved, cost: result.figures.cost } });
    } catch (err) {
      const message = (err as Error).message;
      if (err instanceof PlanThreadCrash || this.stopping) {
        // not the job's fault: another try (unless it has had its tries)
        const status = await this.store.queue.release(job.id, this.owner, message).catch(() => undefined);
        if (status === 'failed') await this.store.markFailed(planId, `gave up after ${job.maxAttempts} tries: ${message}`).catch(() => undefined);
        this.opts.logger.warn({ jobId: job.id, planId, err: message, status }, 'plan job interrupted');
        event({ status: status === 'failed' ? 'failed' : 'queued', fraction: 0, error: message });
      } else {
        // the planner itself refused (bad data, no road network): trying again changes nothing
        await this.store.failJob(planId, job.id, this.owner, message).catch((e: unknown) => this.opts.logger.error({ err: e }, 'plan job: could not record its failure'));
        this.opts.logger.error({ jobId: job.id, planId, err }, 'plan job failed');
        event({ status: 'failed', fraction: 1, error: message });
      }
    } finally {
      clearInterval(renew);
    }
  }

  /**
   * What a re-plan needs from the store: the plan in force, its stops marked done, and each
   * vehicle's last plausible fix in the half hour up to T (older says nothing of where it is).
   */
  private async replanInput(r: NonNullable<PlanJobRow['payload']['replan']>): Promise<NonNullable<PlanJobInput['replan']>> {
    const base = await this.store.replanBase(r.basePlanId);
    if (!base) throw new Error(`plan ${r.basePlanId} has no solution to re-plan`);
    const marks = await this.opts.db.query<{ stop_id: string }>('select stop_id from stop_marks where plan_id = $1', [r.basePlanId]);
    const vehicleIds = base.solution.routes.map((x) => x.vehicleId).concat(base.problem.vehicles.map((v) => v.id));
    const fixes = await this.opts.db.query<{ vehicle_id: string; lon: number; lat: number }>(
      `select distinct on (vehicle_id) vehicle_id, lon, lat from positions
       where vehicle_id = any($1::text[]) and fix_time <= $2 and fix_time > $3 and positioned and not implausible
       order by vehicle_id, fix_time desc`,
      [[...new Set(vehicleIds)], new Date(r.atMs), new Date(r.atMs - 30 * 60_000)],
    );
    // plan against actual: stops detected done from the fixes. A vehicle is judged by the detector
    // once its fixes showed it serving a stop; a silent terminal's "missed" (the wall clock ran past
    // the window) says nothing of the work, so such a vehicle keeps the plan-was-kept assumption.
    const actual = await this.opts.db.query<{ vehicle_id: string; seq: number | null; source: string | null }>(
      `select vehicle_ids[1] as vehicle_id, seq, source from plan_actual where plan_id = $1 and kind = 'stop' and status in ('done', 'late')`, [r.basePlanId],
    );
    const atS = (r.atMs - base.mapping.midnightMs) / 1000;
    return {
      base, event: r.event,
      state: {
        atS, markedStopIds: marks.rows.map((m) => m.stop_id),
        detectedStopIds: actual.rows.map((a) => `${a.vehicle_id}.${a.seq}`),
        trackedVehicleIds: [...new Set(actual.rows.filter((a) => a.source === 'gps').map((a) => a.vehicle_id))],
        positions: Object.fromEntries(fixes.rows.map((f) => [f.vehicle_id, { lon: f.lon, lat: f.lat }])),
      },
    };
  }

  /** The city as the store holds it now, plus what published plans of the date already hold. */
  private async snapshot(date: string, district: string | null): Promise<PlanningSnapshot> {
    const row = await this.opts.db.query<{ doc: unknown }>('select doc from city_profile where id = 1');
    const profile = cityProfileSchema.parse(row.rows[0]?.doc ?? {});
    const city = await readCity(this.opts.db);
    const reserved = await this.store.reserved(date, district);
    return { date, district, profile, ...city, reserved };
  }
}
