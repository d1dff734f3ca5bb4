import { html } from 'htm/preact';
import L from 'leaflet';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Socket } from 'socket.io-client';
import type { VehicleState } from '../../../src/domain/vehicle-state.js';
import { CheckGroup, MapPanel } from '../components/panel.js';
import { errorText, request } from '../lib/api.js';
import { useCity, useNarrow } from '../lib/hooks.js';
import { formatNumber, formatTime, formatUnit, t } from '../lib/i18n.js';
import { classColour, classLabel, facilityKindLabel, facilityKinds, kindColour, kindLabel, motionLabel, vehicleKinds, wasteClasses } from '../lib/labels.js';
import { connectLive, type LiveStatus } from '../lib/live.js';
import { createMap, markFirstPaint } from '../map/base.js';
import { CityLayers, defaultLayers, loadCityData, pointClasses } from '../map/city-layers.js';
import { IncidentLayer } from '../map/incident-layer.js';
import { RoadLayer, type RoadStats } from '../map/roads.js';
import { lookOf, noneHidden, passes, UNASSIGNED, type HiddenChoices } from '../lib/vehicle-filter.js';
import { vehicleIconHtml, VehicleLayer } from '../map/vehicles.js';

const LAYERS_KEY = 'sanifleet.dispatch.layers';

function storedLayers(): Record<string, boolean> {
  try {
    return { ...defaultLayers(), ...(JSON.parse(localStorage.getItem(LAYERS_KEY) ?? '{}') as Record<string, boolean>) };
  } catch {
    return defaultLayers();
  }
}

const LOOKS = ['moving', 'stopped', 'offline', 'alarm'] as const;

export function DispatchPage() {
  const city = useCity();
  const narrow = useNarrow();
  const mapEl = useRef<HTMLDivElement>(null);
  const live = useRef<{ map?: L.Map; roads?: RoadLayer; cityLayers?: CityLayers; vehicles: VehicleLayer; incidents: IncidentLayer; socket?: Socket }>({ vehicles: new VehicleLayer(), incidents: new IncidentLayer() });
  const [incidentCount, setIncidentCount] = useState<number>();
  const [panelOpen, setPanelOpen] = useState(() => !window.matchMedia('(max-width: 760px)').matches);
  const [layers, setLayers] = useState(storedLayers);
  // The async loader reads the layers ticked when it finishes, not those of the first render.
  const layersRef = useRef(layers);
  layersRef.current = layers;
  const [hidden, setHidden] = useState<HiddenChoices>(noneHidden);
  const [status, setStatus] = useState<LiveStatus>({ key: 'connecting' });
  const [loadError, setLoadError] = useState<string>();
  const [tick, setTick] = useState(0);
  const [updatedAt, setUpdatedAt] = useState<number>();
  const [counts, setCounts] = useState<Record<string, number>>({});
  const [roadStats, setRoadStats] = useState<RoadStats>();
  const [search, setSearch] = useState('');

  // The map, its layers and the live socket live as long as the page.
  useEffect(() => {
    const ctx = live.current;
    const map = createMap(mapEl.current!, city);
    ctx.map = map;
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
    ctx.roads = roads;
    if (layers.roads) roads.addTo(map);
    const cityLayers = new CityLayers();
    ctx.cityLayers = cityLayers;
    let stopped = false;

    // The live fleet, the city's records and the frame are asked for at once; the roads
    // follow the frame (they are fetched by viewport), the records draw when they arrive.
    ctx.vehicles.clusters.addTo(map);
    let pending = false;
    ctx.socket = connectLive({
      status: setStatus,
      snapshot: (states) => {
        ctx.vehicles.setAll(states);
        setTick((n) => n + 1);
        setUpdatedAt(Date.now());
        if (framed === false) {
          // A city without records to frame: the vehicles frame it.
          const vb = L.latLngBounds(states.filter((s) => s.latest).map((s) => [s.latest!.lat, s.latest!.lon] as L.LatLngTuple));
          if (vb.isValid()) map.fitBounds(vb.pad(0.2));
          framed = true;
        }
      },
      update: (batch) => {
        for (const s of batch) ctx.vehicles.upsert(s);
        // Re-render the panel at most ~4 times a second however fast batches arrive.
        if (!pending) {
          pending = true;
          setTimeout(() => {
            pending = false;
            setTick((n) => n + 1);
            setUpdatedAt(Date.now());
          }, 250);
        }
      },
    });
    // Incidents not closed yet (a dispatcher: their fleet's), re-read when the enforcement room says one changed.
    if (layersRef.current.incidents) ctx.incidents.group.addTo(map);
    const readIncidents = () => ctx.incidents.refresh().then((n) => !stopped && setIncidentCount(n), () => undefined);
    let incidentTimer: ReturnType<typeof setTimeout> | undefined;
    ctx.socket.on('incident', () => {
      incidentTimer ??= setTimeout(() => {
        incidentTimer = undefined;
        void readIncidents();
      }, 500);
    });
    void readIncidents();
    // undefined: not yet known; false: nothing to frame by; true: framed.
    let framed: boolean | undefined;
    const { frame, all } = loadCityData(firstRoads);
    void (async () => {
      try {
        const b = await frame;
        if (stopped) return;
        // The panel and header settle the map's size after it was created.
        map.invalidateSize();
        if (b) {
          map.fitBounds(b.pad(0.05), { animate: false });
          framed = true;
        } else {
          framed = await fitToRoads(map);
          const known = ctx.vehicles.all().filter((s) => s.latest).map((s) => [s.latest!.lat, s.latest!.lon] as L.LatLngTuple);
          if (!framed && known.length) {
            map.fitBounds(L.latLngBounds(known).pad(0.2), { animate: false });
            framed = true;
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
      clearTimeout(incidentTimer);
      ctx.socket?.close();
      // Layers with timers or move handlers go first: none may touch a removed map.
      ctx.vehicles.remove();
      ctx.incidents.group.remove();
      roads.remove();
      cityLayers.remove();
      map.remove();
    };
  }, []);

  useEffect(() => {
    const ctx = live.current;
    try {
      localStorage.setItem(LAYERS_KEY, JSON.stringify(layers));
    } catch {
      // not remembered then
    }
    if (!ctx.map) return;
    ctx.cityLayers?.apply(layers);
    if (layers.roads && !ctx.map.hasLayer(ctx.roads!.layer)) {
      ctx.roads!.addTo(ctx.map);
      void ctx.roads!.refresh();
    }
    if (!layers.roads && ctx.map.hasLayer(ctx.roads!.layer)) ctx.roads!.remove();
    if (layers.incidents && !ctx.map.hasLayer(ctx.incidents.group)) ctx.incidents.group.addTo(ctx.map);
    if (!layers.incidents && ctx.map.hasLayer(ctx.incidents.group)) ctx.incidents.group.remove();
    if (layers.vehicles && !ctx.vehicles.clusters.visible) ctx.vehicles.clusters.addTo(ctx.map);
    if (!layers.vehicles && ctx.vehicles.clusters.visible) ctx.vehicles.clusters.remove();
  }, [layers]);

  const all = live.current.vehicles.all();
  const shown = useMemo(() => all.filter((s) => passes(s, hidden)), [tick, hidden]);
  useEffect(() => live.current.vehicles.show(shown), [shown]);

  const districts = useMemo(() => {
    const set = new Set(city?.districts ?? []);
    for (const s of all) if (s.district) set.add(s.district);
    return [...set].sort((a, b) => a.localeCompare(b, 'zh-CN'));
  }, [tick, city]);

  const toggle = (group: keyof HiddenChoices) => (id: string, on: boolean) => setHidden((h) => ({
    ...h, [group]: on ? h[group].filter((x) => x !== id) : [...h[group], id],
  }));
  const countBy = (pred: (s: VehicleState) => boolean) => all.filter(pred).length;
  const setLayer = (id: string, on: boolean) => setLayers((l) => ({ ...l, [id]: on }));

  const q = search.trim().toLowerCase();
  const listed = shown.filter((s) => !q || s.plate.toLowerCase().includes(q)).sort((a, b) => a.plate.localeCompare(b.plate, 'zh-CN'));
  const LIST_MAX = 300;
  const positioned = shown.filter((s) => s.latest).length;

  const statusClass = status.key === 'live' ? 'status-ok' : status.key === 'refused' || status.key === 'noLiveView' ? 'status-error' : 'status-warn';

  return html`<div class="map-page">
    <h1 class="visually-hidden">${t('page.dispatch.title')}</h1>
    <${MapPanel} id="dispatch-panel" open=${panelOpen} onToggle=${setPanelOpen} title=${t('dispatch.panelTitle')}>
      <p class="live-status"><span class=${`status ${statusClass}`} role="status">${t(`live.${status.key}`, { detail: status.detail ?? '' })}</span>
        ${updatedAt ? html` <span class="muted">${t('dispatch.updated', { time: formatTime(updatedAt) })}</span>` : null}</p>
      ${loadError ? html`<p class="form-error" role="alert">${loadError}</p>` : null}
      <p class="count" id="vehicle-count">${t('dispatch.counts', { total: formatNumber(all.length), shown: formatNumber(shown.length), positioned: formatNumber(positioned) })}</p>

      <details open>
        <summary>${t('dispatch.legend')}</summary>
        <ul class="legend" id="legend">
          ${LOOKS.map((look) => html`<li key=${look}><span class="legend-icon" dangerouslySetInnerHTML=${{ __html: vehicleIconHtml({ vehicleId: look, plate: '', kind: 'collector', wasteClasses: ['food'], motion: look === 'alarm' ? 'moving' : look, latest: look === 'alarm' ? { alarms: ['x'] } as never : undefined }, false) }}></span>${motionLabel(look)}</li>`)}
          <li><span class="legend-icon"><span class="cluster-bubble legend-cluster">5</span></span>${t('dispatch.legendCluster')}</li>
          <li><span class="legend-icon"><span class="cluster-bubble points legend-cluster">9</span></span>${t('dispatch.legendPoints')}</li>
        </ul>
        <p class="hint">${t('dispatch.legendHint')}</p>
      </details>

      <details open>
        <summary>${t('dispatch.filters')}</summary>
        <${CheckGroup} legend=${t('filters.state')} name="look"
          items=${[...LOOKS, 'noFix'].map((id) => ({ id, label: motionLabel(id), count: countBy((s) => (s.latest ? lookOf(s) : 'noFix') === id) }))}
          checked=${(id: string) => !hidden.look.includes(id)} onChange=${toggle('look')} />
        <${CheckGroup} legend=${t('filters.kind')} name="kind"
          items=${vehicleKinds.map((k) => ({ id: k.id, label: kindLabel(k.id), swatch: k.colour, count: countBy((s) => s.kind === k.id) }))}
          checked=${(id: string) => !hidden.kind.includes(id)} onChange=${toggle('kind')} />
        <${CheckGroup} legend=${t('filters.wasteClass')} name="wasteClass"
          items=${[...wasteClasses.map((c) => ({ id: c.id, label: classLabel(c.id), swatch: c.colour, ring: true, count: countBy((s) => s.wasteClasses.includes(c.id)) })),
            { id: UNASSIGNED, label: t('filters.noClass'), swatch: '#cfd8dc', ring: true, count: countBy((s) => s.wasteClasses.length === 0) }]}
          checked=${(id: string) => !hidden.wasteClass.includes(id)} onChange=${toggle('wasteClass')} />
        <${CheckGroup} legend=${t('filters.district')} name="district"
          items=${[...districts.map((d) => ({ id: d, label: d, count: countBy((s) => s.district === d) })),
            { id: UNASSIGNED, label: t('filters.unassigned'), count: countBy((s) => !s.district) }]}
          checked=${(id: string) => !hidden.district.includes(id)} onChange=${toggle('district')} />
        <button type="button" class="link-button" onClick=${() => setHidden(noneHidden())}>${t('filters.showAll')}</button>
      </details>

      <details open=${!narrow}>
        <summary>${t('layers.title')}</summary>
        <${CheckGroup} legend=${t('layers.base')} name="layer"
          items=${[
            { id: 'vehicles', label: t('layers.vehicles') },
            { id: 'roads', label: roadStats ? t('layers.roadsCount', { count: roadStats.features }) : t('layers.roads') },
            { id: 'depots', label: t('layers.depots'), swatch: '#37474f', count: counts.depots },
            { id: 'sites', label: t('layers.sites'), swatch: '#8d6e63', count: counts.sites },
            { id: 'corridors', label: t('layers.corridors'), swatch: '#ffa726', count: counts.corridors },
            { id: 'zones', label: t('layers.zones'), swatch: '#e53935', count: counts.zones },
            { id: 'incidents', label: t('layers.incidents'), swatch: '#b71c1c', count: incidentCount },
          ]}
          checked=${(id: string) => !!layers[id]} onChange=${setLayer} />
        <${CheckGroup} legend=${t('layers.facilities')} name="layer"
          items=${facilityKinds.map((k) => ({ id: `facility:${k.id}`, label: facilityKindLabel(k.id), swatch: k.colour, count: counts[`facility:${k.id}`] }))}
          checked=${(id: string) => !!layers[id]} onChange=${setLayer} />
        <${CheckGroup} legend=${t('layers.points')} name="layer"
          items=${pointClasses.map((c) => ({ id: `points:${c.id}`, label: classLabel(c.id), swatch: classColour(c.id), count: counts[`points:${c.id}`] }))}
          checked=${(id: string) => !!layers[id]} onChange=${setLayer} />
        ${roadStats?.truncated ? html`<p class="hint">${t('layers.roadsTruncated')}</p>` : null}
      </details>

      <details open>
        <summary>${t('dispatch.vehicles')}</summary>
        <label class="search">${t('dispatch.searchPlate')}<input type="search" value=${search} onInput=${(e: Event) => setSearch((e.target as HTMLInputElement).value)} /></label>
        <ul class="vehicle-list" id="vehicle-list">
          ${listed.slice(0, LIST_MAX).map((s) => html`<li key=${s.vehicleId} data-vehicle-id=${s.vehicleId} class=${s.latest ? '' : 'no-fix'}>
            <button type="button" onClick=${() => {
              if (!live.current.vehicles.focus(s.vehicleId, live.current.map!)) setLoadError(t('dispatch.noFixYet', { plate: s.plate }));
              else if (narrow) setPanelOpen(false);
            }}>
              <span class="dot" style=${`background:${kindColour(s.kind)}`} aria-hidden="true"></span>
              <b>${s.plate}</b>
              <span class="row-info">${s.latest ? `${motionLabel(lookOf(s))}${s.motion === 'moving' ? ` ${formatUnit(s.latest.speedKmh, 'kilometer-per-hour')}` : ''}` : t('vehicle.noFix')}</span>
            </button>
          </li>`)}
        </ul>
        ${listed.length > LIST_MAX ? html`<p class="hint">${t('dispatch.listCut', { count: LIST_MAX, total: listed.length })}</p>` : null}
      </details>
    </${MapPanel}>
    <div class="map-box"><div id="map" ref=${mapEl}></div></div>
  </div>`;
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
