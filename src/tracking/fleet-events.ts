import { EventEmitter } from 'node:events';
import type { VehicleState } from '../domain/vehicle-state.js';
import type { StoredFix } from './position-writer.js';

/**
 * The in-process bus between tracking and its listeners (live push, compliance).
 * 'state' fires after the fixes behind it are committed, never before.
 */
export interface FleetEventMap {
  state: [VehicleState];
  /** The fixes a commit made durable (new to the log, any order), after the vehicle states they move. */
  fixes: [StoredFix[]];
}

export class FleetEvents extends EventEmitter<FleetEventMap> {
  constructor() {
    super();
    // Every socket room and detector listens: more than the default 10 is normal.
    this.setMaxListeners(0);
  }
}

/** Where the live hub reads the snapshot it sends on connect. */
export interface FleetStateSource {
  snapshot(): VehicleState[];
  get(vehicleId: string): VehicleState | undefined;
}
