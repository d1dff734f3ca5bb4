import { fileURLToPath } from 'node:url';

/** The demo city's road network: a real OpenStreetMap extract shipped in data/demo (ODbL). */
export const DEMO_OSM_FILE = fileURLToPath(new URL('../../data/demo/osm/monaco-drivable.osm.pbf', import.meta.url));
export const DEMO_ATTRIBUTION = 'Map data © OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright)';
