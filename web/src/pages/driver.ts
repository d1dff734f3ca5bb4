import { html } from 'htm/preact';
import L from 'leaflet';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Socket } from 'socket.io-client';
import type { VehicleState } from '../../../src/domain/vehicle-state.js';
import type { VehicleRoute } from '../../../src/planning/driver-route.js';
import { errorText, getJson } from '../lib/api.js';
import { useCity, useSession } from '../lib/hooks.js';
import { formatDateTime, formatUnit, t } from '../lib/i18n.js';
import { classLabel, kindLabel, motionLabel } from '../lib/labels.js';
import { connectLive, type LiveStatus } from '../lib/live.js';
import { createMap, markFirstPaint } from '../map/base.js';
import { RoadLayer } from '../map/roads.js';
import { lookOf } from '../lib/vehicle-filter.js';
import { vehicleIconHtml } from '../map/vehicles.js';
import { RouteLayer } from '../map/route-layer.js';
import { ReportForm, RoutePanel } from './driver-route.js';

/**
 * The driver's page, made for a phone: their own vehicle's live state and where it is, and
 * today's route (GET /driver/route) — the next stop first, every stop in order, the path on the
 * map — read again whenever the server says the route changed ('route:changed' to the
 * driver's own room: published, re-published, started, closed, a stop marked done).
 */
export function DriverPage() {
  const s = useSession();
  const city = useCity();
  const vehicleId = s?.user.vehicleId;
  const [state, setState] = useState<VehicleState>();
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<LiveStatus>({ key: 'connecting' });
  const mapEl = useRef<HTMLDivElement>(null);
  const ctx = useRef<{ map?: L.Map; marker?: L.Marker; socket?: Socket; centred: boolean; routeLayer?: RouteLayer; route?: VehicleRoute }>({ centred: false });
  const [route, setRoute] = useState<VehicleRoute>();
  const [routeNote, setRouteNote] = useState<string>();
  const [routeError, setRouteError] = useState<string>();

  const loadRoute = async () => {
    try {
      const next = await getJson<VehicleRoute>('/api/v1/driver/route');
      ctx.current.route = next;
      setRoute(next);
      setRouteError(undefined);
      if (ctx.current.map) ctx.current.routeLayer?.show(ctx.current.map, next);
    } catch (err) {
      setRouteError(errorText(err));
    }
  };

  useEffect(() => {
    if (!vehicleId) return;
    const map = createMap(mapEl.current!, city);
    ctx.current.map = map;
    const roads = new RoadLayer(() => markFirstPaint('map-first-paint'));
    roads.addTo(map);
    ctx.current.routeLayer = new RouteLayer((seq) => t('route.stopNumber', { seq })).addTo(map);
    let stopped = false;
    const show = (next: VehicleState) => {
      if (stopped || next.vehicleId !== vehicleId) return;
      setState(next);
      if (!next.latest) return;
      const at = L.latLng(next.latest.lat, next.latest.lon);
      const icon = L.divIcon({ className: 'vehicle-marker', html: vehicleIconHtml(next, true), iconSize: [26, 26], iconAnchor: [13, 13] });
      if (!ctx.current.marker) ctx.current.marker = L.marker(at, { icon, title: next.plate, alt: next.plate, keyboard: false }).addTo(map);
      else ctx.current.marker.setLatLng(at).setIcon(icon);
      // the route frames the map when there is one; else the vehicle does
      if (!ctx.current.centred && !ctx.current.route?.route) {
        map.setView(at, 16, { animate: false });
        ctx.current.centred = true;
      }
    };
    void (async () => {
      await loadRoute();
      if (ctx.current.route?.route) ctx.current.centred = true;
      try {
        show(await getJson<VehicleState>(`/api/v1/vehicles/${encodeURIComponent(vehicleId)}/state`));
      } catch (err) {
        setError(errorText(err));
      }
      if (!ctx.current.centred) {
        // No fix yet: frame the city by its depots (the driver's start).
        const depots = await getJson<{ items: Array<{ location: { coordinates: number[] } }> }>('/api/v1/depots?limit=1000').catch(() => undefined);
        const pts = (depots?.items ?? []).map((d) => [d.location.coordinates[1]!, d.location.coordinates[0]!] as L.LatLngTuple);
        if (pts.length && !stopped) map.fitBounds(L.latLngBounds(pts).pad(0.1), { animate: false });
      }
      if (stopped) return;
      void roads.refresh();
      ctx.current.socket = connectLive({
        status: setStatus,
        snapshot: (states) => states.forEach(show),
        update: (states) => states.forEach(show),
      });
      // a change while the socket was down (or before it first connected) is read on (re)connect
      ctx.current.socket.on('connect', () => void loadRoute());
      ctx.current.socket.on('route:changed', (e: { change?: string }) => {
        if (stopped) return;
        setRouteNote(t('route.updated', { change: t(`route.changes.${e.change}`, { defaultValue: e.change ?? '' }) }));
        void loadRoute();
      });
    })();
    return () => {
      stopped = true;
      ctx.current.socket?.close();
      roads.remove();
      map.remove();
    };
  }, [vehicleId]);

  if (!vehicleId) {
    return html`<section class="page-notice"><h1>${t('page.driver.title')}</h1><p>${t('driver.noVehicle')}</p></section>`;
  }
  const latest = state?.latest;
  const rows: Array<[string, string]> = state ? [
    [t('vehicle.motion'), latest ? motionLabel(lookOf(state)) : t('vehicle.noFix')],
    [t('vehicle.speed'), latest ? formatUnit(latest.speedKmh, 'kilometer-per-hour') : '—'],
    [t('vehicle.lastFix'), latest ? formatDateTime(latest.fixTimeMs) : '—'],
    [t('vehicle.distanceToday'), formatUnit(state.distanceTodayM / 1000, 'kilometer', 1)],
    [t('vehicle.load'), state.loadState ? t(`load.${state.loadState}`) : state.loadKg !== undefined ? formatUnit(state.loadKg, 'kilogram') : '—'],
    [t('vehicle.cover'), state.coverClosed === undefined ? '—' : state.coverClosed ? t('vehicle.coverClosed') : t('vehicle.coverOpen')],
  ] : [];
  return html`<div class="driver-page">
    <section class="driver-card" aria-labelledby="driver-vehicle">
      <h1 id="driver-vehicle">${state ? state.plate : t('page.driver.title')}
        ${state ? html` <small>${kindLabel(state.kind)}${state.wasteClasses.length ? ` · ${state.wasteClasses.map(classLabel).join(t('common.listSeparator'))}` : ''}</small>` : null}</h1>
      <p><span class=${`status ${status.key === 'live' ? 'status-ok' : 'status-warn'}`} role="status">${t(`live.${status.key}`, { detail: status.detail ?? '' })}</span></p>
      ${error ? html`<p class="form-error" role="alert">${error}</p>` : null}
      ${state?.latest?.alarms.length ? html`<p class="alarm-banner" role="alert">${t('vehicle.alarms')}: ${state.latest.alarms.join(', ')}</p>` : null}
      <dl class="facts">${rows.map(([k, v]) => html`<div key=${k}><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>
    </section>
    ${routeNote ? html`<p class="form-ok route-note" role="status">${routeNote}</p>` : null}
    ${routeError ? html`<p class="form-error" role="alert">${routeError}</p>` : null}
    ${route ? html`<${RoutePanel} route=${route} onChanged=${() => void loadRoute()} />` : null}
    <div class="driver-map"><div id="map" ref=${mapEl}></div></div>
    <${ReportForm} route=${route} position=${latest ? { lon: latest.lon, lat: latest.lat } : undefined} />
  </div>`;
}
