import type { ProblemInput, Solution } from '../../solver/index.js';
import type { RoadNetwork } from '../../solver/network/index.js';
import type { PlanMapping } from '../../src/planning/build-problem.js';
import { simulatePlanDay, type PlanDay, type PlanDayOptions } from '../plan-day.js';
import type { FleetVehicle } from './fleet.js';

/**
 * A published plan turned into the fleet's tracks for the day: each route driven by
 * simulations/plan-day.ts (network speeds with variation, dwelling at stops, unloading at
 * facilities, sweeping at working speed, GPS noise and the odd multipath outlier), paired with
 * the device each vehicle reports through.
 */
export interface VehicleDevice {
  id: string;
  terminalId?: string;
  terminalModel?: string;
  deviceId?: string;
  capacityKg?: number;
}

export interface StoredPlan {
  problem: ProblemInput;
  solution: Solution;
  mapping: PlanMapping;
}

/** The demo's defaults: every stop served (a living city, not a test of the detector), realistic noise. */
export const DEMO_DAY: Omit<PlanDayOptions, 'seed'> = { skipShare: 0, delayShare: 0.1, speedVariation: 0.15, outlierShare: 0.005, noiseM: 5 };

export function planTracks(input: {
  plan: StoredPlan; network: RoadNetwork; roads: Map<string, Array<[number, number]>>; devices: VehicleDevice[]; options: PlanDayOptions;
}): { vehicles: FleetVehicle[]; day: PlanDay } {
  const { plan } = input;
  const day = simulatePlanDay({ network: input.network, problem: plan.problem, solution: plan.solution, mapping: plan.mapping, segmentGeometry: (id) => input.roads.get(id) }, input.options);
  const devices = new Map(input.devices.map((d) => [d.id, d]));
  const vehicles: FleetVehicle[] = [];
  for (const [vehicleId, fixes] of day.fixes) {
    const d = devices.get(vehicleId);
    // a vehicle with neither a terminal nor a phone cannot report
    if (!d || (!d.terminalId && !d.deviceId)) continue;
    vehicles.push({ vehicleId, terminalId: d.terminalId, terminalModel: d.terminalModel, deviceId: d.deviceId, capacityKg: d.capacityKg, fixes });
  }
  return { vehicles, day };
}
