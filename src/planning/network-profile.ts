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
  // a spreader works segments like the street cleaners: snapped and routed on their network
  spreader: 'sweeper',
};

/**
 * One hourly ban of a restricted zone as the network sees it: restriction `index` of the
 * network profile bans the zone for the fleet's `vehicleKinds` from `fromHour` to `toHour`.
 * The network knows only its own kinds (collectors and muck trucks are both "truck"), so the
 * planner picks restrictions by these fleet kinds and passes their indices explicitly.
 */
export interface ZoneRestriction {
  index: number;
  zoneId: string;
  vehicleKinds: VehicleKind[];
  fromHour: number;
  toHour: number;
}

/** The bans of the restricted zones, in the order of the network profile's restrictions. */
export function zoneRestrictions(zones: RestrictedZone[]): ZoneRestriction[] {
  const out: ZoneRestriction[] = [];
  for (const zone of zones) {
    if (zone.mode !== 'ban') continue;
    // Whole hours: a ban from 07:30 covers the 07:00 hour (the network resolves hours).
    const windows = zone.hours.length > 0 ? zone.hours : [{ from: '00:00', to: '24:00' }];
    for (const w of windows) {
      const fromHour = Math.floor(minutesOfDay(w.from) / 60);
      const toHour = Math.min(24, Math.ceil(minutesOfDay(w.to) / 60)) || 24;
      out.push({ index: out.length, zoneId: zone.id, vehicleKinds: zone.vehicleKinds, fromHour, toHour: toHour === fromHour ? (fromHour + 1) % 24 || 24 : toHour });
    }
  }
  return out;
}

/**
 * The road network's profile from the city's: highway speeds, the truck speed cap, the
 * sweepers' working speed, the grade table, and restricted zones as hourly bans.
 * Collectors and muck trucks share the network's "truck" kind (heavy-goods rules), so its cap
 * is the lower of the two limits: a plan never counts on a speed either may not drive.
 */
export function networkProfileFor(city: CityProfile, zones: RestrictedZone[] = []): NetworkProfile {
  const areas = new Map(zones.map((z) => [z.id, z]));
  const restrictions: Restriction[] = zoneRestrictions(zones).map((r) => {
    const zone = areas.get(r.zoneId)!;
    const kinds = [...new Set(r.vehicleKinds.map((k) => networkKindOf[k]))];
    return { name: zone.name, polygon: zone.area, vehicleKinds: kinds, fromHour: r.fromHour, toHour: r.toHour, mode: 'ban' };
  });
  const grades: Record<string, number> = {};
  for (const [highway, grade] of Object.entries(city.sweeping.highwayGrades)) grades[highway] = Number(grade);
  return {
    ...DEFAULT_NETWORK_PROFILE,
    highwaySpeedKmh: { ...city.highwaySpeedsKmh },
    vehicles: {
      ...DEFAULT_NETWORK_PROFILE.vehicles,
      truck: { ...DEFAULT_NETWORK_PROFILE.vehicles.truck, maxSpeedKmh: Math.min(city.speedLimitsKmh.muckTruckInTown, city.speedLimitsKmh.collector) },
    },
    // the planned work speed, never above the limit for a sweeper at work
    sweeperWorkSpeedKmh: Math.min(city.sweeping.workSpeedKmh, city.speedLimitsKmh.sweeperWorking),
    roadGradeByHighway: grades,
    restrictions,
  };
}
