import type { CityProfile } from '../domain/city-profile.js';
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
 * The evidence is the plan against the track (evidence.ts): the point or the street, the vehicle's
 * fixes over the stop's window or from the street's planned time to its deadline, and for a street
 * its coverage (passes seen of those required, the largest share one stay covered). Street
 * detection is the weaker of the two: on simulated days it was not tuned on, 97.2-97.8 % of the
 * streets judged missed were missed (collection stops 99.6-99.9 %; src/planning/README.md), the
 * others a few streets, the same day after day (one-way streets needing a second pass, a road that
 * zigzags back on itself); an officer reads the coverage before acting and closes a wrong one as a
 * false alarm, which keeps it out of the contractor's figures.
 */
export type PlanEventRules = Pick<CityProfile['planning']['actual'], 'stopRadiusM' | 'minDwellS' | 'segmentToleranceM' | 'minCoverage'>;

export function planEventIncidents(event: Pick<PlanEvent, 'type' | 'planId' | 'vehicleId' | 'key' | 'recordId' | 'at' | 'details'>, rules: PlanEventRules): IncidentEvent[] {
  if (!event.vehicleId) return [];
  const atMs = Date.parse(event.at);
  const thresholds: Record<string, string | number> = event.type === 'missed_collection'
    ? { windowEnd: event.at, stopRadiusM: rules.stopRadiusM, minDwellS: rules.minDwellS }
    : { deadline: event.at, requiredPasses: Number(event.details.requiredPasses ?? 1), minCoverage: rules.minCoverage, segmentToleranceM: rules.segmentToleranceM };
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
