// What a city says about its roads and vehicles: which OSM highway classes are drivable, at
// what default speed, what each vehicle kind may use, and which zones are banned or penalised
// at which hours. The city profile passes one of these; the defaults follow Chinese urban practice.

export type VehicleKind = 'car' | 'truck' | 'sweeper';
export const VEHICLE_KINDS: readonly VehicleKind[] = ['car', 'truck', 'sweeper'];

export interface VehicleProfile {
  /** Never faster than this, whatever the road allows (e.g. muck trucks 40 km/h in town). */
  maxSpeedKmh: number;
  /** Share of the road's free-flow speed this vehicle reaches (heavy vehicles accelerate slowly). */
  speedFactor: number;
  /** Highway classes this vehicle may not use at all. */
  forbiddenHighways: string[];
  /** Obeys hgv=no / goods=no style tags (heavy goods vehicles). */
  heavyGoods: boolean;
}

export interface GeoJsonPolygon {
  type: 'Polygon';
  coordinates: number[][][];
}
export interface GeoJsonMultiPolygon {
  type: 'MultiPolygon';
  coordinates: number[][][][];
}

/** A zone closed to (ban) or discouraged for (penalty) some vehicle kinds during some hours. */
export interface Restriction {
  name?: string;
  polygon: GeoJsonPolygon | GeoJsonMultiPolygon;
  vehicleKinds: VehicleKind[];
  /** Local hour the restriction starts, 0-23. */
  fromHour: number;
  /** Local hour it ends (exclusive), 1-24; toHour < fromHour wraps past midnight (22 -> 6). */
  toHour: number;
  mode: 'ban' | 'penalty';
  /** Travel time multiplier inside the zone when mode is 'penalty' (e.g. 3). */
  penaltyFactor?: number;
}

export interface NetworkProfile {
  /** Drivable highway classes and their default free-flow speed when no maxspeed is tagged. */
  highwaySpeedKmh: Record<string, number>;
  vehicles: Record<VehicleKind, VehicleProfile>;
  /** Speed of a sweeper or washer while it works a segment (deadheading uses `vehicles.sweeper`). */
  sweeperWorkSpeedKmh: number;
  /** Road grade (1 = most important) by highway class, for sweeping frequencies; missing = `defaultRoadGrade`. */
  roadGradeByHighway: Record<string, number>;
  defaultRoadGrade: number;
  restrictions: Restriction[];
}

export const DEFAULT_NETWORK_PROFILE: NetworkProfile = {
  highwaySpeedKmh: {
    motorway: 80,
    motorway_link: 40,
    trunk: 60,
    trunk_link: 30,
    primary: 50,
    primary_link: 30,
    secondary: 40,
    secondary_link: 25,
    tertiary: 30,
    tertiary_link: 20,
    unclassified: 25,
    residential: 20,
    living_street: 10,
    service: 15,
    road: 20,
  },
  vehicles: {
    car: { maxSpeedKmh: 120, speedFactor: 1, forbiddenHighways: [], heavyGoods: false },
    truck: { maxSpeedKmh: 40, speedFactor: 0.9, forbiddenHighways: ['living_street'], heavyGoods: true },
    sweeper: { maxSpeedKmh: 40, speedFactor: 0.9, forbiddenHighways: [], heavyGoods: true },
  },
  sweeperWorkSpeedKmh: 10,
  roadGradeByHighway: {
    motorway: 1,
    trunk: 1,
    primary: 1,
    secondary: 2,
    tertiary: 3,
    motorway_link: 2,
    trunk_link: 2,
    primary_link: 2,
    secondary_link: 3,
    tertiary_link: 3,
  },
  defaultRoadGrade: 4,
  restrictions: [],
};

/** Whether `restriction` is in force at local hour `hour` (0-23). */
export function restrictionActiveAt(restriction: Restriction, hour: number): boolean {
  const { fromHour, toHour } = restriction;
  if (fromHour === toHour) return true;
  return fromHour < toHour ? hour >= fromHour && hour < toHour : hour >= fromHour || hour < toHour;
}

export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
