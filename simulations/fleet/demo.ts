import type { Logger } from 'pino';
import type { RoadNetwork } from '../../solver/network/index.js';
import type { TerminalModelProfile } from '../../src/ingest/jt808/index.js';
import { PlanClock } from '../../src/planning/plan-clock.js';
import type { PlanStore } from '../../src/planning/plan-store.js';
import { Fleet, simClock, type FleetTarget } from './fleet.js';
import { DEMO_DAY, planTracks, type StoredPlan, type VehicleDevice } from './plan-tracks.js';

/**
 * The demo city alive (`npm start`): today's plans in force are driven by the demo fleet at
 * real time against the service's own ports, so the dispatch map moves and stops turn done.
 * With no plan in force for today, it plans the day (a plan job with a modest budget) and
 * publishes it as the system once the day so far is uploaded. What the day has already passed
 * when the service starts is uploaded at once as blind-area batches, after the last fix each
 * vehicle has stored; at the next local date it starts over.
 */
export interface DemoFleetDeps {
  plans: PlanStore;
  /** Today's plans in force (published or in progress). */
  activePlanIds(dates: string[]): Promise<string[]>;
  plan(id: string): Promise<StoredPlan | undefined>;
  segmentGeometries(ids: string[]): Promise<Map<string, Array<[number, number]>>>;
  devices(): Promise<VehicleDevice[]>;
  /** Epoch ms of each vehicle's latest stored fix: the fleet goes on from there after a restart. */
  latestFixMs(): Map<string, number>;
  network: Promise<RoadNetwork>;
  timeZone(): string;
  /** A plan job was queued (wake the local runner). */
  queued(): void;
  /** A plan was published: tell drivers, terminals and plan against actual, as the API does. */
  published(planId: string): Promise<void>;
  target: FleetTarget;
  terminalProfiles: Record<string, TerminalModelProfile>;
  planIterations: number;
  seed: number;
  logger: Logger;
  now?(): number;
}

export const DEMO_FLEET_ACTOR = 'demo fleet';

export class DemoFleet {
  private fleet: Fleet | undefined;
  private stopped = false;
  private dayTimer: ReturnType<typeof setInterval> | undefined;
  private runs: Promise<void> = Promise.resolve();
  private day: string | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: DemoFleetDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** What the fleet has sent so far today (for logs and tests). */
  get stats() {
    return this.fleet?.stats;
  }

  start(): this {
    this.runs = this.runDay();
    // a new local date: drive the new day's plan (checked each minute; nothing else wakes up)
    this.dayTimer = setInterval(() => {
      if (this.stopped || PlanClock.localDate(this.now(), this.deps.timeZone()) === this.day) return;
      this.runs = this.runs.then(async () => {
        await this.fleet?.stop();
        this.fleet = undefined;
        await this.runDay();
      });
    }, 60_000);
    this.dayTimer.unref?.();
    return this;
  }

  /** Resolves once today's fleet is on the road (or the day could not be driven). */
  ready(): Promise<void> {
    return this.runs;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.dayTimer) clearInterval(this.dayTimer);
    await this.fleet?.stop();
    await this.runs.catch(() => undefined);
    await this.fleet?.stop();
  }

  private async runDay(): Promise<void> {
    const { logger } = this.deps;
    try {
      const network = await this.deps.network;
      const today = PlanClock.localDate(this.now(), this.deps.timeZone());
      this.day = today;
      let ids = await this.deps.activePlanIds([today]);
      // a plan made now is published only once the day so far is uploaded: judged at publishing
      // without those fixes, every stop already due would be called missed
      let toPublish: string | undefined;
      if (ids.length === 0) {
        const planned = await this.planToday(today);
        if (!planned || this.stopped) return;
        ids = [planned.planId];
        if (!planned.published) toPublish = planned.planId;
      }
      const devices = await this.deps.devices();
      const vehicles = [];
      for (const id of ids) {
        const plan = await this.deps.plan(id);
        if (!plan) continue;
        const roads = await this.deps.segmentGeometries(Object.values(plan.mapping.sweepTasks).map((t) => t.segmentId));
        const seed = (this.deps.seed * 7919 + Number(today.replaceAll('-', ''))) >>> 0;
        vehicles.push(...planTracks({ plan, network, roads, devices, options: { ...DEMO_DAY, seed } }).vehicles);
      }
      // after a restart each vehicle goes on after its last stored fix
      const latest = this.deps.latestFixMs();
      for (const v of vehicles) {
        const after = latest.get(v.vehicleId);
        if (after !== undefined) v.fixes = v.fixes.filter((f) => f.timeMs > after);
      }
      if (this.stopped) return;
      this.fleet = new Fleet({
        vehicles, target: this.deps.target, clock: simClock(this.now(), 1, this.now), terminalProfiles: this.deps.terminalProfiles,
        seed: this.deps.seed, tickMs: 1000, blindShare: 0.2,
        onError: (vehicleId, err) => logger.debug({ vehicleId, err }, 'demo fleet: a vehicle could not report'),
      }).start();
      if (toPublish) {
        await this.fleet.caughtUp();
        if (this.stopped) return;
        await this.deps.plans.publish(toPublish, DEMO_FLEET_ACTOR);
        await this.deps.published(toPublish);
        logger.info({ date: today, planId: toPublish }, 'demo fleet: the day so far uploaded, today\'s plan published');
      }
      logger.info({ date: today, plans: ids, vehicles: vehicles.length, fixes: vehicles.reduce((n, v) => n + v.fixes.length, 0) }, 'demo fleet on the road (DEMO_FLEET=off turns it off)');
    } catch (err) {
      logger.warn({ err }, 'demo fleet: today could not be driven');
    }
  }

  /** Plans today as the system (a draft, to publish once driven); a plan this fleet queued at an earlier start is reused. */
  private async planToday(date: string): Promise<{ planId: string; published: boolean } | undefined> {
    const { plans, logger } = this.deps;
    const mine = (await plans.list({ date, limit: 50, offset: 0 })).items.filter((p) => p.createdBy === DEMO_FLEET_ACTOR && p.district === null);
    let planId = mine.find((p) => p.status === 'planning' || p.status === 'draft')?.id;
    if (!planId) {
      const created = await plans.create({
        date, district: null, createdBy: DEMO_FLEET_ACTOR, dedupeKey: `demo-fleet:${date}:${mine.length}`,
        options: { seed: this.deps.seed, iterations: this.deps.planIterations, timeLimitS: 120 },
      });
      if (!created) return undefined;
      planId = created.planId;
      logger.info({ date, planId, iterations: this.deps.planIterations }, 'demo fleet: no plan in force today, planning the day');
    }
    this.deps.queued();
    for (;;) {
      if (this.stopped) return undefined;
      const plan = await plans.get(planId);
      if (!plan || plan.status === 'failed') {
        logger.warn({ planId, error: plan?.error }, 'demo fleet: the day could not be planned');
        return undefined;
      }
      if (plan.status === 'draft') break;
      if (plan.status !== 'planning') return plan.status === 'published' || plan.status === 'in_progress' ? { planId, published: true } : undefined;
      await new Promise((r) => setTimeout(r, 1000));
    }
    return { planId, published: false };
  }
}
