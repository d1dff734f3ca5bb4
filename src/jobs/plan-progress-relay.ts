import type { Logger } from 'pino';
import type { Db } from '../store/db.js';
import type { PlanProgressEvent } from './plan-runner.js';

/**
 * Progress of plan jobs run by other processes (`npm run worker` on other machines) reaches
 * this instance's dispatchers through the job rows: once a second, the running jobs not run
 * here and those that ended in the last seconds are read, and what changed is pushed.
 */
export function relayRemoteProgress(deps: { db: Db; localOwner: () => string | undefined; emit: (e: PlanProgressEvent) => void; logger: Logger; everyMs?: number }): { stop(): void } {
  const last = new Map<string, string>();
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const res = await deps.db.query<{ id: string; plan_id: string; status: PlanProgressEvent['status']; payload: { date: string; district: string | null }; progress: any; error: string | null; owner: string | null }>(
        `select id, plan_id, status, payload, progress, error, owner from plan_jobs
         where kind = 'plan' and (status = 'running' or finished_at > now() - interval '10 seconds') and owner is distinct from $1`,
        [deps.localOwner() ?? ''],
      );
      const seen = new Set<string>();
      for (const r of res.rows) {
        seen.add(r.id);
        const p = r.progress ?? {};
        const event: PlanProgressEvent = {
          jobId: r.id, planId: r.plan_id, date: r.payload.date, district: r.payload.district, status: r.status,
          ...(r.status === 'running' ? { phase: p.phase, fraction: p.fraction ?? 0 } : { fraction: 1 }),
          ...(p.best ? { best: p.best } : {}), ...(r.error ? { error: r.error } : {}),
        };
        const key = JSON.stringify(event);
        if (last.get(r.id) === key) continue;
        last.set(r.id, key);
        deps.emit(event);
      }
      for (const id of last.keys()) if (!seen.has(id)) last.delete(id);
    } catch (err) {
      deps.logger.warn({ err }, 'plan progress relay: read failed');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), deps.everyMs ?? 1000);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
