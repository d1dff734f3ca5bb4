import type { OsmData } from '../../solver/network/index.js';
import { defaultCityProfile, type CityProfile } from '../domain/city-profile.js';
import type { DemoCity } from './demo-city.js';
import { between, seededRandom } from './random.js';

/**
 * A generated city day on a generated road network (solver/network/generate.ts): the same
 * kind of city document as the demo city, so it goes store → Problem (road matrices from the
 * contraction hierarchies) → solve → validate → stored exactly like a real city. Nothing here
 * says how far apart two places are: every travel time comes from the network.
 *
 * Each district is a square tile of `tileJunctions` × `tileJunctions` junctions of the
 * generated grid with its own depots, facilities, fleet, collection points, graded road
 * segments to sweep and wash, and construction sites whose permit corridors follow arterial
 * streets (never a one-way or a missing block; across the river only on a bridge).
 */
export interface GeneratedCityOptions {
  seed?: number;
  /** Junctions west-east and south-north of the generated network (generateCity's columns/rows). */
  columns: number;
  rows: number;
  /** Districts, each a tile of the grid (at most 9 with the default tile on a 330 × 330 grid). */
  districts?: number;
  tileJunctions?: number;
  /** Per district. */
  points?: number;
  sweepSegments?: number;
  muckLoads?: number;
}

type LonLat = [number, number];
const H = 3600;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const point = (c: LonLat) => ({ type: 'Point' as const, coordinates: [round6(c[0]), round6(c[1])] as [number, number] });
const hhmm = (s: number) => `${String(Math.floor(s / H)).padStart(2, '0')}:${String(Math.floor((s % H) / 60)).padStart(2, '0')}`;

/** One block of the grid: the street between two neighbouring junctions, as generated. */
interface Block { a: number; b: number; mid: number; highway: string; oneway: boolean; wayId: number }

export function generatedCityDocument(osm: OsmData, options: GeneratedCityOptions): DemoCity {
  const { columns, rows } = options;
  const seed = options.seed ?? 1;
  const districts = options.districts ?? 1;
  const tile = options.tileJunctions ?? 100;
  const perSide = Math.floor((columns - 10) / (tile + 5));
  if (perSide < 1 || districts > perSide * Math.max(1, Math.floor((rows - 10) / (tile + 5)))) {
    throw new Error(`generatedCityDocument: ${districts} district tile(s) of ${tile} junctions do not fit a ${columns} × ${rows} grid`);
  }
  const rand = seededRandom(seed);
  const profile: CityProfile = { ...defaultCityProfile(), name: `Generated city ${columns}x${rows} (seed ${seed})` };
  // grid junctions are the generator's first nodes, row by row (generate.ts)
  const junction = (c: number, r: number) => r * columns + c + 1;
  const coord = (node: number): LonLat => osm.nodes.get(node)!;

  // blocks by their junction pair, from the ways: [corner, bend, corner, bend, corner, ...]
  const blocks = new Map<string, Block>();
  const key = (a: number, b: number) => (a < b ? `${a}-${b}` : `${b}-${a}`);
  for (const w of osm.ways) {
    for (let i = 0; i + 2 < w.nodeIds.length; i += 2) {
      const a = w.nodeIds[i]!, mid = w.nodeIds[i + 1]!, b = w.nodeIds[i + 2]!;
      blocks.set(key(a, b), { a, b, mid, highway: w.tags.highway!, oneway: w.tags.oneway !== undefined, wayId: w.id });
    }
  }
  const blockBetween = (a: number, b: number) => blocks.get(key(a, b));
  /** The road's shape from junction a to b (bend included), when the block exists. */
  const shape = (a: number, b: number): LonLat[] | null => {
    const bl = blockBetween(a, b);
    return bl ? [coord(a), coord(bl.mid), coord(b)] : null;
  };
  const arterial = (i: number, n: number) => i === 0 || i === n - 1 || i % 4 === 0;
  const riverRow = Math.floor(rows / 2) - 1;
  const bridgeColumn = (c: number) => c % 9 === 4 && c % 4 === 0; // a two-way arterial crossing the river

  const doc: DemoCity = {
    mode: 'merge', profile, depots: [], facilities: [], vehicles: [], collectionPoints: [], constructionSites: [], permits: [], roadSegments: [], restrictedZones: [],
  };
  let terminal = 13900000000 + seed * 10_000;
  const plate = (n: number) => `川A${String(10000 + n * 37).slice(-5)}`;
  let plates = 1;

  for (let d = 0; d < districts; d++) {
    const name = `D${d + 1}`;
    // tiles row by row from the centre tile outwards: one district is the city centre
    const centre = Math.floor(perSide / 2);
    const order = [[centre, centre], ...Array.from({ length: perSide * perSide }, (_, i) => [i % perSide, Math.floor(i / perSide)]).filter(([x, y]) => x !== centre || y !== centre)];
    const [tx, ty] = order[d]!;
    const c0 = 5 + tx! * (tile + 5), r0 = 5 + ty! * (tile + 5);
    const snapTo = (f: number, from: number, n: number, every: (i: number) => boolean) => {
      let i = from + Math.round(f * (tile - 1));
      while (i < from + tile - 1 && !every(i)) i++;
      return Math.min(i, n - 1);
    };
    const at = (fx: number, fy: number): number => junction(snapTo(fx, c0, columns, (c) => arterial(c, columns)), snapTo(fy, r0, rows, (r) => arterial(r, rows)));
    const colOf = (node: number) => (node - 1) % columns;
    const rowOf = (node: number) => Math.floor((node - 1) / columns);

    // ---- depots and facilities ------------------------------------------------------------
    const depots = [at(0.35, 0.35), at(0.65, 0.65)].map((n, i) => ({ id: `${name}-depot-${i + 1}`, name: `${name} depot ${i + 1}`, district: name, location: point(coord(n)) }));
    doc.depots.push(...depots);
    const fac = (id: string, label: string, kind: DemoCity['facilities'][number]['kind'], n: number, classes: DemoCity['facilities'][number]['acceptedClasses'], from: number, to: number, capacityKg: number, unloadS: number) => {
      doc.facilities.push({ id: `${name}-${id}`, name: `${name} ${label}`, district: name, kind, location: point(coord(n)), acceptedClasses: classes,
        openingHours: [{ from: hhmm(from), to: to >= 24 * H ? '24:00' : hhmm(to) }], dailyCapacityKg: capacityKg, unloadS });
      return `${name}-${id}`;
    };
    fac('incinerator', 'incinerator', 'incinerator', at(0.9, 0.85), ['residual'], 0, 24 * H, 600_000, 600);
    fac('food-plant', 'food-waste plant', 'food_waste_plant', at(0.1, 0.9), ['food'], 3 * H, 23 * H, 200_000, 600);
    fac('sorting', 'sorting centre', 'sorting_centre', at(0.5, 0.05), ['recyclable'], 6 * H, 20 * H, 100_000, 450);
    fac('haz-store', 'hazardous-waste store', 'hazardous_store', at(0.85, 0.1), ['hazardous'], 8 * H, 17 * H, 10_000, 900);
    fac('transfer-w', 'transfer station west', 'transfer_station', at(0.25, 0.5), ['residual', 'recyclable'], 2 * H, 23 * H, 300_000, 420);
    fac('transfer-e', 'transfer station east', 'transfer_station', at(0.75, 0.5), ['residual', 'recyclable'], 2 * H, 23 * H, 300_000, 420);
    [0.2, 0.4, 0.6, 0.8].forEach((f, k) => fac(`hydrant-${k + 1}`, `hydrant ${k + 1}`, 'water_point', at(f, 1 - f), [], 0, 24 * H, 0, 600));
    const disposal = [at(0.6, 0.97), at(0.3, 0.02)].map((n, k) => ({ node: n, id: fac(`muck-${k === 0 ? 'north' : 'south'}`, `construction-waste disposal ${k + 1}`, 'construction_disposal', n, ['construction'], 21 * H, 24 * H, 2_000_000, 300) }));
    // a disposal site is open through the night: 21:00-06:30 as two openings
    for (const dsp of disposal) doc.facilities.find((f) => f.id === dsp.id)!.openingHours = [{ from: '21:00', to: '24:00' }, { from: '00:00', to: '06:30' }];

    // ---- fleet: 80 vehicles ---------------------------------------------------------------
    const add = (count: number, prefix: string, make: (i: number) => Omit<DemoCity['vehicles'][number], 'id' | 'plate' | 'homeDepotId' | 'district' | 'terminalId'>) => {
      for (let i = 0; i < count; i++) {
        doc.vehicles.push({ id: `${name}-${prefix}-${String(i + 1).padStart(2, '0')}`, plate: plate(plates++), homeDepotId: depots[i % depots.length]!.id, district: name,
          terminalId: String(terminal++), ...make(i) } as DemoCity['vehicles'][number]);
      }
    };
    const sensors = (cover: boolean, coverFaulty = false) => ({ cover, lift: true, load: true, coverFaulty });
    const day = { from: '04:00', to: '16:00' };
    add(20, 'res', () => ({ kind: 'collector', wasteClasses: ['residual', 'recyclable'], capacityKg: 8000, capacityM3: 20, sealed: false, hazardousRated: false, sensors: sensors(false), shift: day }));
    add(10, 'food', () => ({ kind: 'collector', wasteClasses: ['food'], capacityKg: 6000, capacityM3: 12, sealed: true, hazardousRated: false, sensors: sensors(true), shift: day }));
    add(6, 'rec', () => ({ kind: 'collector', wasteClasses: ['recyclable'], capacityKg: 4000, capacityM3: 24, sealed: false, hazardousRated: false, sensors: sensors(false), shift: day }));
    add(2, 'haz', () => ({ kind: 'collector', wasteClasses: ['hazardous'], capacityKg: 2000, capacityM3: 6, sealed: true, hazardousRated: true, sensors: sensors(true), shift: day }));
    // one muck truck's cover sensor is faulty: it must not be planned for muck
    add(12, 'muck', (i) => ({ kind: 'muck_truck', wasteClasses: ['construction'], capacityKg: 16_000, capacityM3: 12, sealed: true, hazardousRated: false, sensors: sensors(true, i === 11), shift: { from: '21:00', to: '07:00' }, terminalModel: 'muck-generic' }));
    add(22, 'sweep', () => ({ kind: 'sweeper', wasteClasses: [], capacityKg: 1500, capacityM3: 6, sealed: false, hazardousRated: false, sensors: sensors(false), shift: { from: '03:00', to: '12:00' }, workSpeedKmh: 10 }));
    add(6, 'wash', () => ({ kind: 'washer', wasteClasses: [], capacityKg: 0, capacityM3: 8, sealed: false, hazardousRated: false, sensors: sensors(false), shift: { from: '01:00', to: '08:00' }, workSpeedKmh: 8, waterCapacityL: 8000 }));
    add(2, 'water', () => ({ kind: 'waterer', wasteClasses: [], capacityKg: 0, capacityM3: 0, sealed: false, hazardousRated: false, sensors: sensors(false), shift: { from: '05:00', to: '13:00' }, workSpeedKmh: 12, waterCapacityL: 12_000 }));

    // ---- collection points on the streets, a few metres off the centre line --------------------
    const classes: Array<[DemoCity['collectionPoints'][number]['wasteClass'], number, [number, number]]> = [
      ['residual', 0.5, [150, 600]], ['food', 0.25, [100, 300]], ['recyclable', 0.2, [40, 160]], ['hazardous', 0.05, [5, 30]],
    ];
    const nPoints = options.points ?? 2000;
    for (let i = 0; i < nPoints; i++) {
      const cls = classes[Math.min(classes.length - 1, classes.findIndex((_, k) => i < nPoints * classes.slice(0, k + 1).reduce((s, c) => s + c[1], 0)))]!;
      let line: LonLat[] | null = null;
      while (!line) {
        const c = c0 + 1 + Math.floor(rand() * (tile - 2)), r = r0 + 1 + Math.floor(rand() * (tile - 2));
        line = rand() < 0.5 ? shape(junction(c, r), junction(c + 1, r)) : shape(junction(c, r), junction(c, r + 1));
      }
      const half = rand() < 0.5 ? [line[0]!, line[1]!] : [line[1]!, line[2]!];
      const f = between(rand, 0.15, 0.85);
      const loc: LonLat = [half[0]![0] + (half[1]![0] - half[0]![0]) * f + between(rand, -0.00004, 0.00004), half[0]![1] + (half[1]![1] - half[0]![1]) * f + between(rand, -0.00003, 0.00003)];
      const twice = cls[0] === 'residual' && rand() < 0.05;
      const kg = Math.round(between(rand, cls[2][0], cls[2][1])) * (twice ? 2 : 1);
      doc.collectionPoints.push({
        id: `${name}-cp-${String(i + 1).padStart(4, '0')}`, name: `${name} ${cls[0]} point ${i + 1}`, district: name, location: point(loc), wasteClass: cls[0],
        expectedKgPerDay: kg, expectedM3PerDay: Math.round((kg / 400) * 100) / 100,
        windows: cls[0] === 'food' ? [{ from: '05:00', to: '09:00' }, { from: '12:00', to: '15:00' }] : cls[0] === 'hazardous' ? [{ from: '09:00', to: '15:00' }] : [],
        serviceS: (cls[0] === 'recyclable' ? 90 : 120) + Math.floor(rand() * 120), visitsPerDay: twice ? 2 : 1, minGapS: twice ? 4 * H : 0,
      });
    }

    // ---- road segments to sweep: arterial blocks (grade 1) and back streets (grade 3) from the centre out
    const all: Array<{ block: Block; distance: number }> = [];
    const mc = c0 + tile / 2, mr = r0 + tile / 2;
    for (let r = r0; r < r0 + tile; r++) for (let c = c0; c < c0 + tile; c++) {
      for (const [c2, r2] of [[c + 1, r], [c, r + 1]] as const) {
        if (c2 >= c0 + tile || r2 >= r0 + tile) continue;
        const bl = blockBetween(junction(c, r), junction(c2, r2));
        if (bl) all.push({ block: bl, distance: Math.hypot((c + c2) / 2 - mc, (r + r2) / 2 - mr) });
      }
    }
    all.sort((a, b) => a.distance - b.distance || a.block.a - b.block.a);
    const nSegments = options.sweepSegments ?? 3300;
    const major = all.filter((x) => x.block.highway !== 'residential').slice(0, Math.round(nSegments * 0.1));
    const minor = all.filter((x) => x.block.highway === 'residential').slice(0, nSegments - major.length);
    for (const { block } of [...major, ...minor]) {
      const forward = block.oneway && rowOf(block.a) === rowOf(block.b) ? colOf(block.a) < colOf(block.b) : true;
      const [from, to] = forward ? [block.a, block.b] : [block.b, block.a];
      doc.roadSegments.push({
        id: `${name}-seg-${block.a}-${block.b}`, name: `${block.highway} ${block.wayId}`, district: name, osmWayId: block.wayId, highway: block.highway,
        // back streets are graded 3 here (swept once a day, mechanically): the default table's
        // grade 4 is swept by hand crews and would not be routed at all
        grade: block.highway === 'residential' ? 3 : 1,
        geometry: { type: 'LineString', coordinates: [coord(from), coord(block.mid), coord(to)].map((c) => [round6(c[0]), round6(c[1])] as [number, number]) },
        oneway: false,
      });
    }

    // ---- construction sites and permits: corridors along arterials to the disposal sites --------
    const nLoads = options.muckLoads ?? 50;
    const permitsHere = Math.max(1, Math.ceil(nLoads / 10));
    const muckIds = doc.vehicles.filter((v) => v.district === name && v.kind === 'muck_truck').map((v) => v.id);
    for (let k = 0; k < permitsHere; k++) {
      const site = at(between(rand, 0.2, 0.8), between(rand, 0.2, 0.8));
      const dsp = disposal[k % 2]!;
      const path = corridorNodes(site, dsp.node);
      const line = path.flatMap((n, i) => {
        if (i === 0) return [coord(n)];
        const bl = blockBetween(path[i - 1]!, n)!;
        return [coord(bl.mid), coord(n)];
      });
      const siteId = `${name}-site-${k + 1}`;
      doc.constructionSites.push({ id: siteId, name: `${name} construction site ${k + 1}`, district: name, location: point(coord(site)), washPoint: point(coord(site)) });
      doc.permits.push({
        id: `${name}-permit-${k + 1}`, number: `ZT-${name}-${101 + k}`, siteId, disposalFacilityId: dsp.id,
        vehicleIds: muckIds.filter((_, i) => (i + k) % 3 !== 0), hours: profile.muckTruckHours,
        corridor: { line: { type: 'LineString', coordinates: line.map((c) => [round6(c[0]), round6(c[1])] as [number, number]) }, widthM: profile.corridor.defaultWidthM },
        loadsPerDay: Math.min(10, nLoads - k * 10), loadKg: 14_000, validFrom: '2026-01-01', validTo: '2030-12-31',
      });
    }

    // ---- a school zone closed to collectors in the morning run ---------------------------------
    // on the district's west edge, where no point stands: the planner's matrices close a zone for
    // a vehicle group's whole shift (conservative), which would leave points inside it out
    const school = coord(junction(c0, r0 + Math.floor(tile / 2)));
    const dLat = 50 / 111_320, dLon = 50 / (111_320 * Math.cos((school[1] * Math.PI) / 180));
    doc.restrictedZones.push({
      id: `${name}-zone-school`, name: `${name} school zone`, district: name, vehicleKinds: ['collector'], hours: [{ from: '07:00', to: '08:00' }], mode: 'ban',
      area: { type: 'Polygon', coordinates: [[[school[0] - dLon, school[1] - dLat], [school[0] + dLon, school[1] - dLat], [school[0] + dLon, school[1] + dLat], [school[0] - dLon, school[1] + dLat], [school[0] - dLon, school[1] - dLat]].map(([x, y]) => [round6(x!), round6(y!)] as [number, number])] },
    });
  }
  return doc;

  /**
   * Junctions from a site to a disposal site along arterials: west-east on the site's row to a
   * bridge column, south-north on it, west-east again on the disposal site's row. Arterials are
   * two-way and never miss a block; only bridge columns cross the river.
   */
  function corridorNodes(from: number, to: number): number[] {
    const [cf, rf] = [(from - 1) % columns, Math.floor((from - 1) / columns)];
    const [ct, rt] = [(to - 1) % columns, Math.floor((to - 1) / columns)];
    let cb = cf;
    const crosses = (rf <= riverRow) !== (rt <= riverRow);
    if (crosses || !arterial(cf, columns)) {
      cb = [...Array(columns).keys()].filter(bridgeColumn).sort((a, b) => Math.abs(a - cf) - Math.abs(b - cf))[0]!;
    }
    const out = [from];
    const step = (c: number, r: number) => { if (out[out.length - 1] !== junction(c, r)) out.push(junction(c, r)); };
    for (let c = cf; c !== cb; c += Math.sign(cb - cf)) step(c + Math.sign(cb - cf), rf);
    for (let r = rf; r !== rt; r += Math.sign(rt - rf)) step(cb, r + Math.sign(rt - rf));
    for (let c = cb; c !== ct; c += Math.sign(ct - cb)) step(c + Math.sign(ct - cb), rt);
    return out;
  }
}

