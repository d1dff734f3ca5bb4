import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readOsm } from '../../solver/network/osm-read.js';

const demoPbf = new URL('../../data/demo/osm/monaco-drivable.osm.pbf', import.meta.url).pathname;
const centreXml = new URL('../../data/demo/osm/monaco-centre-drivable.osm', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'osm-read-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('readOsm', () => {
  it('reads the Monaco drivable extract from .osm.pbf', async () => {
    const osm = await readOsm(demoPbf);
    // osmium counts 1,764 ways; three of them have a single node and cannot carry traffic.
    expect(osm.ways.length).toBe(1761);
    expect(osm.nodes.size).toBe(16380);
    const way = osm.ways.find((w) => w.id === 4227156);
    expect(way?.tags).toEqual({ oneway: 'yes', highway: 'service' });
    expect(way?.nodeIds[0]).toBe(25201041);
    for (const w of osm.ways) {
      for (const nodeId of w.nodeIds) expect(osm.nodes.has(nodeId)).toBe(true);
    }
    const [lon, lat] = osm.nodes.get(25201041)!;
    expect(lon).toBeGreaterThan(7.349);
    expect(lon).toBeLessThan(7.491);
    expect(lat).toBeGreaterThan(43.71);
    expect(lat).toBeLessThan(43.77);
  });

  it('reads OSM XML to the same ways and coordinates as the .pbf', async () => {
    const [xml, pbf] = await Promise.all([readOsm(centreXml), readOsm(demoPbf)]);
    expect(xml.ways.length).toBe(311);
    expect(xml.nodes.size).toBe(1675);
    const pbfWays = new Map(pbf.ways.map((w) => [w.id, w]));
    for (const way of xml.ways) {
      const twin = pbfWays.get(way.id);
      expect(twin).toBeDefined();
      expect(way.tags).toEqual(twin!.tags);
      expect(way.nodeIds).toEqual(twin!.nodeIds);
    }
    for (const [nodeId, [lon, lat]] of xml.nodes) {
      const [pbfLon, pbfLat] = pbf.nodes.get(nodeId)!;
      // pbf stores 100-nanodegree integers; XML has 7 decimals: the same value up to float noise.
      expect(Math.abs(lon - pbfLon)).toBeLessThan(1e-9);
      expect(Math.abs(lat - pbfLat)).toBeLessThan(1e-9);
    }
  });

  it('handles XML entities, single quotes, ">" inside values, non-highway and deleted ways', async () => {
    const file = join(scratch, 'tricky.osm');
    writeFileSync(
      file,
      `<?xml version="1.0" encoding="UTF-8"?>
<!-- written by hand -->
<osm version="0.6">
 <node id='1' lat='31.2' lon='121.4'/>
 <node id="2" lon="121.5" lat="31.3"><tag k="highway" v="traffic_signals"/></node>
 <node id="3" lat="31.4" lon="121.6" />
 <node id="4" lat="31.5" lon="121.7"/>
 <way id="10">
  <nd ref="1"/><nd ref="2"/>
  <tag k="highway" v="primary"/>
  <tag k="name" v="Nanjing Rd &amp; &quot;East&quot; &gt; &#x4E1C;&#20140; a>b"/>
 </way>
 <way id="11"><nd ref="3"/><nd ref="4"/><tag k="building" v="yes"/></way>
 <way id="12" action="delete"><nd ref="3"/><nd ref="4"/><tag k="highway" v="primary"/></way>
 <way id="13" visible="false"><nd ref="3"/><nd ref="4"/><tag k="highway" v="primary"/></way>
 <relation id="5"><member type="way" ref="10" role=""/><tag k="type" v="route"/></relation>
</osm>
`,
    );
    const osm = await readOsm(file);
    expect(osm.ways).toEqual([
      { id: 10, tags: { highway: 'primary', name: 'Nanjing Rd & "East" > 东京 a>b' }, nodeIds: [1, 2] },
    ]);
    expect([...osm.nodes.entries()]).toEqual([
      [1, [121.4, 31.2]],
      [2, [121.5, 31.3]],
    ]);
  });

  it('reads elements that straddle the 1 MiB read chunks', async () => {
    const file = join(scratch, 'long.osm');
    const parts = ['<osm version="0.6">\n'];
    const wayCount = 3000;
    for (let i = 0; i < wayCount * 2; i++) {
      parts.push(` <node id="${i + 1}" lat="${(30 + i * 1e-5).toFixed(7)}" lon="120.0000000" user="${'x'.repeat(200)}"/>\n`);
    }
    for (let w = 0; w < wayCount; w++) {
      parts.push(` <way id="${w + 1}"><nd ref="${2 * w + 1}"/><nd ref="${2 * w + 2}"/><tag k="highway" v="residential"/></way>\n`);
    }
    parts.push('</osm>\n');
    writeFileSync(file, parts.join(''));
    const osm = await readOsm(file);
    expect(osm.ways.length).toBe(wayCount);
    expect(osm.nodes.size).toBe(wayCount * 2);
    expect(osm.ways[wayCount - 1].nodeIds).toEqual([2 * wayCount - 1, 2 * wayCount]);
    expect(osm.nodes.get(4321)![1]).toBeCloseTo(30 + 4320 * 1e-5, 9);
  });
});
