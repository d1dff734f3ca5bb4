import type { LoadState } from './fix.js';
import type { VehicleKind, WasteClass } from './model.js';

/**
 * What the dispatch map shows of a vehicle: its latest fix (greatest fix time, whatever
 * order fixes arrived in) and what follows from it.
 */
export type Motion = 'moving' | 'stopped' | 'offline';

export interface LatestFix {
  fixTimeMs: number;
  lat: number;
  lon: number;
  speedKmh: number;
  headingDeg: number;
  accOn?: boolean;
  positioned: boolean;
  alarms: string[];
}

export interface VehicleState {
  vehicleId: string;
  plate: string;
  kind: VehicleKind;
  wasteClasses: WasteClass[];
  district?: string;
  /** The contractor running the vehicle (a contractor-scoped account sees only its own). */
  contractor?: string;
  latest?: LatestFix;
  motion: Motion;
  /** Since local midnight in the city's time zone. */
  distanceTodayM: number;
  /** A trip starts when the vehicle moves after a stop longer than the stop threshold. */
  tripStartedAtMs?: number;
  tripDistanceM: number;
  loadState?: LoadState;
  coverClosed?: boolean;
  bodyLifted?: boolean;
  loadKg?: number;
  /** When this state last changed (server clock). */
  updatedAtMs: number;
}
