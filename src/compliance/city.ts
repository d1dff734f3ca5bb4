import type { CityProfile } from '../domain/city-profile.js';
import type { PolygonGeometry } from '../domain/geo.js';
import type { ConstructionSite, Facility, Permit, RestrictedZone, Vehicle } from '../domain/model.js';
import { pointInPolygon } from '../../solver/index.js';
import { CorridorGeometry } from '../planning/corridor.js';
import { inWindow, nightDate, type LocalTime } from './local-time.js';
import { PlaceIndex, type Place } from './places.js';

/**
 * The part of the city model the detectors judge against, prepared once per change of the
 * model or the profile: vehicles, permits per vehicle with their corridors, facilities and
 * sites as places, restricted zones.
 */
export interface CityModel {
  vehicles: Vehicle[];
  permits: Permit[];
  /** A facility may carry an outline (the fenced area) besides its point. */
  facilities: Array<Facility & { outline?: PolygonGeometry }>;
  sites: ConstructionSite[];
  zones: RestrictedZone[];
}

export interface PermitCorridor {
  permit: Permit;
  geometry: CorridorGeometry;
  /** The permit's width, within the profile's bounds. */
  widthM: number;
}

const NO_ZONES: readonly RestrictedZone[] = Object.freeze([]);
const NO_PERMITS: readonly PermitCorridor[] = Object.freeze([]);

export class ComplianceCity {
  readonly vehicles = new Map<string, Vehicle>();
  readonly places: PlaceIndex;
  private readonly permitsByVehicle = new Map<string, PermitCorridor[]>();
  private readonly zones: Array<{ zone: RestrictedZone; minLon: number; maxLon: number; minLat: number; maxLat: number }>;

  constructor(model: CityModel, readonly profile: CityProfile) {
    for (const v of model.vehicles) this.vehicles.set(v.id, v);
    const { minWidthM, maxWidthM, defaultWidthM } = profile.corridor;
    for (const p of model.permits) {
      const widthM = Math.min(maxWidthM, Math.max(minWidthM, p.corridor?.widthM ?? defaultWidthM));
      // The approved route runs from the site to the drawn line and from its end to the disposal site.
      const line = p.corridor.line.coordinates.map((c) => [c[0]!, c[1]!] as [number, number]);
      const site = model.sites.find((s) => s.id === p.siteId)?.location.coordinates;
      const disposal = model.facilities.find((f) => f.id === p.disposalFacilityId)?.location.coordinates;
      if (site) line.unshift([site[0], site[1]]);
      if (disposal) line.push([disposal[0], disposal[1]]);
      const entry: PermitCorridor = { permit: p, widthM, geometry: new CorridorGeometry({ line, bufferM: widthM / 2, disks: [] }) };
      for (const vehicleId of p.vehicleIds) {
        let list = this.permitsByVehicle.get(vehicleId);
        if (!list) this.permitsByVehicle.set(vehicleId, (list = []));
        list.push(entry);
      }
    }
    const places: Place[] = [
      ...model.facilities.map((f) => ({ id: f.id, kind: 'facility' as const, placeKind: f.kind, lon: f.location.coordinates[0], lat: f.location.coordinates[1], outline: f.outline })),
      ...model.sites.map((s) => ({ id: s.id, kind: 'site' as const, placeKind: 'construction_site', lon: s.location.coordinates[0], lat: s.location.coordinates[1], outline: s.area })),
    ];
    this.places = new PlaceIndex(places, profile.compliance.facilityToleranceM, profile.compliance.facilityPointRadiusM);
    this.zones = model.zones.map((zone) => {
      const ring = zone.area.coordinates[0]!;
      return {
        zone, minLon: Math.min(...ring.map((c) => c[0]!)), maxLon: Math.max(...ring.map((c) => c[0]!)),
        minLat: Math.min(...ring.map((c) => c[1]!)), maxLat: Math.max(...ring.map((c) => c[1]!)),
      };
    });
  }

  /** The vehicle's permits valid on the night (or day) the local time belongs to. */
  validPermits(vehicleId: string, t: LocalTime): readonly PermitCorridor[] {
    const list = this.permitsByVehicle.get(vehicleId);
    if (!list) return NO_PERMITS;
    if (list.length === 1) {
      const { permit } = list[0]!;
      const date = nightDate(t, permit.hours);
      return date >= permit.validFrom && date <= permit.validTo ? list : NO_PERMITS;
    }
    return list.filter(({ permit }) => {
      const date = nightDate(t, permit.hours);
      return date >= permit.validFrom && date <= permit.validTo;
    });
  }

  /** Restricted zones of the mode that apply to the vehicle kind now and hold the position. */
  zonesAt(lon: number, lat: number, kind: Vehicle['kind'], t: LocalTime, mode: 'ban' | 'speed_limit'): readonly RestrictedZone[] {
    let out: RestrictedZone[] | undefined;
    for (const { zone: z, minLon, maxLon, minLat, maxLat } of this.zones) {
      if (lon < minLon || lon > maxLon || lat < minLat || lat > maxLat) continue;
      if (z.mode !== mode || !z.vehicleKinds.includes(kind)) continue;
      if (z.hours.length > 0 && !z.hours.some((w) => inWindow(t, w))) continue;
      if (pointInPolygon(lon, lat, z.area.coordinates as number[][][])) (out ??= []).push(z);
    }
    return out ?? NO_ZONES;
  }
}
