import { html } from 'htm/preact';
import L from 'leaflet';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Vehicle } from '../../../src/domain/model.js';
import { PageTitle } from '../components/shell.js';
import { IncidentDesk, type EvidenceDoc } from './incident-desk.js';
import { errorText, getJson, listAll } from '../lib/api.js';
import { cityDate, cityWallToMs } from '../lib/city-time.js';
import { useCity, useLoad } from '../lib/hooks.js';
import { formatDateTime, formatNumber, formatUnit, t, timeZone } from '../lib/i18n.js';
import { currentQuery } from '../lib/router.js';
import { createMap } from '../map/base.js';
import { RoadLayer } from '../map/roads.js';

interface FixProps {
  kind: 'fix';
  fixTime: string;
  speedKmh: number;
  headingDeg: number;
  alarms: string[];
  coverClosed: boolean | null;
  loadState: string | null;
}

interface Track {
  properties: { totalFixes: number; returnedFixes: number; truncated: boolean };
  features: Array<GeoJSON.Feature<GeoJSON.Point | GeoJSON.LineString, FixProps | { kind: 'path' }>>;
}

interface Fix {
  atMs: number;
  lat: number;
  lon: number;
  props: FixProps;
}

const SPEEDS = [10, 60, 300];
const MAX_POINTS = 5000;

/**
 * Incidents and replay. Alerts come with the compliance issue (the shell says so); the
 * replay works now: a vehicle's track for a day or hours in the city's zone, drawn on
 * the map, with a time slider and playback.
 */
export function IncidentsPage() {
  const city = useCity();
  const vehicles = useLoad((signal) => listAll<Vehicle>('/api/v1/vehicles', 20_000, signal), []);
  const mapEl = useRef<HTMLDivElement>(null);
  // (streetRenderer: one SVG layer for every evidence's street, so each is an element the page and its tests can address)
  const ctx = useRef<{ map?: L.Map; track?: L.LayerGroup; cursor?: L.CircleMarker; streetRenderer?: L.SVG }>({});
  const tz = city?.timeZone ?? timeZone();
  const [form, setForm] = useState(() => ({ vehicleId: currentQuery().get('vehicle') ?? '', date: cityDate(Date.now(), tz), from: '00:00', to: '24:00', dateTouched: false }));
  // The city's zone may arrive after the first render: "today" is the city's today.
  useEffect(() => setForm((f) => (f.dateTouched ? f : { ...f, date: cityDate(Date.now(), tz) })), [tz]);
  const [fixes, setFixes] = useState<Fix[]>([]);
  const [meta, setMeta] = useState<Track['properties']>();
  const [index, setIndex] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(60);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const map = createMap(mapEl.current!, city);
    ctx.current.map = map;
    const roads = new RoadLayer();
    roads.addTo(map);
    let stopped = false;
    void getJson<{ items: Array<{ location: { coordinates: number[] } }> }>('/api/v1/depots?limit=1000').then((d) => {
      if (stopped) return;
      const pts = d.items.map((x) => [x.location.coordinates[1]!, x.location.coordinates[0]!] as L.LatLngTuple);
      if (pts.length) map.fitBounds(L.latLngBounds(pts).pad(0.3), { animate: false });
      void roads.refresh();
    }, () => !stopped && void roads.refresh());
    return () => {
      stopped = true;
      roads.remove();
      map.remove();
      ctx.current.streetRenderer = undefined; // it belonged to that map
    };
  }, []);

  const load = async (e?: Event) => {
    e?.preventDefault();
    if (!form.vehicleId) {
      setError(t('replay.chooseVehicle'));
      return;
    }
    setBusy(true);
    setError(undefined);
    setPlaying(false);
    try {
      const fromMs = cityWallToMs(form.date, form.from, tz);
      const toMs = form.to === '24:00' ? cityWallToMs(form.date, '00:00', tz) + 86_400_000 : cityWallToMs(form.date, form.to, tz);
      const track = await getJson<Track>(`/api/v1/vehicles/${encodeURIComponent(form.vehicleId)}/track?from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}&maxPoints=${MAX_POINTS}`);
      const next: Fix[] = track.features
        .filter((f) => f.properties.kind === 'fix')
        .map((f) => {
          const [lon, lat] = (f.geometry as GeoJSON.Point).coordinates as [number, number];
          const props = f.properties as FixProps;
          return { atMs: Date.parse(props.fixTime), lat, lon, props };
        });
      setFixes(next);
      setMeta(track.properties);
      setIndex(0);
      draw(next);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const draw = (next: Fix[]) => {
    const map = ctx.current.map!;
    ctx.current.track?.remove();
    const g = L.layerGroup().addTo(map);
    ctx.current.track = g;
    ctx.current.cursor = undefined;
    if (!next.length) return;
    const line = L.polyline(next.map((f) => [f.lat, f.lon] as L.LatLngTuple), { color: '#1565c0', weight: 4, opacity: 0.8 }).addTo(g);
    for (const f of next) {
      if (f.props.alarms.length) L.circleMarker([f.lat, f.lon], { radius: 6, color: '#c62828', fillColor: '#e53935', fillOpacity: 0.9 }).bindTooltip(f.props.alarms.join(', ')).addTo(g);
    }
    L.circleMarker([next[0]!.lat, next[0]!.lon], { radius: 6, color: '#2e7d32', fillColor: '#66bb6a', fillOpacity: 1 }).bindTooltip(t('replay.start')).addTo(g);
    L.circleMarker([next.at(-1)!.lat, next.at(-1)!.lon], { radius: 6, color: '#37474f', fillColor: '#90a4ae', fillOpacity: 1 }).bindTooltip(t('replay.end')).addTo(g);
    ctx.current.cursor = L.circleMarker([next[0]!.lat, next[0]!.lon], { radius: 9, color: '#fff', weight: 3, fillColor: '#ff6f00', fillOpacity: 1, className: 'replay-cursor' }).addTo(g);
    map.fitBounds(line.getBounds().pad(0.15), { animate: false });
  };

  // An incident's evidence: its fixes become the replay, its corridor / zone / facility and the fixes involved are drawn.
  const [evidenceOf, setEvidenceOf] = useState<EvidenceDoc>();
  const showEvidence = (ev: EvidenceDoc) => {
    const next: Fix[] = ev.features.filter((f) => f.properties.kind === 'fix').map((f) => {
      const [lon, lat] = (f.geometry as GeoJSON.Point).coordinates as [number, number];
      return { atMs: Date.parse(f.properties.fixTime), lat, lon, props: { ...f.properties, alarms: f.properties.alarms ?? [] } as FixProps };
    });
    setPlaying(false);
    setFixes(next);
    setMeta({ totalFixes: next.length, returnedFixes: next.length, truncated: false });
    setIndex(0);
    setEvidenceOf(ev);
    draw(next);
    const g = ctx.current.track!;
    const areas = L.featureGroup().addTo(g);
    for (const f of ev.features) {
      const k = f.properties.kind;
      if (k === 'corridor' || k === 'zone' || k === 'facility' || k === 'site' || k === 'collection_point' || k === 'street') {
        // a point not collected or a street not swept: the plan's side of plan against track
        const planned = k === 'collection_point' || k === 'street';
        const colour = k === 'corridor' ? '#ef6c00' : k === 'zone' ? '#c62828' : planned ? '#6a1b9a' : '#558b2f';
        if (f.geometry.type === 'Point') {
          const [lon, lat] = f.geometry.coordinates as [number, number];
          L.circleMarker([lat, lon], { radius: 7, color: colour }).addTo(areas);
        } else if (k === 'street' && f.geometry.type === 'LineString') {
          // broad and pale under the track, which runs along it where the vehicle went
          const line = (f.geometry.coordinates as Array<[number, number]>).map(([lon, lat]) => [lat, lon] as [number, number]);
          const renderer = (ctx.current.streetRenderer ??= L.svg());
          L.polyline(line, { color: colour, weight: 8, opacity: 0.5, interactive: false, className: 'evidence-street', renderer }).addTo(areas);
        } else {
          L.geoJSON(f.geometry as GeoJSON.GeoJsonObject, { style: { color: colour, weight: 1.5, fillOpacity: 0.15 }, interactive: false }).addTo(areas);
        }
      } else if ((k === 'fix' && f.properties.involved) || k === 'spill_report' || k === 'candidate_pass') {
        const [lon, lat] = (f.geometry as GeoJSON.Point).coordinates as [number, number];
        L.circleMarker([lat, lon], { radius: k === 'fix' ? 4 : 7, color: '#b71c1c', fillColor: '#e53935', fillOpacity: 0.9 }).addTo(areas);
      }
    }
    if (!next.length && areas.getLayers().length) ctx.current.map!.fitBounds(areas.getBounds().pad(0.3), { animate: false });
    mapEl.current?.scrollIntoView({ block: 'nearest' });
  };

  // The cursor follows the slider.
  useEffect(() => {
    const f = fixes[index];
    if (f) ctx.current.cursor?.setLatLng([f.lat, f.lon]);
  }, [index, fixes]);

  // Playback: the track's own time runs `speed` times faster than the wall clock.
  useEffect(() => {
    if (!playing || fixes.length < 2) return;
    const tickMs = 100;
    let simMs = fixes[index]!.atMs;
    const timer = setInterval(() => {
      simMs += tickMs * speed;
      setIndex((i) => {
        let j = i;
        while (j + 1 < fixes.length && fixes[j + 1]!.atMs <= simMs) j++;
        if (j >= fixes.length - 1) setPlaying(false);
        return j;
      });
    }, tickMs);
    return () => clearInterval(timer);
  }, [playing, speed, fixes]);

  const current = fixes[index];
  const vehicleList = (vehicles.data ?? []).slice().sort((a, b) => a.plate.localeCompare(b.plate, 'zh-CN'));

  return html`<div class="page incidents-page">
    <${PageTitle} id="incidents" />
    <${IncidentDesk} onEvidence=${showEvidence} />
    ${evidenceOf ? html`<p class="evidence-title" id="evidence-title">${t('desk.evidenceOf', {
      type: t(`incidentType.${evidenceOf.properties.incident.type}`), vehicle: evidenceOf.properties.vehicle?.plate ?? evidenceOf.properties.incident.vehicleId ?? '—',
    })}</p>` : null}
    <section class="replay" aria-labelledby="replay-title">
      <h2 id="replay-title">${t('replay.title')}</h2>
      <form class="form replay-form" onSubmit=${load}>
        <label>${t('replay.vehicle')}
          <select name="vehicle" value=${form.vehicleId} onChange=${(e: Event) => setForm({ ...form, vehicleId: (e.target as HTMLSelectElement).value })}>
            <option value="">${vehicles.loading ? t('common.loading') : t('replay.chooseVehicle')}</option>
            ${vehicleList.map((v) => html`<option key=${v.id} value=${v.id}>${v.plate}</option>`)}
          </select>
        </label>
        <label>${t('replay.date')}<input type="date" name="date" value=${form.date} required onChange=${(e: Event) => setForm({ ...form, date: (e.target as HTMLInputElement).value, dateTouched: true })} /></label>
        <label>${t('replay.from')}<input type="time" name="from" value=${form.from} onChange=${(e: Event) => setForm({ ...form, from: (e.target as HTMLInputElement).value || '00:00' })} /></label>
        <label>${t('replay.to')}<input type="time" name="to" value=${form.to === '24:00' ? '' : form.to} onChange=${(e: Event) => setForm({ ...form, to: (e.target as HTMLInputElement).value || '24:00' })} /></label>
        <button type="submit" class="primary" disabled=${busy}>${busy ? t('common.loading') : t('replay.load')}</button>
      </form>
      <p class="hint">${t('replay.zoneHint', { zone: tz })}</p>
      ${error ? html`<p class="form-error" role="alert">${error}</p>` : null}
      ${meta ? html`<p class="muted" id="replay-summary">${fixes.length
        ? t('replay.summary', { shown: formatNumber(meta.returnedFixes), total: formatNumber(meta.totalFixes) })
        : t('replay.empty')}${meta.truncated ? ` ${t('replay.truncated')}` : ''}</p>` : null}
      ${fixes.length ? html`<div class="replay-controls">
        <button type="button" class="primary" onClick=${() => {
          if (index >= fixes.length - 1) setIndex(0);
          setPlaying(!playing);
        }}>${playing ? t('replay.pause') : t('replay.play')}</button>
        <label class="inline">${t('replay.speed')}
          <select value=${speed} onChange=${(e: Event) => setSpeed(Number((e.target as HTMLSelectElement).value))}>
            ${SPEEDS.map((s) => html`<option value=${s}>${s}×</option>`)}
          </select>
        </label>
        <label class="slider">${t('replay.time')}
          <input type="range" min="0" max=${fixes.length - 1} value=${index} aria-valuetext=${current ? formatDateTime(current.atMs) : ''}
            onInput=${(e: Event) => {
              setPlaying(false);
              setIndex(Number((e.target as HTMLInputElement).value));
            }} />
        </label>
        ${current ? html`<p class="replay-now" aria-live="off" id="replay-now">
          <b>${formatDateTime(current.atMs)}</b> · ${formatUnit(current.props.speedKmh, 'kilometer-per-hour')}
          ${current.props.alarms.length ? html` · <span class="alarm-text">${current.props.alarms.join(', ')}</span>` : null}
        </p>` : null}
      </div>` : null}
    </section>
    <div class="replay-map"><div id="map" ref=${mapEl}></div></div>
  </div>`;
}
