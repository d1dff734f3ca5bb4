import { z } from 'zod';
import { lineStringGeometry, pointGeometry, polygonGeometry } from './geo.js';
import { canonicalTerminalId } from './terminal-id.js';
import { timeOfDay, timeWindow } from './time-of-day.js';

/**
 * The city model: what the dispatcher registers and the planner plans over.
 * These schemas are the contract at the API edge (unknown fields are rejected) and
 * the shape stored in the database.
 */

/** GB/T 19095-2019's four classes, plus construction waste (渣土) carried by muck trucks. */
export const wasteClass = z.enum(['food', 'residual', 'recyclable', 'hazardous', 'construction']);
export type WasteClass = z.infer<typeof wasteClass>;

export const facilityKind = z.enum([
  'transfer_station', 'incinerator', 'food_waste_plant', 'sorting_centre',
  'hazardous_store', 'construction_disposal', 'water_point',
  /** a yard that stocks de-icing salt/grit (融雪剂): spreaders refill there on snow days */
  'deicer_store',
]);
export type FacilityKind = z.infer<typeof facilityKind>;

export const vehicleKind = z.enum(['sweeper', 'washer', 'waterer', 'muck_truck', 'collector', 'spreader']);
export type VehicleKind = z.infer<typeof vehicleKind>;

export const roadGrade = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);

/** Ids are chosen by the client (so a whole city can be imported with its references) or generated. */
export const entityId = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'ids use letters, digits and _ . : -');

const name = z.string().min(1).max(200);
const district = z.string().min(1).max(100).optional();

export const depotSchema = z.strictObject({
  id: entityId.optional(),
  name,
  district,
  location: pointGeometry,
});

export const facilitySchema = z.strictObject({
  id: entityId.optional(),
  name,
  district,
  kind: facilityKind,
  location: pointGeometry,
  /**
   * The fenced area, when known (a disposal site's fence: trucks tip a few metres inside it).
   * "Inside the facility" is judged on it; a facility with only a point gets a radius.
   */
  outline: polygonGeometry.optional(),
  acceptedClasses: z.array(wasteClass).max(5),
  openingHours: z.array(timeWindow).min(1).max(12),
  dailyCapacityKg: z.number().finite().min(0).max(1e9),
  unloadS: z.number().int().min(0).max(4 * 3600),
}).superRefine((f, ctx) => {
  const refillOnly = f.kind === 'water_point' || f.kind === 'deicer_store';
  if (!refillOnly && f.acceptedClasses.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['acceptedClasses'], message: `a ${f.kind} must accept at least one waste class` });
  }
  if (refillOnly && f.acceptedClasses.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['acceptedClasses'], message: `a ${f.kind === 'water_point' ? 'water point' : 'de-icer store'} accepts no waste` });
  }
  if (f.kind === 'construction_disposal' && f.acceptedClasses.some((c) => c !== 'construction')) {
    ctx.addIssue({ code: 'custom', path: ['acceptedClasses'], message: 'a construction-waste disposal site accepts construction waste only' });
  }
  if (new Set(f.acceptedClasses).size !== f.acceptedClasses.length) {
    ctx.addIssue({ code: 'custom', path: ['acceptedClasses'], message: 'classes must not repeat' });
  }
});

export const vehicleSchema = z.strictObject({
  id: entityId.optional(),
  plate: z.string().min(1).max(20),
  kind: vehicleKind,
  district,
  contractor: z.string().min(1).max(200).optional(),
  wasteClasses: z.array(wasteClass).max(5),
  capacityKg: z.number().finite().min(0).max(100_000),
  capacityM3: z.number().finite().min(0).max(200),
  /** Sealed or covered body (密闭): required for construction and food waste. */
  sealed: z.boolean(),
  hazardousRated: z.boolean().default(false),
  sensors: z.strictObject({
    cover: z.boolean().default(false),
    lift: z.boolean().default(false),
    load: z.boolean().default(false),
    /** A cover sensor reported faulty: the planner keeps the truck off sealed-only work. */
    coverFaulty: z.boolean().default(false),
  }).prefault({}),
  /**
   * JT/T 808 terminal phone number (BCD digits, 12 in 2013 headers and 20 in 2019 headers),
   * stored and answered in canonical form: leading zeros stripped (src/domain/terminal-id.ts).
   */
  terminalId: z.string().regex(/^\d{1,20}$/, 'a JT/T 808 terminal id is 1-20 digits').transform(canonicalTerminalId).optional(),
  terminalModel: z.string().min(1).max(100).optional(),
  /** Another device id (OsmAnd phone, integrator); a numeric one is canonical like a terminal id. */
  deviceId: z.string().min(1).max(100).transform(canonicalTerminalId).optional(),
  homeDepotId: entityId,
  shift: timeWindow,
  /** Working speed for sweepers and washers while servicing a segment. */
  workSpeedKmh: z.number().positive().max(30).optional(),
  waterCapacityL: z.number().min(0).max(50_000).optional(),
  /** Spreaders (撒布机): kg of de-icing salt/grit the hopper holds; refilled at a de-icer store. */
  materialCapacityKg: z.number().finite().positive().max(30_000).optional(),
}).superRefine((v, ctx) => {
  if (v.kind === 'spreader' && v.materialCapacityKg === undefined) {
    ctx.addIssue({ code: 'custom', path: ['materialCapacityKg'], message: 'a spreader needs its material capacity in kg' });
  }
  if (v.kind !== 'spreader' && v.materialCapacityKg !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['materialCapacityKg'], message: 'only a spreader carries de-icing material' });
  }
  if (new Set(v.wasteClasses).size !== v.wasteClasses.length) {
    ctx.addIssue({ code: 'custom', path: ['wasteClasses'], message: 'classes must not repeat' });
  }
  if (v.kind === 'muck_truck' && (v.wasteClasses.length !== 1 || v.wasteClasses[0] !== 'construction')) {
    ctx.addIssue({ code: 'custom', path: ['wasteClasses'], message: 'a muck truck carries construction waste only' });
  }
  if (v.kind === 'collector' && v.wasteClasses.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['wasteClasses'], message: 'a collector must carry at least one waste class' });
  }
  if (v.wasteClasses.includes('hazardous') && !v.hazardousRated) {
    ctx.addIssue({ code: 'custom', path: ['hazardousRated'], message: 'only a hazardous-rated vehicle may carry hazardous waste' });
  }
  if ((v.kind === 'collector' || v.kind === 'muck_truck') && v.capacityKg <= 0) {
    ctx.addIssue({ code: 'custom', path: ['capacityKg'], message: `a ${v.kind} needs a positive capacity` });
  }
});

export const collectionPointSchema = z.strictObject({
  id: entityId.optional(),
  name,
  district,
  location: pointGeometry,
  wasteClass: wasteClass.exclude(['construction']),
  expectedKgPerDay: z.number().finite().min(0).max(1e6),
  expectedM3PerDay: z.number().finite().min(0).max(1e4).optional(),
  /** Empty = the city profile's collection windows. */
  windows: z.array(timeWindow).max(12).default([]),
  serviceS: z.number().int().min(0).max(3600),
  visitsPerDay: z.number().int().min(1).max(12).default(1),
  /** Minimum time between two visits of the same day. */
  minGapS: z.number().int().min(0).max(86_400).default(0),
});

export const constructionSiteSchema = z.strictObject({
  id: entityId.optional(),
  name,
  district,
  location: pointGeometry,
  /** The site outline, when known. */
  area: polygonGeometry.optional(),
  /** Wheel-wash point at the exit (出口冲洗). */
  washPoint: pointGeometry.optional(),
});

export const permitSchema = z.strictObject({
  id: entityId.optional(),
  number: z.string().min(1).max(100),
  siteId: entityId,
  disposalFacilityId: entityId,
  vehicleIds: z.array(entityId).min(1).max(500),
  corridor: z.strictObject({
    line: lineStringGeometry,
    widthM: z.number().finite().positive().max(1000),
  }),
  hours: timeWindow,
  loadsPerDay: z.number().int().min(1).max(2000),
  /** Planned load per trip, e.g. ~15 t for a 4-axle truck. */
  loadKg: z.number().finite().positive().max(100_000).default(15_000),
  validFrom: z.iso.date(),
  validTo: z.iso.date(),
}).superRefine((p, ctx) => {
  if (p.validTo < p.validFrom) ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'validTo is before validFrom' });
  if (new Set(p.vehicleIds).size !== p.vehicleIds.length) ctx.addIssue({ code: 'custom', path: ['vehicleIds'], message: 'vehicle ids must not repeat' });
});

export const roadSegmentSchema = z.strictObject({
  id: entityId.optional(),
  name: z.string().max(200).optional(),
  district,
  geometry: lineStringGeometry,
  grade: roadGrade,
  osmWayId: z.number().int().positive().optional(),
  highway: z.string().max(50).optional(),
  /** Default: the city profile's sweeping table for the grade. */
  sweepsPerDay: z.number().int().min(0).max(24).optional(),
  mechanicalSweepsPerDay: z.number().int().min(0).max(24).optional(),
  deadline: timeOfDay.optional(),
  oneway: z.boolean().default(false),
  /** Swept width in metres. Default: the city profile's `sweeping.widthMByGrade` for the grade. */
  widthM: z.number().positive().max(200).optional(),
  /** A bridge or a ramp (OSM `bridge=*`, `highway=*_link`): freezes first, cleared first on a snow day. */
  bridge: z.boolean().optional(),
  ramp: z.boolean().optional(),
}).refine((s) => s.sweepsPerDay === undefined || s.mechanicalSweepsPerDay === undefined || s.mechanicalSweepsPerDay <= s.sweepsPerDay, {
  message: 'mechanicalSweepsPerDay cannot exceed sweepsPerDay', path: ['mechanicalSweepsPerDay'],
});

export const restrictedZoneSchema = z.strictObject({
  id: entityId.optional(),
  name,
  district,
  area: polygonGeometry,
  vehicleKinds: z.array(vehicleKind).min(1),
  /** Empty = all day. */
  hours: z.array(timeWindow).max(12).default([]),
  mode: z.enum(['ban', 'speed_limit']).default('ban'),
  speedLimitKmh: z.number().positive().max(200).optional(),
}).refine((zn) => zn.mode !== 'speed_limit' || zn.speedLimitKmh !== undefined, {
  message: 'a speed-limit zone needs speedLimitKmh', path: ['speedLimitKmh'],
});

export type DepotInput = z.infer<typeof depotSchema>;
export type FacilityInput = z.infer<typeof facilitySchema>;
export type VehicleInput = z.infer<typeof vehicleSchema>;
export type CollectionPointInput = z.infer<typeof collectionPointSchema>;
export type ConstructionSiteInput = z.infer<typeof constructionSiteSchema>;
export type PermitInput = z.infer<typeof permitSchema>;
export type RoadSegmentInput = z.infer<typeof roadSegmentSchema>;
export type RestrictedZoneInput = z.infer<typeof restrictedZoneSchema>;

export type WithId<T> = T & { id: string };
export type Depot = WithId<DepotInput>;
export type Facility = WithId<FacilityInput>;
export type Vehicle = WithId<VehicleInput>;
export type CollectionPoint = WithId<CollectionPointInput>;
export type ConstructionSite = WithId<ConstructionSiteInput>;
export type Permit = WithId<PermitInput>;
export type RoadSegment = WithId<RoadSegmentInput>;
export type RestrictedZone = WithId<RestrictedZoneInput>;
