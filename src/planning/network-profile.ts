import { DEFAULT_NETWORK_PROFILE, type NetworkProfile, type Restriction, type VehicleKind as NetworkVehicleKind } from '../../solver/network/index.js';
import type { CityProfile } from '../domain/city-profile.js';
import type { RestrictedZone, VehicleKind } from '../domain/model.js';
import { minutesOfDay } from '../domain/time-of-day.js';

/** How the fleet's vehicle kinds drive on the network: trucks obey HGV rules, street cleaners work slowly. */
export const networkKindOf: Record<VehicleKind, NetworkVehicleKind> = {
  collector: 'truck',
  muck_truck: 'truck',
  sweeper: 'sweeper',
  washer: 'sweeper',
  waterer: 'sweeper',
};

/**
 * The road network's profile from the city's: highway speeds, the muck-truck speed cap,
 * the sweepers' working speed, the grade table, and restricted zones as hourly bans.
 */
export function networkProfileFor(city: CityProfile, zones: RestrictedZone[] = []): NetworkProfile {
  const restrictions: Restriction[] = [];
  for (const zone of zones) {
    if (zone.mode !== 'ban') continue;
    const kinds = [...new Set(zone.vehicleKinds.map((k) => networkKindOf[k]))];
    // Whole hours: a ban from 07:30 covers the 07:00 hour (the network resolves hours).
    const windows = zone.hours.length > 0 ? zone.hours : [{ from: '00:00', to: '24:00' }];
    for (const w of windows) {
      const fromHour = Math.floor(minutesOfDay(w.from) / 60);
      const toHour = Math.min(24, Math.ceil(minutesOfDay(w.to) / 60)) || 24;
      restrictions.push({ name: zone.name, polygon: zone.area, vehicleKinds: kinds, fromHour, toHour: toHour === fromHour ? (fromHour + 1) % 24 || 24 : toHour, mode: 'ban' });
    }
  }
  const grades: Record<string, number> = {};
  for (const [highway, grade] of Object.entries(city.sweeping.highwayGrades)) grades[highway] = Number(grade);
  return {
    ...DEFAULT_NETWORK_PROFILE,
    highwaySpeedKmh: { ...city.highwaySpeedsKmh },
    vehicles: {
      ...DEFAULT_NETWORK_PROFILE.vehicles,
      truck: { ...DEFAULT_NETWORK_PROFILE.vehicles.truck, maxSpeedKmh: city.speedLimitsKmh.muckTruckInTown },
    },
    sweeperWorkSpeedKmh: city.sweeping.workSpeedKmh,
    roadGradeByHighway: grades,
    restrictions,
  };
}
