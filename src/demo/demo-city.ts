import { DEMO_OSM_FILE } from './demo-files.js';
import { readOsm, type OsmData } from '../../solver/network/index.js';
import { defaultCityProfile, type CityProfile } from '../domain/city-profile.js';
import { distanceM } from '../domain/geo.js';
import type {
  CollectionPointInput, ConstructionSiteInput, DepotInput, FacilityInput, PermitInput,
  RestrictedZoneInput, RoadSegmentInput, VehicleInput, WasteClass,
} from '../domain/model.js';
import type { CityDocument } from '../store/city-document.js';
import { between, pick, seededRandom } from './random.js';
import { siteFootprint } from './site-outline.js';

/**
 * The demo city: Monaco's real road network (OpenStreetMap, ODbL) with generated depots,
 * facilities, collection points, construction sites, permits whose corridors follow real
 * roads, graded road segments and a mixed fleet. Seeded: the same seed gives the same city.
 */
export { DEMO_ATTRIBUTION, DEMO_OSM_FILE } from './demo-files.js';

/** The demo city's profile name: with the demo road network, how a later start knows the store holds the demo city. */
export const DEMO_CITY_NAME = 'Demo city (Monaco road network)';

/** The city in the store is the demo city: its profile is the demo's and its roads are the demo extract. */
export function isDemoCity(profile: { name: string }, osmFile: string | undefined): boolean {
  return profile.name === DEMO_CITY_NAME && osmFile === DEMO_OSM_FILE;
}

/** The principality itself (monaco.poly's bounding box): demand is placed inside it. */
const CITY_BOX = { minLon: 7.409205, minLat: 43.72335, maxLon: 7.448637, maxLat: 43.75169 };

const DRIVABLE = new Set([
  'motorway', 'motorway_link', 'trunk', 'trunk_link', 'primary', 'primary_link', 'secondary', 'secondary_link',
  'tertiary', 'tertiary_link', 'unclassified', 'residential', 'living_street', 'road',
]);
const COLLECTION_STREETS = new Set(['residential', 'tertiary', 'secondary', 'unclassified', 'living_street', 'primary']);

type LonLat = [number, number];
type Edge = { to: number; wayId: number; highway: string };

export interface DemoCityOptions {
  seed?: number;
  collectionPoints?: number;
  osm?: OsmData;
}

export interface DemoCity extends CityDocument {
  profile: CityProfile;
  depots: Array<DepotInput & { id: string }>;
  facilities: Array<FacilityInput & { id: string }>;
  vehicles: Array<VehicleInput & { id: string }>;
  collectionPoints: Array<CollectionPointInput & { id: string }>;
  constructionSites: Array<ConstructionSiteInput & { id: string }>;
  permits: Array<PermitInput & { id: string }>;
  roadSegments: Array<RoadSegmentInput & { id: string }>;
  restrictedZones: Array<RestrictedZoneInput & { id: string }>;
}

const point = (c: LonLat) => ({ type: 'Point' as const, coordinates: [round6(c[0]), round6(c[1])] as [number, number] });
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const inBox = (c: LonLat) => c[0] >= CITY_BOX.minLon && c[0] <= CITY_BOX.maxLon && c[1] >= CITY_BOX.minLat && c[1] <= CITY_BOX.maxLat;

function districtOf(c: LonLat): string {
  if (c[1] < 43.7325) return c[0] < 7.4215 ? 'Fontvieille' : 'Monaco-Ville';
  if (c[0] < 7.4245) return 'La Condamine';
  return 'Monte-Carlo';
}

function isPublicCarWay(tags: Record<string, string>): boolean {
  if (!DRIVABLE.has(tags.highway ?? '')) return false;
  const access = tags.motor_vehicle ?? tags.vehicle ?? tags.access;
  return !(access && ['no', 'private', 'destination_only'].includes(access)) && tags.area !== 'yes';
}

export async function generateDemoCity(options: DemoCityOptions = {}): Promise<DemoCity> {
  const seed = options.seed ?? 1;
  const rand = seededRandom(seed);
  const osm = options.osm ?? (await readOsm(DEMO_OSM_FILE));
  const profile = { ...defaultCityProfile(), name: DEMO_CITY_NAME };

  const ways = osm.ways.filter((w) => isPublicCarWay(w.tags)).sort((a, b) => a.id - b.id);
  const coord = (id: number): LonLat => osm.nodes.get(id)!;
  // Directed adjacency honouring oneway, for corridors a truck can actually drive.
  const out = new Map<number, Edge[]>();
  const addEdge = (a: number, b: number, wayId: number, highway: string) => {
    if (!out.has(a)) out.set(a, []);
    out.get(a)!.push({ to: b, wayId, highway });
  };
  for (const w of ways) {
    const oneway = w.tags.oneway === 'yes' || w.tags.oneway === '1' || w.tags.junction === 'roundabout';
    const reverse = w.tags.oneway === '-1';
    for (let i = 0; i + 1 < w.nodeIds.length; i++) {
      const a = w.nodeIds[i]!, b = w.nodeIds[i + 1]!;
      if (!osm.nodes.has(a) || !osm.nodes.has(b)) continue;
      if (!reverse) addEdge(a, b, w.id, w.tags.highway!);
      if (!oneway || reverse) addEdge(b, a, w.id, w.tags.highway!);
    }
  }
  const nodesOn = (classes: Set<string>, inside: boolean) => {
    const ids = new Set<number>();
    for (const w of ways) if (classes.has(w.tags.highway!)) for (const n of w.nodeIds) if (osm.nodes.has(n) && (!inside || inBox(coord(n)))) ids.add(n);
    return [...ids].sort((a, b) => a - b);
  };

  // Spread anchors apart: each next pick is the candidate farthest from those chosen.
  const spread = (candidates: number[], count: number): number[] => {
    const chosen = [pick(rand, candidates)];
    while (chosen.length < count) {
      let best = candidates[0]!, bestD = -1;
      for (let k = 0; k < 400; k++) {
        const c = pick(rand, candidates);
        const d = Math.min(...chosen.map((x) => distanceM(coord(x), coord(c))));
        if (d > bestD) { bestD = d; best = c; }
      }
      chosen.push(best);
    }
    return chosen;
  };
  const majorNodes = nodesOn(new Set(['primary', 'secondary', 'tertiary', 'trunk']), true);
  const streetNodes = nodesOn(COLLECTION_STREETS, true);

  const depots = spread(majorNodes, 3).map((n, i) => ({ id: `depot-${i + 1}`, name: `Depot ${i + 1}`, district: districtOf(coord(n)), location: point(coord(n)) }));

  const facilityPlan: Array<{ kind: FacilityInput['kind']; classes: WasteClass[]; hours: Array<{ from: string; to: string }>; capacityKg: number; unloadS: number; label: string }> = [
    { kind: 'transfer_station', classes: ['residual', 'food', 'recyclable'], hours: [{ from: '04:00', to: '23:00' }], capacityKg: 300_000, unloadS: 600, label: 'Transfer station North' },
    { kind: 'transfer_station', classes: ['residual', 'recyclable'], hours: [{ from: '04:00', to: '22:00' }], capacityKg: 120_000, unloadS: 600, label: 'Transfer station South' },
    { kind: 'incinerator', classes: ['residual'], hours: [{ from: '00:00', to: '24:00' }], capacityKg: 500_000, unloadS: 900, label: 'Incinerator' },
    { kind: 'food_waste_plant', classes: ['food'], hours: [{ from: '03:00', to: '23:00' }], capacityKg: 150_000, unloadS: 900, label: 'Food-waste plant' },
    { kind: 'sorting_centre', classes: ['recyclable'], hours: [{ from: '06:00', to: '20:00' }], capacityKg: 80_000, unloadS: 720, label: 'Sorting centre' },
    { kind: 'hazardous_store', classes: ['hazardous'], hours: [{ from: '08:00', to: '17:00' }], capacityKg: 5_000, unloadS: 1200, label: 'Hazardous-waste store' },
    { kind: 'water_point', classes: [], hours: [{ from: '00:00', to: '24:00' }], capacityKg: 0, unloadS: 600, label: 'Hydrant A' },
    { kind: 'water_point', classes: [], hours: [{ from: '00:00', to: '24:00' }], capacityKg: 0, unloadS: 600, label: 'Hydrant B' },
    { kind: 'water_point', classes: [], hours: [{ from: '00:00', to: '24:00' }], capacityKg: 0, unloadS: 600, label: 'Hydrant C' },
  ];
  const facilityNodes = spread(majorNodes, facilityPlan.length);
  const facilities: DemoCity['facilities'] = facilityPlan.map((f, i) => ({
    id: `fac-${f.kind.replaceAll('_', '-')}-${i + 1}`, name: f.label, district: districtOf(coord(facilityNodes[i]!)), kind: f.kind,
    location: point(coord(facilityNodes[i]!)), acceptedClasses: f.classes, openingHours: f.hours, dailyCapacityKg: f.capacityKg, unloadS: f.unloadS,
  }));
  // Depot 1's yard stocks the de-icing salt the spreaders load on snow days (added after the
  // others so that every other place of the demo city stays where it was)
  facilities.push({ id: 'fac-deicer-store-1', name: 'Salt yard (Depot 1)', district: depots[0]!.district, kind: 'deicer_store', location: depots[0]!.location,
    acceptedClasses: [], openingHours: [{ from: '00:00', to: '24:00' }], dailyCapacityKg: 0, unloadS: 900 });

  // Muck-truck corridors: walk outward from each disposal site along drivable roads,
  // then the site sits at the walk's end and the corridor runs site → disposal.
  const incoming = new Map<number, Edge[]>();
  for (const [from, edges] of out) for (const e of edges) {
    if (!incoming.has(e.to)) incoming.set(e.to, []);
    incoming.get(e.to)!.push({ to: from, wayId: e.wayId, highway: e.highway });
  }
  const walkBack = (start: number, targetM: number): number[] => {
    const path = [start];
    const seen = new Set([start]);
    let lengthM = 0;
    while (lengthM < targetM) {
      const here = path[path.length - 1]!;
      const options = (incoming.get(here) ?? []).filter((e) => !seen.has(e.to) && e.highway !== 'service');
      if (options.length === 0) break;
      // Prefer moving away from the start so the corridor is a real haul, not a loop.
      options.sort((a, b) => distanceM(coord(b.to), coord(start)) - distanceM(coord(a.to), coord(start)) || a.to - b.to);
      const next = rand() < 0.75 ? options[0]! : pick(rand, options);
      lengthM += distanceM(coord(here), coord(next.to));
      path.push(next.to);
      seen.add(next.to);
    }
    return path;
  };
  const disposalCandidates = nodesOn(new Set(['primary', 'secondary', 'trunk', 'tertiary']), false).filter((n) => !inBox(coord(n)));
  const constructionSites: DemoCity['constructionSites'] = [];
  const permits: DemoCity['permits'] = [];
  const muckTruckIds = Array.from({ length: 9 }, (_, i) => `muck-${String(i + 1).padStart(2, '0')}`);
  const disposalIds: string[] = [];
  for (let k = 0; k < 3; k++) {
    let walk: number[] = [];
    for (let attempt = 0; attempt < 50 && pathLengthM(walk.map(coord)) < 1500; attempt++) {
      walk = walkBack(pick(rand, disposalCandidates.length ? disposalCandidates : majorNodes), 2500);
    }
    if (k < 2) {
      const id = `fac-construction-disposal-${k + 1}`;
      facilities.push({
        id, name: `Construction-waste disposal site ${k + 1}`, district: 'Outskirts', kind: 'construction_disposal',
        location: point(coord(walk[0]!)), outline: siteFootprint(coord(walk[0]!), coord(walk[1] ?? walk[0]!)),
        acceptedClasses: ['construction'], openingHours: [{ from: '21:00', to: '06:30' }],
        dailyCapacityKg: 2_000_000, unloadS: 480,
      });
      disposalIds.push(id);
    } else {
      // The third site hauls to the first disposal site: its walk must start there.
      const first = facilities.find((f) => f.id === disposalIds[0])!;
      const startNode = [...osm.nodes.keys()].find((n) => coord(n)[0] === first.location.coordinates[0] && coord(n)[1] === first.location.coordinates[1])
        ?? nearestNode(osm, first.location.coordinates as LonLat, [...out.keys()]);
      for (let attempt = 0; attempt < 50; attempt++) {
        walk = walkBack(startNode, 2500);
        if (pathLengthM(walk.map(coord)) >= 1200) break;
      }
    }
    const siteCoord = coord(walk[walk.length - 1]!);
    const siteId = `site-${k + 1}`;
    constructionSites.push({ id: siteId, name: `Construction site ${k + 1}`, district: districtOf(siteCoord), location: point(siteCoord), washPoint: point(siteCoord) });
    const line = [...walk].reverse().map(coord).map((c) => [round6(c[0]), round6(c[1])] as [number, number]);
    permits.push({
      id: `permit-${k + 1}`, number: `ZT-2026-${String(101 + k)}`, siteId, disposalFacilityId: disposalIds[k === 2 ? 0 : k]!,
      vehicleIds: muckTruckIds.slice(k * 3, k * 3 + 3),
      corridor: { line: { type: 'LineString', coordinates: dedupe(line) }, widthM: profile.corridor.defaultWidthM },
      hours: profile.muckTruckHours, loadsPerDay: 12 + Math.floor(rand() * 10), loadKg: 15_000,
      // from the demo's first year to the end of next year: a demo (or a replayed night) started in any
      // later year still has permits in force, and plans of 2026 dates keep theirs
      validFrom: '2026-01-01', validTo: `${Math.max(2027, new Date().getUTCFullYear() + 1)}-12-31`,
    });
  }

  // Collection points along real streets, a few metres off the centre line.
  const classWeights: Array<[Exclude<WasteClass, 'construction'>, number]> = [['residual', 0.4], ['food', 0.3], ['recyclable', 0.2], ['hazardous', 0.1]];
  const kgRange: Record<string, [number, number]> = { residual: [150, 1400], food: [80, 900], recyclable: [40, 400], hazardous: [2, 25] };
  const collectionPoints: DemoCity['collectionPoints'] = [];
  const count = options.collectionPoints ?? 300;
  const used = new Set<number>();
  for (let i = 0; collectionPoints.length < count && i < count * 20; i++) {
    const n = pick(rand, streetNodes);
    if (used.has(n)) continue;
    used.add(n);
    const r = rand();
    let acc = 0;
    const cls = classWeights.find(([, w]) => (acc += w) >= r)?.[0] ?? 'residual';
    const [lo, hi] = kgRange[cls]!;
    const kg = Math.round(between(rand, lo, hi));
    const c = coord(n);
    const offset: LonLat = [c[0] + between(rand, -0.00008, 0.00008), c[1] + between(rand, -0.00006, 0.00006)];
    const twice = kg > 1000;
    collectionPoints.push({
      id: `cp-${String(collectionPoints.length + 1).padStart(3, '0')}`, name: `${cls} point ${collectionPoints.length + 1}`,
      district: districtOf(offset), location: point(offset), wasteClass: cls, expectedKgPerDay: kg,
      expectedM3PerDay: Math.round((kg / (cls === 'recyclable' ? 60 : cls === 'food' ? 600 : 250)) * 100) / 100,
      windows: cls === 'food' ? [{ from: '04:00', to: '07:00' }, { from: '19:00', to: '22:00' }] : cls === 'hazardous' ? [{ from: '09:00', to: '16:00' }] : [],
      serviceS: cls === 'hazardous' ? 300 : 60 + Math.floor(rand() * 120), visitsPerDay: twice ? 2 : 1, minGapS: twice ? 4 * 3600 : 0,
    });
  }

  // Road segments: one per public way inside the city, graded from its highway class.
  const roadSegments: DemoCity['roadSegments'] = [];
  for (const w of ways) {
    const line = w.nodeIds.filter((n) => osm.nodes.has(n)).map(coord);
    if (line.length < 2 || !line.every(inBox) || pathLengthM(line) < 25) continue;
    const grade = Number(profile.sweeping.highwayGrades[w.tags.highway!] ?? '4') as 1 | 2 | 3 | 4;
    roadSegments.push({
      id: `seg-w${w.id}`, name: w.tags.name, district: districtOf(line[0]!), grade, osmWayId: w.id, highway: w.tags.highway,
      geometry: { type: 'LineString', coordinates: dedupe(line.map((c) => [round6(c[0]), round6(c[1])] as [number, number])) },
      oneway: w.tags.oneway === 'yes' || w.tags.junction === 'roundabout',
      ...(osmWidthM(w.tags.width) === undefined ? {} : { widthM: osmWidthM(w.tags.width) }),
      ...(w.tags.bridge !== undefined && w.tags.bridge !== 'no' ? { bridge: true } : {}),
      ...(w.tags.highway!.endsWith('_link') ? { ramp: true } : {}),
    });
  }

  const square = (c: LonLat, halfM: number) => {
    const dLat = halfM / 111_320;
    const dLon = halfM / (111_320 * Math.cos((c[1] * Math.PI) / 180));
    const ring: [number, number][] = [[c[0] - dLon, c[1] - dLat], [c[0] + dLon, c[1] - dLat], [c[0] + dLon, c[1] + dLat], [c[0] - dLon, c[1] + dLat], [c[0] - dLon, c[1] - dLat]];
    return { type: 'Polygon' as const, coordinates: [ring.map(([x, y]) => [round6(x), round6(y)] as [number, number])] };
  };
  const school = coord(pick(rand, streetNodes));
  const restrictedZones: DemoCity['restrictedZones'] = [
    { id: 'zone-school-1', name: 'School zone', district: districtOf(school), area: square(school, 150), vehicleKinds: ['muck_truck'], hours: [{ from: '07:00', to: '09:00' }, { from: '16:00', to: '18:00' }], mode: 'ban' },
    { id: 'zone-centre', name: 'Monte-Carlo centre', district: 'Monte-Carlo', area: square([7.4275, 43.7395], 350), vehicleKinds: ['muck_truck', 'collector'], hours: [], mode: 'speed_limit', speedLimitKmh: 30 },
  ];

  const vehicles: DemoCity['vehicles'] = [];
  let terminal = 13800000000 + seed * 1000;
  const depotOf = (i: number) => depots[i % depots.length]!.id;
  const add = (v: Omit<VehicleInput, 'sensors' | 'hazardousRated'> & { id: string; sensors?: VehicleInput['sensors']; hazardousRated?: boolean }) => {
    vehicles.push({
      hazardousRated: false, sensors: { cover: false, lift: false, load: false, coverFaulty: false }, ...v,
      terminalId: String(terminal++), terminalModel: v.kind === 'muck_truck' ? 'muck-generic' : v.kind === 'sweeper' || v.kind === 'washer' || v.kind === 'waterer' ? 'sweeper-generic' : 'generic',
    } as DemoCity['vehicles'][number]);
  };
  const plate = (i: number) => `沪A${String(10000 + i * 37).slice(-5)}`;
  let plateNo = 1 + seed * 100;
  for (let i = 0; i < 8; i++) add({ id: `sweeper-${String(i + 1).padStart(2, '0')}`, plate: plate(plateNo++), kind: 'sweeper', wasteClasses: [], capacityKg: 2500, capacityM3: 5, sealed: false, homeDepotId: depotOf(i), shift: { from: '03:00', to: '11:00' }, workSpeedKmh: 10, district: depots[i % 3]!.district });
  for (let i = 0; i < 4; i++) add({ id: `washer-${String(i + 1).padStart(2, '0')}`, plate: plate(plateNo++), kind: 'washer', wasteClasses: [], capacityKg: 1000, capacityM3: 2, sealed: false, homeDepotId: depotOf(i), shift: { from: '02:00', to: '10:00' }, workSpeedKmh: 8, waterCapacityL: 8000 });
  for (let i = 0; i < 3; i++) add({ id: `waterer-${String(i + 1).padStart(2, '0')}`, plate: plate(plateNo++), kind: 'waterer', wasteClasses: [], capacityKg: 0, capacityM3: 0, sealed: false, homeDepotId: depotOf(i), shift: { from: '05:00', to: '13:00' }, workSpeedKmh: 12, waterCapacityL: 12000 });
  muckTruckIds.forEach((id, i) => add({ id, plate: plate(plateNo++), kind: 'muck_truck', wasteClasses: ['construction'], capacityKg: 16_000, capacityM3: 14, sealed: true, sensors: { cover: true, lift: true, load: true, coverFaulty: false }, homeDepotId: depotOf(i), shift: { from: '21:00', to: '07:00' } }));
  const collectors: Array<[Exclude<WasteClass, 'construction'>, number, Partial<VehicleInput>]> = [
    ['residual', 6, { capacityKg: 8000, capacityM3: 18, sealed: true }],
    ['food', 5, { capacityKg: 5000, capacityM3: 8, sealed: true }],
    ['recyclable', 4, { capacityKg: 3000, capacityM3: 16, sealed: false }],
    ['hazardous', 2, { capacityKg: 1000, capacityM3: 4, sealed: true, hazardousRated: true }],
  ];
  for (const [cls, n, spec] of collectors) {
    for (let i = 0; i < n; i++) {
      add({
        id: `collector-${cls}-${i + 1}`, plate: plate(plateNo++), kind: 'collector', wasteClasses: [cls], capacityKg: spec.capacityKg!, capacityM3: spec.capacityM3!,
        sealed: spec.sealed!, hazardousRated: spec.hazardousRated ?? false, sensors: { cover: spec.sealed!, lift: true, load: cls !== 'hazardous', coverFaulty: false },
        homeDepotId: depotOf(i), shift: i % 2 === 0 ? { from: '04:00', to: '12:00' } : { from: '14:00', to: '22:30' },
      });
    }
  }

  // spreaders last, so that the other vehicles keep their plates and terminal ids
  for (let i = 0; i < 2; i++) add({ id: `spreader-${String(i + 1).padStart(2, '0')}`, plate: plate(plateNo++), kind: 'spreader', wasteClasses: [], capacityKg: 0, capacityM3: 0, sealed: false, homeDepotId: depotOf(i), shift: { from: '02:00', to: '10:00' }, workSpeedKmh: 25, materialCapacityKg: 4000 });

  return { mode: 'merge', profile, depots, facilities, vehicles, collectionPoints, constructionSites, permits, roadSegments, restrictedZones };
}

function pathLengthM(line: LonLat[]): number {
  let m = 0;
  for (let i = 0; i + 1 < line.length; i++) m += distanceM(line[i]!, line[i + 1]!);
  return m;
}

function dedupe(line: [number, number][]): [number, number][] {
  return line.filter((c, i) => i === 0 || c[0] !== line[i - 1]![0] || c[1] !== line[i - 1]![1]);
}

function nearestNode(osm: OsmData, c: LonLat, candidates: number[]): number {
  let best = candidates[0]!, bestD = Infinity;
  for (const n of candidates) {
    const d = distanceM(osm.nodes.get(n)!, c);
    if (d < bestD) { bestD = d; best = n; }
  }
  return best;
}

/** OSM `width` in metres ("7", "7.5", "7.5 m"); anything else (feet, ranges) is left to the profile's width per grade. */
export function osmWidthM(tag: string | undefined): number | undefined {
  const m = tag === undefined ? null : /^\s*(\d+(?:\.\d+)?)\s*(?:m)?\s*$/.exec(tag);
  const widthM = m ? Number(m[1]) : NaN;
  return widthM > 0 && widthM <= 200 ? widthM : undefined;
}
