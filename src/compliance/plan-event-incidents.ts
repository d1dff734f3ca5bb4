import type { PlanEvent } from '../planning/actual/actual-store.js';
import type { IncidentEvent } from './incident-event.js';

/**
 * A plan event of plan against actual (a point's window ended unserved, a street not covered by
 * its deadline) as an incident on the enforcement desk: it happened at one moment, so it opens
 * and ends at once; officers then acknowledge and close it like any other. Keyed by the plan and
 * the stop or street, so an event raised again (another instance, a re-judged day) is the same
 * incident. A street no vehicle was planned on (swept by hand) has no vehicle to name: it stays a
 * plan event only.
 */
export function planEventIncidents(event: Pick<PlanEvent, 'type' | 'planId' | 'vehicleId' | 'key' | 'recordId' | 'at' | 'details'>): IncidentEvent[] {
  if (!event.vehicleId) return [];
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
