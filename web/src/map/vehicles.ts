import L from 'leaflet';
import type { VehicleState } from '../../../src/domain/vehicle-state.js';
import { formatDateTime, formatNumber, formatUnit, t, timeZone } from '../lib/i18n.js';
import { classColour, classLabel, kindColour, kindLabel, motionLabel, NO_CLASS_COLOUR } from '../lib/labels.js';
import { lookOf } from '../lib/vehicle-filter.js';
import { ClusterLayer } from './cluster-layer.js';
import { escapeHtml } from './html.js';

/** Plates are written beside the markers from this zoom on (a street's width). */
export const PLATE_ZOOM = 15;


function ringBackground(s: VehicleState): string {
  const colours = s.wasteClasses.length ? s.wasteClasses.map(classColour) : [NO_CLASS_COLOUR];
  if (colours.length === 1) return colours[0]!;
  const step = 100 / colours.length;
  return `conic-gradient(${colours.map((c, i) => `${c} ${i * step}% ${(i + 1) * step}%`).join(', ')})`;
}

/** The marker's face: kind colour inside a ring of its classes' colours, a halo for its state. */
export function vehicleIconHtml(s: Pick<VehicleState, 'vehicleId' | 'plate' | 'kind' | 'wasteClasses' | 'motion' | 'latest'>, withPlate: boolean): string {
  const look = lookOf(s as VehicleState);
  return `<span class="vehicle-icon look-${look}" data-vehicle-id="${escapeHtml(s.vehicleId)}">`
    + `<span class="vehicle-ring" style="background:${ringBackground(s as VehicleState)}"><span class="vehicle-core" style="background:${kindColour(s.kind)}"></span></span>`
    + (withPlate ? `<span class="vehicle-plate">${escapeHtml(s.plate)}</span>` : '')
    + '</span>';
}

function vehicleIcon(s: VehicleState, withPlate: boolean): L.DivIcon {
  return L.divIcon({ className: 'vehicle-marker', html: vehicleIconHtml(s, withPlate), iconSize: [26, 26], iconAnchor: [13, 13], popupAnchor: [0, -12] });
}

export function vehiclePopupHtml(s: VehicleState): string {
  const yesNo = (b: boolean | undefined, yes: string, no: string) => (b === undefined ? '—' : b ? yes : no);
  const rows: Array<[string, string]> = [
    [t('vehicle.kind'), kindLabel(s.kind)],
    [t('vehicle.classes'), s.wasteClasses.length ? s.wasteClasses.map(classLabel).join(t('common.listSeparator')) : '—'],
    [t('vehicle.district'), s.district ?? t('filters.unassigned')],
    [t('vehicle.motion'), motionLabel(s.motion)],
    [t('vehicle.speed'), s.latest ? formatUnit(s.latest.speedKmh, 'kilometer-per-hour') : '—'],
    [t('vehicle.lastFix'), s.latest ? `${formatDateTime(s.latest.fixTimeMs)} (${timeZone()})` : t('vehicle.noFix')],
    [t('vehicle.position'), s.latest ? `${s.latest.lat.toFixed(5)}, ${s.latest.lon.toFixed(5)}` : '—'],
    [t('vehicle.load'), s.loadState ? t(`load.${s.loadState}`) : s.loadKg !== undefined ? formatUnit(s.loadKg, 'kilogram') : '—'],
    [t('vehicle.cover'), yesNo(s.coverClosed, t('vehicle.coverClosed'), t('vehicle.coverOpen'))],
    [t('vehicle.distanceToday'), formatUnit(s.distanceTodayM / 1000, 'kilometer', 1)],
  ];
  if (s.latest?.alarms.length) rows.push([t('vehicle.alarms'), s.latest.alarms.join(', ')]);
  const body = rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  return `<div class="vehicle-popup" data-vehicle-id="${escapeHtml(s.vehicleId)}"><h3>${escapeHtml(s.plate)}</h3><table>${body}</table>`
    + `<p class="popup-links"><a href="/incidents?vehicle=${encodeURIComponent(s.vehicleId)}">${escapeHtml(t('vehicle.replayLink'))}</a></p></div>`;
}

type VehicleMarker = L.Marker & { look?: string };

/**
 * The vehicles on a map: clustered where dense, each marker moved in place on updates,
 * its plate written beside it at close zoom. A click opens its popup; a cluster of
 * trucks at one spot lists their plates.
 */
export class VehicleLayer {
  private readonly states = new Map<string, VehicleState>();
  private shown: VehicleState[] = [];
  private renderTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingOpen: (() => void) | undefined;
  readonly clusters: ClusterLayer<VehicleState>;

  constructor(private readonly onSelect?: (vehicleId: string) => void) {
    this.clusters = new ClusterLayer<VehicleState>({
      radiusPx: 34,
      keyOf: (s) => s.vehicleId,
      latLng: (s) => [s.latest!.lat, s.latest!.lon],
      makeMarker: (s) => {
        // Vehicles stay above the city's records.
        const m = L.marker([s.latest!.lat, s.latest!.lon], { icon: vehicleIcon(s, false), title: s.plate, alt: s.plate, riseOnHover: true, keyboard: true, zIndexOffset: 1000 }) as VehicleMarker;
        m.bindPopup(() => vehiclePopupHtml(this.states.get(s.vehicleId) ?? s), { minWidth: 240, maxWidth: 300, autoPanPadding: [20, 60] });
        m.on('click', () => this.onSelect?.(s.vehicleId));
        return m;
      },
      updateMarker: (marker, s, zoom) => {
        const m = marker as VehicleMarker;
        const withPlate = zoom >= PLATE_ZOOM;
        const look = `${s.kind}|${s.wasteClasses.join(',')}|${lookOf(s)}|${withPlate}|${s.plate}`;
        if (m.look !== look) {
          m.setIcon(vehicleIcon(s, withPlate));
          m.look = look;
        }
        if (m.isPopupOpen()) m.setPopupContent(vehiclePopupHtml(s));
      },
      clusterIcon: (leaves, count) => {
        const pts = leaves();
        const alarm = pts.some((p) => lookOf(p) === 'alarm');
        const moving = pts.filter((p) => p.motion === 'moving').length;
        const size = count < 10 ? 34 : count < 100 ? 40 : 48;
        return L.divIcon({
          className: 'vehicle-cluster',
          html: `<span class="cluster-bubble${alarm ? ' has-alarm' : ''}" title="${escapeHtml(t('map.vehicleCluster', { count, moving }))}">${formatNumber(count)}</span>`,
          iconSize: [size, size], iconAnchor: [size / 2, size / 2],
        });
      },
      listPopup: (pts) => {
        const box = document.createElement('div');
        box.className = 'cluster-list';
        const h = document.createElement('h3');
        h.textContent = t('map.vehiclesHere', { count: pts.length });
        const ul = document.createElement('ul');
        for (const p of [...pts].sort((a, b) => a.plate.localeCompare(b.plate, 'zh-CN'))) {
          const li = document.createElement('li');
          const b = document.createElement('button');
          b.type = 'button';
          b.className = 'link-button';
          b.dataset.vehicleId = p.vehicleId;
          b.innerHTML = `${vehicleIconHtml(p, false)} ${escapeHtml(p.plate)} · ${escapeHtml(motionLabel(lookOf(p) === 'alarm' ? 'alarm' : p.motion))}`;
          b.addEventListener('click', () => {
            const map = this.clusters.leafletMap;
            if (!map) return;
            L.popup({ minWidth: 240 }).setLatLng([p.latest!.lat, p.latest!.lon]).setContent(vehiclePopupHtml(this.states.get(p.vehicleId) ?? p)).openOn(map);
          });
          li.append(b);
          ul.append(li);
        }
        box.append(h, ul);
        return box;
      },
    }, 19, 1000);
  }

  /** All states known (the filter decides which are shown). */
  setAll(states: VehicleState[]): void {
    this.states.clear();
    for (const s of states) this.states.set(s.vehicleId, s);
  }

  upsert(s: VehicleState): void {
    this.states.set(s.vehicleId, s);
  }

  get(vehicleId: string): VehicleState | undefined {
    return this.states.get(vehicleId);
  }

  all(): VehicleState[] {
    return [...this.states.values()];
  }

  /** Shows these states (those with a fix) on the map; several calls in a burst render once. */
  show(states: VehicleState[]): void {
    this.shown = states.filter((s) => s.latest);
    clearTimeout(this.renderTimer);
    this.renderTimer = setTimeout(() => this.clusters.setPoints(this.shown), 0);
  }

  /** Off the map for good (the page closes). */
  remove(): void {
    clearTimeout(this.renderTimer);
    this.clusters.remove();
  }

  /** Immediate render (tests and the first paint). */
  flush(): void {
    clearTimeout(this.renderTimer);
    this.clusters.setPoints(this.shown);
  }

  bounds(): L.LatLngBounds | undefined {
    const pts = this.shown.filter((s) => s.latest).map((s) => L.latLng(s.latest!.lat, s.latest!.lon));
    return pts.length ? L.latLngBounds(pts) : undefined;
  }

  /** Centres the map on a vehicle and opens its popup; false when it has no position. */
  focus(vehicleId: string, map: L.Map): boolean {
    const s = this.states.get(vehicleId);
    if (!s?.latest) return false;
    const at = L.latLng(s.latest.lat, s.latest.lon);
    // One focus at a time: a click on another row before the map settled wins.
    if (this.pendingOpen) map.off('moveend', this.pendingOpen);
    map.closePopup();
    const open = () => {
      this.pendingOpen = undefined;
      this.flush();
      const m = this.clusters.marker(vehicleId);
      const now = this.states.get(vehicleId) ?? s;
      if (m) m.openPopup();
      else L.popup({ minWidth: 240 }).setLatLng(at).setContent(vehiclePopupHtml(now)).openOn(map);
    };
    const zoom = Math.max(map.getZoom(), 17);
    if (map.getCenter().distanceTo(at) < 1 && map.getZoom() === zoom) open();
    else {
      this.pendingOpen = open;
      map.once('moveend', open);
      map.setView(at, zoom, { animate: false });
    }
    return true;
  }

}
