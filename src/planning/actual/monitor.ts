import type { Logger } from 'pino';
import type { RoadNetwork, VehicleKind } from '../../../solver/network/index.js';
import type { CityProfile } from '../../domain/city-profile.js';
import { silentLogger } from '../../logger.js';
import type { StoredFix } from '../../tracking/position-writer.js';
import { PlanClock } from '../plan-clock.js';
import type { ActualStore, PlanEvent } from './actual-store.js';
import { actualSettings, PlanActual, type ActualStatus } from './plan-actual.js';
import { roadRouters } from './road-router.js';
import { planTargets } from './targets.js';

/**
 * Plan against actual, live: every published or in-progress plan of today (and yesterday, for
 * night shifts) is judged from its vehicles' committed fixes, in fix-time order per vehicle
 * (a fix older than the last one judged replays that vehicle's day from the store; duplicates
 * and implausible fixes are left out), and at the wall clock every `intervalMs` (windows end
 * without fixes). Changed statuses are stored and pushed; a stop or street that becomes missed
 * raises its plan event once. The batch path (`judgeStoredPlan`) runs the same judging over a
 * stored day.
 */
export interface ActualMonitorDeps {
  store: ActualStore;
  profile(): CityProfile;
  /** The road network once loaded: where a truck parks for each point (else the point itself). */
  network?(): RoadNetwork | undefined;
  now?(): number;
  onStatus?(planId: string, status: ActualStatus): void;
  onEvent?(event: PlanEvent): void;
  logger?: Logger;
}

interface Judged {
  planId: string;
  clock: PlanClock;
  actual: PlanActual;
  withNetwork: boolean;
  last: Map<string, string>;
}

/** The fixes a plan day is judged from: its local midnight - 2 h to + 36 h (night work runs past midnight). */
function dayWindow(clock: PlanClock): [number, number] {
  return [clock.midnightMs - 2 * 3_600_000, clock.midnightMs + 36 * 3_600_000];
}

const fingerprint = (s: ActualStatus) => `${s.status}|${s.source}|${s.arrivalMs ?? ''}|${s.departureMs ?? ''}|${s.passes ?? ''}`;

/** A stored plan made ready to judge, with its vehicles' fixes so far (the batch path's first half). */
export async function loadJudged(store: ActualStore, planId: string, profile: CityProfile, network: RoadNetwork | undefined): Promise<Judged | undefined> {
  const plan = await store.plan(planId);
  if (!plan) return undefined;
  const segmentIds = Object.values(plan.mapping.sweepTasks).map((t) => t.segmentId);
  const roads = await store.segmentGeometries(segmentIds);
  const targets = planTargets({
    planId, problem: plan.problem, solution: plan.solution, mapping: plan.mapping, segmentGeometry: (id) => roads.get(id),
    servicePosition: network ? (lon, lat, kind) => network.snap(lon, lat, { vehicleKind: kind as VehicleKind }) : undefined,
  });
  const clock = new PlanClock(plan.mapping.date, plan.mapping.timeZone);
  const settings = actualSettings(profile);
  const actual = new PlanActual(targets, settings, network ? roadRouters(network, plan.problem, plan.mapping, settings.maxFixGapS, targets.segments, settings.gearReportedAtOnce) : undefined);
  const [from, to] = dayWindow(clock);
  for (const v of actual.vehicleIds()) actual.replay(v, await store.fixes(v, from, to));
  for (const [key, atMs] of await store.marks(planId)) actual.mark(key, atMs);
  return { planId, clock, actual, withNetwork: network !== undefined, last: new Map() };
}

/**
 * The batch path: a stored plan judged over its stored day as of `atMs` (default now), the
 * statuses stored and the events raised as the live path would.
 */
export async function judgeStoredPlan(store: ActualStore, planId: string, profile: CityProfile, network: RoadNetwork | undefined, atMs = Date.now()): Promise<{ statuses: ActualStatus[]; events: PlanEvent[] } | undefined> {
  const judged = await loadJudged(store, planId, profile, network);
  if (!judged) return undefined;
  const [, dayEnd] = dayWindow(judged.clock);
  if (atMs >= dayEnd) judged.actual.flush();
  const statuses = judged.actual.evaluate(atMs);
  await store.save(planId, statuses);
  const events = await store.raise(statuses.filter((s) => s.status === 'missed').map((s) => planEventOf(planId, s)));
  return { statuses, events };
}

/** The plan event of a stop or street judged missed. */
function planEventOf(planId: string, s: ActualStatus): Omit<PlanEvent, 'id' | 'createdAt'> {
  return {
    type: s.kind === 'stop' ? 'missed_collection' : 'sweeping_gap', planId, vehicleId: s.vehicleIds[0] ?? null, key: s.key, recordId: s.recordId,
    at: new Date(s.dueMs).toISOString(),
    details: s.kind === 'stop'
      ? { pointId: s.recordId, visit: s.visit ?? 0, windowStart: new Date(s.fromMs).toISOString(), windowEnd: new Date(s.dueMs).toISOString(), plannedStart: new Date(s.plannedStartMs).toISOString() }
      : { segmentId: s.recordId, vehicleIds: s.vehicleIds, deadline: new Date(s.dueMs).toISOString(), plannedStart: new Date(s.plannedStartMs).toISOString(),
        passes: s.passes ?? 0, requiredPasses: s.requiredPasses ?? 0, lengthM: Math.round(s.lengthM ?? 0), partialShare: Math.round((s.partialShare ?? 0) * 100) / 100 },
  };
}

export class ActualMonitor {
  private readonly plans = new Map<string, Judged>();
  private chain: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly now: () => number;
  private readonly logger: Logger;

  constructor(private readonly deps: ActualMonitorDeps) {
    this.now = deps.now ?? Date.now;
    this.logger = deps.logger ?? silentLogger;
  }

  /** Loads the plans being driven and judges them every `intervalMs`. */
  async start(intervalMs = 30_000): Promise<void> {
    await this.run(() => this.refresh());
    this.timer = setInterval(() => void this.run(async () => {
      await this.refresh();
      await this.tick();
    }), intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Committed fixes (the position writer's onCommitted). */
  committed(fixes: StoredFix[]): void {
    if (this.plans.size === 0) return;
    void this.run(() => this.apply(fixes));
  }

  /** A plan was published, started or closed: the set being driven may have changed. */
  planChanged(): Promise<void> {
    return this.run(async () => {
      await this.refresh();
      await this.tick();
    });
  }

  /** Everything queued so far is done (tests, shutdown). */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Judges every plan at the wall clock now. */
  tick(): Promise<void> {
    return (async () => {
      for (const j of this.plans.values()) await this.judge(j);
    })();
  }

  private run(task: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(task).catch((err: unknown) => this.logger.warn({ err }, 'plan against actual: judging failed'));
    return this.chain;
  }

  private async refresh(): Promise<void> {
    const nowMs = this.now();
    const tz = this.deps.profile().timeZone;
    const today = PlanClock.localDate(nowMs, tz);
    const [y, m, d] = today.split('-').map(Number) as [number, number, number];
    const yesterday = new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
    const ids = new Set(await this.deps.store.activePlanIds([yesterday, today]));
    for (const id of [...this.plans.keys()]) if (!ids.has(id)) this.plans.delete(id);
    const network = this.deps.network?.();
    for (const id of ids) {
      const known = this.plans.get(id);
      if (known && (known.withNetwork || !network)) {
        // a driver may have marked a stop done since
        for (const [key, atMs] of await this.deps.store.marks(id)) known.actual.mark(key, atMs);
        continue;
      }
      const judged = await loadJudged(this.deps.store, id, this.deps.profile(), network);
      if (!judged) continue;
      // statuses already stored are the baseline: only changes from them are pushed and stored
      for (const s of await this.deps.store.statuses(id)) judged.last.set(s.key, fingerprint(s));
      this.plans.set(id, judged);
      await this.judge(judged);
    }
  }

  private async apply(fixes: StoredFix[]): Promise<void> {
    const byVehicle = new Map<string, StoredFix[]>();
    for (const f of fixes) {
      if (f.implausible || !f.positioned) continue;
      const list = byVehicle.get(f.vehicleId);
      if (list) list.push(f);
      else byVehicle.set(f.vehicleId, [f]);
    }
    for (const j of this.plans.values()) {
      let touched = false;
      for (const [vehicleId, list] of byVehicle) {
        if (!j.actual.has(vehicleId)) continue;
        touched = true;
        list.sort((a, b) => a.fixTimeMs - b.fixTimeMs);
        if (list[0]!.fixTimeMs < j.actual.lastFixMs(vehicleId)) {
          // a late batch (a terminal's blind-area upload): the day again, from the log, in order
          const [from, to] = dayWindow(j.clock);
          j.actual.replay(vehicleId, await this.deps.store.fixes(vehicleId, from, to));
          continue;
        }
        for (const f of list) {
          if (f.fixTimeMs <= j.actual.lastFixMs(vehicleId)) continue;
          j.actual.ingest(vehicleId, { timeMs: f.fixTimeMs, lon: f.lon, lat: f.lat, speedKmh: f.speedKmh, headingDeg: f.headingDeg, ...(f.working === undefined ? {} : { working: f.working }), ...(f.coverClosed === undefined || f.coverClosed === null ? {} : { coverClosed: f.coverClosed }) });
        }
      }
      if (touched) await this.judge(j);
    }
  }

  private async judge(j: Judged): Promise<void> {
    const nowMs = this.now();
    // the day is over: dwells and passes still open are ended with the last fix
    if (nowMs >= dayWindow(j.clock)[1]) j.actual.flush();
    const statuses = j.actual.evaluate(nowMs);
    const changed = statuses.filter((s) => j.last.get(s.key) !== fingerprint(s));
    if (changed.length === 0) return;
    await this.deps.store.save(j.planId, changed);
    const missed = changed.filter((s) => s.status === 'missed');
    const raised = missed.length ? await this.deps.store.raise(missed.map((s) => planEventOf(j.planId, s))) : [];
    for (const s of changed) {
      const before = j.last.get(s.key)?.split('|')[0];
      j.last.set(s.key, fingerprint(s));
      if (before !== s.status) this.deps.onStatus?.(j.planId, s);
    }
    for (const e of raised) this.deps.onEvent?.(e);
  }
}
