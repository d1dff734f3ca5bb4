import { fileURLToPath } from 'node:url';

/** The demo city's road network: a real OpenStreetMap extract shipped in data/demo (ODbL). */
export const DEMO_OSM_FILE = fileURLToPath(new URL('../../data/demo/osm/monaco-drivable.osm.pbf', import.meta.url));
export const DEMO_ATTRIBUTION = 'Map data © OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright)';
/** The demo fleet's terminal models: where cover, lift and payload sit in their JT/T 808 frames. */
export const DEMO_TERMINAL_PROFILES = fileURLToPath(new URL('../../data/demo/terminal-profiles.json', import.meta.url));
