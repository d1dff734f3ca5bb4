import { getJson } from './api.js';
import { setCityTimeZone } from './i18n.js';

/** The city as the pages need it: name, time zone, districts, optional tile layer. */
export interface MapConfig {
  tileUrl?: string;
  attribution: string;
  city: string;
  timeZone: string;
  districts: string[];
}

let config: MapConfig | undefined;
let loading: Promise<MapConfig | undefined> | undefined;
const listeners = new Set<() => void>();

export function cityConfig(): MapConfig | undefined {
  return config;
}

export function onCityChange(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Loads once per sign-in; roles without the map read the zone from the city profile. */
export function loadCity(force = false): Promise<MapConfig | undefined> {
  if (force) loading = undefined;
  loading ??= (async () => {
    try {
      config = await getJson<MapConfig>('/api/v1/map/config');
    } catch {
      try {
        const p = await getJson<{ name: string; timeZone: string }>('/api/v1/city-profile');
        config = { city: p.name, timeZone: p.timeZone, districts: [], attribution: '' };
      } catch {
        config = undefined;
      }
    }
    if (config) setCityTimeZone(config.timeZone);
    for (const l of listeners) l();
    return config;
  })();
  return loading;
}

export function forgetCity(): void {
  config = undefined;
  loading = undefined;
  for (const l of listeners) l();
}
