import type { VehicleState } from '../../../src/domain/vehicle-state.js';

/** "Unassigned": the filter choice for vehicles without a district or waste class. */
export const UNASSIGNED = '__unassigned';

/** What the dispatcher unticked, per group. */
export interface HiddenChoices {
  kind: string[];
  wasteClass: string[];
  district: string[];
  look: string[];
}

export const noneHidden = (): HiddenChoices => ({ kind: [], wasteClass: [], district: [], look: [] });

/** What the legend calls a vehicle: an alarm outranks its motion; no fix is its own state. */
export function lookOf(s: Pick<VehicleState, 'motion' | 'latest'>): 'moving' | 'stopped' | 'offline' | 'alarm' {
  if (s.latest?.alarms.length) return 'alarm';
  return s.motion;
}

/**
 * Whether a vehicle passes the filters. Groups list what is hidden, so a value nobody
 * listed (a district created after the page loaded) shows, and "unassigned" stands for
 * no district / no class: unticking one district never hides a vehicle that has none.
 */
export function passes(s: VehicleState, hidden: HiddenChoices): boolean {
  if (hidden.kind.includes(s.kind)) return false;
  const classes = s.wasteClasses.length ? s.wasteClasses : [UNASSIGNED];
  if (classes.every((c) => hidden.wasteClass.includes(c))) return false;
  if (hidden.district.includes(s.district ?? UNASSIGNED)) return false;
  if (hidden.look.includes(s.latest ? lookOf(s) : 'noFix')) return false;
  return true;
}
