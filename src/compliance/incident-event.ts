// The contract between the compliance detectors (which raise incidents) and the incident
// store (which keeps them): detectors emit events, the sink decides where they go.
export type IncidentType = 'off_route' | 'outside_hours' | 'uncovered' | 'spill' | 'illegal_dumping' | 'speeding' | 'restricted_zone' | 'no_permit' | 'wrong_site'
  // from plan against actual (src/planning/actual): a point's window ended unserved, a street not covered by its deadline
  | 'missed_collection' | 'sweeping_gap';
export interface IncidentEvent {
  /** stable per incident: `${type}:${vehicleId}:${startMs}` — the same key for open, update and close */
  key: string;
  phase: 'open' | 'update' | 'close';
  type: IncidentType;
  vehicleId: string;
  permitId?: string;
  zoneId?: string;
  startMs: number;
  /** set on close */
  endMs?: number;
  atMs: number;
  level: number;              // escalation level, 1 at open
  fixIds: string[];           // ids of the fixes involved so far (position log ids)
  thresholds: Record<string, number | string>;  // the thresholds in force (from the profile/permit)
  details: Record<string, unknown>;              // e.g. maxSpeedKmh, distanceOutsideM, siteId
}
export interface IncidentSink { emit(event: IncidentEvent): void | Promise<void>; }
