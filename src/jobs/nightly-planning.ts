import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { CityProfile } from '../domain/city-profile.js';
import { PlanClock } from '../planning/plan-clock.js';
import type { PlanStore } from '../planning/plan-store.js';
import { listDistricts } from '../planning/snapshot.js';
import type { Db } from '../store/db.js';

/**
 * The nightly plan (city profile `planning.nightlyAt`, local time; `planning.nightlyEnabled`):
 * tomorrow's plan for every district (or the whole city, `planning.nightlyScope`), left as
 * drafts for the dispatcher. Each job carries the dedupe key nightly:<date>:<district>, so
 * several service instances firing at once, or a restart re-firing, queue it once.
 */
export interface NightlyPlanning {
  /** The cron expression in force ('' when off). */
  readonly schedule: string;
  /** When it fires next (null when off). */
  nextRun(): Date | null;
  /** Follows a profile change: new time, on or off. */
  reschedule(profile: CityProfile): void;
  /** Queues tomorrow's plans now (what the cron calls); returns the plan ids queued. */
  runOnce(nowMs?: number): Promise<string[]>;
  stop(): Promise<void>;
}

export function cronOf(profile: CityProfile): string {
  const [h, m] = profile.planning.nightlyAt.split(':').map(Number) as [number, number];
  return `${m} ${h} * * *`;
}

export function scheduleNightlyPlanning(deps: {
  db: Db;
  plans: PlanStore;
  profile: () => CityProfile;
  logger: Logger;
  /** A job was queued (wake the local runner). */
  onQueued?: () => void;
  /** false without a road network: the nightly run logs why it plans nothing. */
  canPlan: () => boolean;
}): NightlyPlanning {
  let task: ScheduledTask | undefined;
  let schedule = '';
  let scheduledFor = '';

  const runOnce = async (nowMs = Date.now()): Promise<string[]> => {
    const profile = deps.profile();
    if (!deps.canPlan()) {
      deps.logger.warn('nightly plan skipped: no road network (OSM_FILE)');
      return [];
    }
    const date = PlanClock.nextDate(PlanClock.localDate(nowMs, profile.timeZone));
    const districts: Array<string | null> = profile.planning.nightlyScope === 'city' ? [null] : await listDistricts(deps.db);
    if (districts.length === 0) districts.push(null);
    // tomorrow declared a snow day (winter.snowDates): its plans clear snow and de-ice (build-problem.ts)
    const mode = profile.winter.snowDates.includes(date) ? 'snow' as const : 'normal' as const;
    const options = { seed: profile.planning.seed, iterations: profile.planning.iterations, timeLimitS: profile.planning.timeLimitS, mode };
    const queued: string[] = [];
    for (const district of districts) {
      const created = await deps.plans.create({ date, district, options, createdBy: 'nightly', dedupeKey: `nightly:${date}:${district ?? ''}` });
      if (created) queued.push(created.planId);
    }
    deps.logger.info({ date, districts, mode, queued: queued.length }, 'nightly plans queued');
    if (queued.length) deps.onQueued?.();
    return queued;
  };

  const reschedule = (profile: CityProfile): void => {
    const expression = profile.planning.nightlyEnabled ? cronOf(profile) : '';
    const key = `${expression}@${profile.timeZone}`;
    if (key === scheduledFor) return;
    scheduledFor = key;
    void task?.destroy();
    task = undefined;
    schedule = expression;
    if (!expression) {
      deps.logger.info('nightly plan off');
      return;
    }
    task = cron.schedule(expression, async () => {
      await runOnce().catch((err: unknown) => deps.logger.error({ err }, 'nightly plan failed'));
    }, { name: 'nightly-plan', timezone: profile.timeZone, noOverlap: true, unref: true });
    deps.logger.info({ cron: expression, timeZone: profile.timeZone }, 'nightly plan scheduled');
  };

  reschedule(deps.profile());
  return {
    get schedule() {
      return schedule;
    },
    nextRun: () => task?.getNextRun() ?? null,
    reschedule,
    runOnce,
    stop: async () => {
      await task?.destroy();
      task = undefined;
    },
  };
}
