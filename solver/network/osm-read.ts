// Reads the road part of an OpenStreetMap extract (.osm.pbf or .osm XML): every way with a
// `highway` tag, and the coordinates of the nodes those ways use. Everything else (buildings,
// relations, node tags) is dropped while streaming, so a city extract fits in memory easily.
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { OSMTransform } from 'osm-pbf-parser-node';

export interface OsmWay {
  id: number;
  tags: Record<string, string>;
  nodeIds: number[];
}

/** A turn restriction relation (type=restriction) with its from/via/to members. */
export interface OsmTurnRestriction {
  id: number;
  /** e.g. no_left_turn, only_straight_on (from `restriction`, or `restriction:motorcar`). */
  restriction: string;
  fromWayId: number;
  /** Via node; restrictions via ways are kept with viaNodeId undefined (not applied yet). */
  viaNodeId?: number;
  toWayId: number;
  /** Vehicle classes exempted (the `except` tag, split at ';'). */
  except: string[];
}

export interface OsmData {
  /** Only the nodes used by the kept ways: OSM node id -> [lon, lat] (WGS84 degrees). */
  nodes: Map<number, [lon: number, lat: number]>;
  ways: OsmWay[];
  /** Turn restrictions; absent when the source has none (e.g. a generated city). */
  turnRestrictions?: OsmTurnRestriction[];
}

/** Reads `filePath` (.osm.pbf, or anything else as OSM XML) and keeps highway ways only. */
export async function readOsm(filePath: string): Promise<OsmData> {
  const collector = new OsmCollector();
  if (/\.pbf$/i.test(filePath)) await readPbf(filePath, collector);
  else await readXml(filePath, collector);
  return collector.finish();
}

/**
 * Nodes arrive before the ways that use them (in both formats), and most of them belong to
 * buildings and the like. Holding every node in flat typed arrays costs 24 bytes each, far
 * less than a Map entry, and the Map of used nodes is built once all ways are known.
 */
class OsmCollector {
  private nodeCount = 0;
  private nodeIds = new Float64Array(1 << 16);
  private nodeLon = new Float64Array(1 << 16);
  private nodeLat = new Float64Array(1 << 16);
  readonly ways: OsmWay[] = [];
  readonly turnRestrictions: OsmTurnRestriction[] = [];

  addNode(id: number, lon: number, lat: number): void {
    if (this.nodeCount === this.nodeIds.length) {
      const capacity = this.nodeIds.length * 2;
      this.nodeIds = grow(this.nodeIds, capacity);
      this.nodeLon = grow(this.nodeLon, capacity);
      this.nodeLat = grow(this.nodeLat, capacity);
    }
    this.nodeIds[this.nodeCount] = id;
    this.nodeLon[this.nodeCount] = lon;
    this.nodeLat[this.nodeCount] = lat;
    this.nodeCount++;
  }

  addWay(id: number, tags: Record<string, string>, nodeIds: number[]): void {
    if (tags.highway === undefined || nodeIds.length < 2) return;
    this.ways.push({ id, tags, nodeIds });
  }

  addRelation(id: number, tags: Record<string, string>, members: RelationMember[]): void {
    if (tags.type !== 'restriction') return;
    const restriction = tags['restriction:motorcar'] ?? tags.restriction;
    if (!restriction) return;
    const from = members.find((m) => m.role === 'from' && m.type === 'way');
    const to = members.find((m) => m.role === 'to' && m.type === 'way');
    const via = members.find((m) => m.role === 'via');
    if (!from || !to || !via) return;
    this.turnRestrictions.push({
      id,
      restriction,
      fromWayId: from.ref,
      viaNodeId: via.type === 'node' ? via.ref : undefined,
      toWayId: to.ref,
      except: (tags.except ?? '').split(';').map((v) => v.trim()).filter(Boolean),
    });
  }

  finish(): OsmData {
    const used = new Set<number>();
    for (const way of this.ways) for (const nodeId of way.nodeIds) used.add(nodeId);
    const nodes = new Map<number, [number, number]>();
    for (let i = 0; i < this.nodeCount; i++) {
      const id = this.nodeIds[i];
      if (used.has(id)) nodes.set(id, [this.nodeLon[i], this.nodeLat[i]]);
    }
    // Extracts clipped at a boundary keep ways whose outer nodes are missing: drop those
    // node references (and ways left with fewer than two nodes) rather than invent positions.
    const ways: OsmWay[] = [];
    for (const way of this.ways) {
      const present = way.nodeIds.every((nodeId) => nodes.has(nodeId))
        ? way.nodeIds
        : way.nodeIds.filter((nodeId) => nodes.has(nodeId));
      if (present.length >= 2) ways.push(present === way.nodeIds ? way : { ...way, nodeIds: present });
    }
    const keptWays = new Set(ways.map((w) => w.id));
    const turnRestrictions = this.turnRestrictions.filter((r) => keptWays.has(r.fromWayId) && keptWays.has(r.toWayId));
    return turnRestrictions.length > 0 ? { nodes, ways, turnRestrictions } : { nodes, ways };
  }
}

interface RelationMember {
  type: string;
  ref: number;
  role: string;
}

function grow(array: Float64Array, capacity: number) {
  const bigger = new Float64Array(capacity);
  bigger.set(array);
  return bigger;
}

interface PbfNode {
  type: 'node';
  id: number;
  lat: number;
  lon: number;
}
interface PbfRelation {
  type: 'relation';
  id: number;
  members: RelationMember[];
  tags?: Record<string, string>;
}
interface PbfWay {
  type: 'way';
  id: number;
  refs: number[];
  tags?: Record<string, string>;
}

async function readPbf(filePath: string, collector: OsmCollector): Promise<void> {
  const parser = new OSMTransform({ withTags: { node: false, way: true, relation: true }, withInfo: false });
  const sink = new Writable({
    objectMode: true,
    write(items: unknown[], _encoding, next) {
      for (const item of items as Array<PbfNode | PbfWay | PbfRelation | { type?: undefined }>) {
        if (item.type === 'node') collector.addNode(item.id, item.lon, item.lat);
        else if (item.type === 'way') collector.addWay(item.id, item.tags ?? {}, item.refs);
        else if (item.type === 'relation') collector.addRelation(item.id, item.tags ?? {}, item.members);
      }
      next();
    },
  });
  await pipeline(createReadStream(filePath), parser, sink);
}

// One element tag at a time; quoted attribute values may contain '>' (XML allows it).
const ELEMENT = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const ATTRIBUTE = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/**
 * A streaming scanner for the OSM XML subset (node, way, nd, tag): enough for files written
 * by osmium, osmosis, JOSM and the Overpass API, without a full XML parser.
 */
async function readXml(filePath: string, collector: OsmCollector): Promise<void> {
  let pending = '';
  let way: OsmWay | null = null;
  let skipUntilWayEnd = false;
  let relation: { id: number; tags: Record<string, string>; members: RelationMember[] } | null = null;
  const stream = createReadStream(filePath, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = pending + chunk;
    ELEMENT.lastIndex = 0;
    let consumed = 0;
    for (let match = ELEMENT.exec(text); match; match = ELEMENT.exec(text)) {
      consumed = ELEMENT.lastIndex;
      const closing = match[1] === '/';
      const name = match[2];
      const selfClosing = match[4] === '/';
      if (skipUntilWayEnd) {
        if (closing && name === 'way') skipUntilWayEnd = false;
        continue;
      }
      if (closing) {
        if (name === 'way' && way) {
          collector.addWay(way.id, way.tags, way.nodeIds);
          way = null;
        } else if (name === 'relation' && relation) {
          collector.addRelation(relation.id, relation.tags, relation.members);
          relation = null;
        }
        continue;
      }
      if (name === 'nd') {
        if (way) way.nodeIds.push(Number(attributes(match[3]).ref));
      } else if (name === 'tag') {
        const owner = way ?? relation;
        if (owner) {
          const a = attributes(match[3]);
          if (a.k !== undefined) owner.tags[a.k] = a.v ?? '';
        }
      } else if (name === 'member') {
        if (relation) {
          const a = attributes(match[3]);
          relation.members.push({ type: a.type ?? '', ref: Number(a.ref), role: a.role ?? '' });
        }
      } else if (name === 'relation') {
        relation = selfClosing ? null : { id: Number(attributes(match[3]).id), tags: {}, members: [] };
      } else if (name === 'node') {
        const a = attributes(match[3]);
        if (a.id !== undefined && a.lat !== undefined && a.lon !== undefined) {
          collector.addNode(Number(a.id), Number(a.lon), Number(a.lat));
        }
      } else if (name === 'way') {
        const a = attributes(match[3]);
        way = { id: Number(a.id), tags: {}, nodeIds: [] };
        // JOSM files keep deleted objects, marked; the OSM API marks them visible="false".
        if (selfClosing || a.action === 'delete' || a.visible === 'false') {
          if (!selfClosing) skipUntilWayEnd = true;
          way = null;
        }
      }
    }
    // Whatever follows the last complete element is (the start of) an unfinished one.
    pending = text.slice(consumed);
  }
  if (way) throw new Error(`${filePath}: unterminated <way id="${way.id}">`);
}

function attributes(source: string): Record<string, string> {
  const result: Record<string, string> = {};
  ATTRIBUTE.lastIndex = 0;
  for (let match = ATTRIBUTE.exec(source); match; match = ATTRIBUTE.exec(source)) {
    result[match[1]] = decodeEntities(match[2] ?? match[3] ?? '');
  }
  return result;
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, body: string) => {
    if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
    return NAMED_ENTITIES[body] ?? whole;
  });
}
