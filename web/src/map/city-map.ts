import { html } from 'htm/preact';
import L from 'leaflet';
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { CheckGroup } from '../components/panel.js';
import { errorText, request } from '../lib/api.js';
import type { MapConfig } from '../lib/city.js';
import { t } from '../lib/i18n.js';
import { classColour, classLabel, facilityKindLabel, facilityKinds } from '../lib/labels.js';
import { createMap, markFirstPaint } from './base.js';
import { CityLayers, defaultLayers, loadCityData, pointClasses } from './city-layers.js';
import { RoadLayer, type RoadStats } from './roads.js';

/**
 * The city on a map — roads by viewport, depots, facilities, points, sites, corridors,
 * zones — with switchable, remembered layers. The dispatch page adds the live fleet on
 * top; the planners' city page shows it as it is.
 */
export interface CityMap {
  map?: L.Map;
  /** undefined: not yet known; false: the city had nothing to frame by; true: framed. */
  framed?: boolean;
}

function storedLayers(key: string): Record<string, boolean> {
  try {
    return { ...defaultLayers(), ...(JSON.parse(localStorage.getItem(key) ?? '{}') as Record<string, boolean>) };
  } catch {
    return defaultLayers();
  }
}

export function useCityMap(mapEl: RefObject<HTMLDivElement | null>, city: MapConfig | undefined, options: {
  /** localStorage key of the ticked layers. */
  layersKey: string;
  /** Points to frame by when the city has no records and no roads (the live vehicles). */
  fallbackPoints?: () => L.LatLngTuple[];
  /** More on the map for the page's life (the live fleet); its cleanup runs before the map goes. */
  attach?: (map: L.Map, cityMap: CityMap, layers: Record<string, boolean>) => () => void;
}) {
  const ctx = useRef<CityMap & { roads?: RoadLayer; cityLayers?: CityLayers }>({});
  const [layers, setLayers] = useState(() => storedLayers(options.layersKey));
  // The async loader reads the layers ticked when it finishes, not those of the first render.
  const layersRef = useRef(layers);
  layersRef.current = layers;
  const [loadError, setLoadError] = useState<string>();
  const [counts, setCounts] = useState<Record<string, number>>({});
  const [roadStats, setRoadStats] = useState<RoadStats>();

  useEffect(() => {
    const c = ctx.current;
    const map = createMap(mapEl.current!, city);
    c.map = map;
    let roadsDrawn!: () => void;
    const firstRoads = new Promise<void>((resolve) => {
      roadsDrawn = resolve;
    });
    let painted = false;
    const roads = new RoadLayer((stats) => {
      setRoadStats(stats);
      if (!painted) {
        painted = true;
        markFirstPaint('map-first-paint');
        roadsDrawn();
      }
    }, (err) => {
      setLoadError(errorText(err));
      roadsDrawn();
    });
    c.roads = roads;
    if (layersRef.current.roads) roads.addTo(map);
    const cityLayers = new CityLayers();
    c.cityLayers = cityLayers;
    let stopped = false;
    const detach = options.attach?.(map, c, layersRef.current);

    // The records and the frame are asked for at once; the roads follow the frame (they
    // are fetched by viewport), the records draw when they arrive.
    const { frame, all } = loadCityData(firstRoads);
    void (async () => {
      try {
        const b = await frame;
        if (stopped) return;
        // The panel and header settle the map's size after it was created.
        map.invalidateSize();
        if (b) {
          map.fitBounds(b.pad(0.05), { animate: false });
          c.framed = true;
        } else {
          c.framed = await fitToRoads(map);
          const known = options.fallbackPoints?.() ?? [];
          if (!c.framed && known.length) {
            map.fitBounds(L.latLngBounds(known).pad(0.2), { animate: false });
            c.framed = true;
          }
        }
      } catch (err) {
        setLoadError(errorText(err));
      }
      if (stopped) return;
      if (layersRef.current.roads) void roads.refresh();
      else roadsDrawn();
      try {
        const data = await all;
        if (stopped) return;
        const corridorsDrawn = cityLayers.setData(data);
        cityLayers.addTo(map, layersRef.current);
        setCounts(cityLayers.counts());
        await corridorsDrawn;
        if (!stopped) cityLayers.apply(layersRef.current);
      } catch (err) {
        setLoadError(errorText(err));
      }
    })();
    return () => {
      stopped = true;
      // Layers with timers or move handlers go first: none may touch a removed map.
      detach?.();
      roads.remove();
      cityLayers.remove();
      map.remove();
    };
  }, []);

  useEffect(() => {
    const c = ctx.current;
    try {
      localStorage.setItem(options.layersKey, JSON.stringify(layers));
    } catch {
      // not remembered then
    }
    if (!c.map) return;
    c.cityLayers?.apply(layers);
    if (layers.roads && !c.map.hasLayer(c.roads!.layer)) {
      c.roads!.addTo(c.map);
      void c.roads!.refresh();
    }
    if (!layers.roads && c.map.hasLayer(c.roads!.layer)) c.roads!.remove();
  }, [layers]);

  const setLayer = (id: string, on: boolean) => setLayers((l) => ({ ...l, [id]: on }));
  return { ctx: ctx.current, layers, setLayer, loadError, setLoadError, counts, roadStats };
}

/** The layer switches, with counts; `vehicles` adds the live fleet's switch (dispatch). */
export function LayerChecks(props: {
  layers: Record<string, boolean>; setLayer(id: string, on: boolean): void; counts: Record<string, number>; roadStats?: RoadStats; vehicles?: boolean;
  /** More switches in the first group (dispatch: incidents). */
  extra?: Array<{ id: string; label: string; swatch?: string; count?: number }>;
}) {
  const { counts, roadStats, layers } = props;
  return html`
    <${CheckGroup} legend=${t('layers.base')} name="layer"
      items=${[
        ...(props.vehicles ? [{ id: 'vehicles', label: t('layers.vehicles') }] : []),
        { id: 'roads', label: roadStats ? t('layers.roadsCount', { count: roadStats.features }) : t('layers.roads') },
        { id: 'depots', label: t('layers.depots'), swatch: '#37474f', count: counts.depots },
        { id: 'sites', label: t('layers.sites'), swatch: '#8d6e63', count: counts.sites },
        { id: 'corridors', label: t('layers.corridors'), swatch: '#ffa726', count: counts.corridors },
        { id: 'zones', label: t('layers.zones'), swatch: '#e53935', count: counts.zones },
        ...(props.extra ?? []),
      ]}
      checked=${(id: string) => !!layers[id]} onChange=${props.setLayer} />
    <${CheckGroup} legend=${t('layers.facilities')} name="layer"
      items=${facilityKinds.map((k) => ({ id: `facility:${k.id}`, label: facilityKindLabel(k.id), swatch: k.colour, count: counts[`facility:${k.id}`] }))}
      checked=${(id: string) => !!layers[id]} onChange=${props.setLayer} />
    <${CheckGroup} legend=${t('layers.points')} name="layer"
      items=${pointClasses.map((c) => ({ id: `points:${c.id}`, label: classLabel(c.id), swatch: classColour(c.id), count: counts[`points:${c.id}`] }))}
      checked=${(id: string) => !!layers[id]} onChange=${props.setLayer} />
    ${roadStats?.truncated ? html`<p class="hint">${t('layers.roadsTruncated')}</p>` : null}`;
}

/** Without any city records to frame, the major roads of the whole network give the extent. */
async function fitToRoads(map: L.Map): Promise<boolean> {
  try {
    const res = await request<GeoJSON.FeatureCollection>('GET', '/api/v1/map/roads?bbox=-180,-85,180,85&zoom=8');
    const b = L.geoJSON(res.body).getBounds();
    if (b.isValid()) map.fitBounds(b, { animate: false });
    return b.isValid();
  } catch {
    // the map stays where it is
    return false;
  }
}
