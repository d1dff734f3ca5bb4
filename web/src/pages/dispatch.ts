import { html } from 'htm/preact';
import L from 'leaflet';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Socket } from 'socket.io-client';
import type { VehicleState } from '../../../src/domain/vehicle-state.js';
import { CheckGroup, MapPanel } from '../components/panel.js';
import { useCity, useNarrow, useSession } from '../lib/hooks.js';
import { formatNumber, formatTime, formatUnit, t } from '../lib/i18n.js';
import { classLabel, kindColour, kindLabel, motionLabel, vehicleKinds, wasteClasses } from '../lib/labels.js';
import { connectLive, type LiveStatus } from '../lib/live.js';
import { LayerChecks, useCityMap } from '../map/city-map.js';
import { IncidentLayer } from '../map/incident-layer.js';
import { lookOf, noneHidden, passes, UNASSIGNED, type HiddenChoices } from '../lib/vehicle-filter.js';
import { vehicleIconHtml, VehicleLayer } from '../map/vehicles.js';

const LAYERS_KEY = 'sanifleet.dispatch.layers';

const LOOKS = ['moving', 'stopped', 'offline', 'alarm'] as const;

export function DispatchPage() {
  const city = useCity();
  const narrow = useNarrow();
  const s = useSession();
  const mapEl = useRef<HTMLDivElement>(null);
  const live = useRef<{ map?: L.Map; vehicles: VehicleLayer; incidents: IncidentLayer; socket?: Socket }>({ vehicles: new VehicleLayer(), incidents: new IncidentLayer() });
  const [incidentCount, setIncidentCount] = useState<number>();
  const [panelOpen, setPanelOpen] = useState(() => !window.matchMedia('(max-width: 760px)').matches);
  const [hidden, setHidden] = useState<HiddenChoices>(noneHidden);
  const [status, setStatus] = useState<LiveStatus>({ key: 'connecting' });
  const [tick, setTick] = useState(0);
  const [updatedAt, setUpdatedAt] = useState<number>();
  const [search, setSearch] = useState('');

  // The live fleet over the city map, for the page's life.
  const { layers, setLayer, loadError, setLoadError, counts, roadStats } = useCityMap(mapEl, city, {
    layersKey: LAYERS_KEY,
    fallbackPoints: () => live.current.vehicles.all().filter((v) => v.latest).map((v) => [v.latest!.lat, v.latest!.lon] as L.LatLngTuple),
    attach: (map, cityMap, initialLayers) => {
      const ctx = live.current;
      let stopped = false;
      ctx.map = map;
      ctx.vehicles.clusters.addTo(map);
      let pending = false;
      ctx.socket = connectLive({
        status: setStatus,
        snapshot: (states) => {
          ctx.vehicles.setAll(states);
          setTick((n) => n + 1);
          setUpdatedAt(Date.now());
          if (cityMap.framed === false) {
            // A city without records to frame: the vehicles frame it.
            const vb = L.latLngBounds(states.filter((v) => v.latest).map((v) => [v.latest!.lat, v.latest!.lon] as L.LatLngTuple));
            if (vb.isValid()) map.fitBounds(vb.pad(0.2));
            cityMap.framed = true;
          }
        },
        update: (batch) => {
          for (const v of batch) ctx.vehicles.upsert(v);
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
      if (initialLayers.incidents) ctx.incidents.group.addTo(map);
      const readIncidents = () => ctx.incidents.refresh().then((n) => !stopped && setIncidentCount(n), () => undefined);
      let incidentTimer: ReturnType<typeof setTimeout> | undefined;
      ctx.socket.on('incident', () => {
        incidentTimer ??= setTimeout(() => {
          incidentTimer = undefined;
          void readIncidents();
        }, 500);
      });
      void readIncidents();
      return () => {
        stopped = true;
        clearTimeout(incidentTimer);
        ctx.socket?.close();
        ctx.vehicles.remove();
        ctx.incidents.group.remove();
      };
    },
  });

  useEffect(() => {
    const ctx = live.current;
    if (!ctx.map) return;
    if (layers.incidents && !ctx.map.hasLayer(ctx.incidents.group)) ctx.incidents.group.addTo(ctx.map);
    if (!layers.incidents && ctx.map.hasLayer(ctx.incidents.group)) ctx.incidents.group.remove();
    if (layers.vehicles && !ctx.vehicles.clusters.visible) ctx.vehicles.clusters.addTo(ctx.map);
    if (!layers.vehicles && ctx.vehicles.clusters.visible) ctx.vehicles.clusters.remove();
  }, [layers]);

  const all = live.current.vehicles.all();
  const shown = useMemo(() => all.filter((s) => passes(s, hidden)), [tick, hidden]);
  useEffect(() => live.current.vehicles.show(shown), [shown]);

  // A district-scoped account is offered its district only (the server sends no other).
  const scope = s?.user.role === 'admin' ? {} : { district: s?.user.district, contractor: s?.user.contractor };
  const districts = useMemo(() => {
    if (scope.district) return [scope.district];
    const set = new Set(city?.districts ?? []);
    for (const v of all) if (v.district) set.add(v.district);
    return [...set].sort((a, b) => a.localeCompare(b, 'zh-CN'));
  }, [tick, city, scope.district]);

  const toggle = (group: keyof HiddenChoices) => (id: string, on: boolean) => setHidden((h) => ({
    ...h, [group]: on ? h[group].filter((x) => x !== id) : [...h[group], id],
  }));
  const countBy = (pred: (s: VehicleState) => boolean) => all.filter(pred).length;

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
      ${scope.district || scope.contractor ? html`<p class="scope-note" id="fleet-scope">${scope.district && scope.contractor
        ? t('dispatch.scopeBoth', { district: scope.district, contractor: scope.contractor })
        : scope.district ? t('dispatch.scopeDistrict', { district: scope.district }) : t('dispatch.scopeContractor', { contractor: scope.contractor })}</p>` : null}
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
          items=${[...districts.map((d) => ({ id: d, label: d, count: countBy((v) => v.district === d) })),
            ...(scope.district ? [] : [{ id: UNASSIGNED, label: t('filters.unassigned'), count: countBy((v) => !v.district) }])]}
          checked=${(id: string) => !hidden.district.includes(id)} onChange=${toggle('district')} />
        <button type="button" class="link-button" onClick=${() => setHidden(noneHidden())}>${t('filters.showAll')}</button>
      </details>

      <details open=${!narrow}>
        <summary>${t('layers.title')}</summary>
        <${LayerChecks} layers=${layers} setLayer=${setLayer} counts=${counts} roadStats=${roadStats} vehicles=${true}
          extra=${[{ id: 'incidents', label: t('layers.incidents'), swatch: '#b71c1c', count: incidentCount }]} />
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
