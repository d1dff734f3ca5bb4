import type { PlanEvent } from '../planning/actual/actual-store.js';
import type { IncidentEvent } from './incident-event.js';

/**
 * A plan event of plan against actual (a point's window ended unserved, a street not covered by
 * its deadline) as an incident on the enforcement desk: it happened at one moment, so it opens
 * and ends at once; officers then acknowledge and close it like any other. Keyed by the plan and
 * the stop or street, so an event raised again (another instance, a re-judged day) is the same
 * incident. A street no vehicle was planned on (swept by hand) has no vehicle to name: it stays a
 * plan event only.
 *
 * Sweeping gaps stay plan events (for dispatchers) and are not raised as incidents yet: on the
 * simulated days of `npm run bench:planning -- --only stop-detection` a street judged missed was
 * really missed 98.8 % of the time on the days the detector was tuned on (seeds 1001-1010, recall
 * 98.9 %), but 96.9 % on seeds 1011-1020 and 97.2 % on twenty held-out days (1031-1050, recall 98.4 %),
 * against 99.7 / 99.7 % for collection stops (1 Dec 2026); a false incident is evidence against a
 * contractor. Raise them once street detection holds served >= 99 % and missed >= 98 % recall and
 * precision on days beyond those it was tuned on (src/planning/README.md, "Days the detector was not
 * tuned on", also for the confidence rules tried).
 */
export const INCIDENT_PLAN_EVENTS: ReadonlySet<string> = new Set(['missed_collection']);

export function planEventIncidents(event: Pick<PlanEvent, 'type' | 'planId' | 'vehicleId' | 'key' | 'recordId' | 'at' | 'details'>): IncidentEvent[] {
  if (!event.vehicleId || !INCIDENT_PLAN_EVENTS.has(event.type)) return [];
  const atMs = Date.parse(event.at);
  const thresholds: Record<string, string> = event.type === 'missed_collection' ? { windowEnd: event.at } : { deadline: event.at };
  const base: Omit<IncidentEvent, 'phase'> = {
    key: `${event.type}:${event.planId}:${event.key}`,
    type: event.type,
    vehicleId: event.vehicleId,
    startMs: atMs,
    atMs,
    level: 1,
    fixIds: [],
    thresholds,
    details: { ...event.details, planId: event.planId, recordId: event.recordId, stop: event.key },
  };
  return [{ ...base, phase: 'open' }, { ...base, phase: 'close', endMs: atMs }];
}
