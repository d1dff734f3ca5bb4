import L from 'leaflet';
import type { VehicleState } from '../../../src/domain/vehicle-state.js';
import { classColour, kindColour, NO_CLASS_COLOUR } from './labels.js';
import { escapeHtml, popupHtml } from './vehicle-popup.js';

/**
 * The vehicles on the map: one marker per vehicle with a position, filled with its
 * kind's colour inside a ring of its waste classes' colours. A marker is moved, not
 * rebuilt, on each update; its icon changes only when kind, classes or motion do.
 */
export class VehicleMarkers {
  private readonly markers = new Map<string, { marker: L.Marker; look: string; state: VehicleState }>();
  private readonly states = new Map<string, VehicleState>();
  readonly layer = L.layerGroup();

  constructor(private readonly formatTime: (ms: number) => string, private readonly timeZone: string) {}

  /** Replaces everything shown (a snapshot after connect or a filter change). */
  replaceAll(states: VehicleState[]): void {
    const keep = new Set(states.map((s) => s.vehicleId));
    for (const id of [...this.states.keys()]) if (!keep.has(id)) this.remove(id);
    for (const s of states) this.upsert(s);
  }

  upsert(s: VehicleState): void {
    this.states.set(s.vehicleId, s);
    if (!s.latest) {
      this.removeMarker(s.vehicleId);
      return;
    }
    const at = L.latLng(s.latest.lat, s.latest.lon);
    const look = `${s.kind}|${s.wasteClasses.join(',')}|${s.motion}`;
    const held = this.markers.get(s.vehicleId);
    if (!held) {
      const marker = L.marker(at, { icon: icon(s), title: s.plate, alt: s.plate, riseOnHover: true });
      marker.bindPopup(() => popupHtml(this.states.get(s.vehicleId) ?? s, this.formatTime, this.timeZone), { minWidth: 260 });
      marker.addTo(this.layer);
      this.markers.set(s.vehicleId, { marker, look, state: s });
      return;
    }
    held.marker.setLatLng(at);
    if (held.look !== look) {
      held.marker.setIcon(icon(s));
      held.look = look;
    }
    held.state = s;
    if (held.marker.isPopupOpen()) held.marker.setPopupContent(popupHtml(s, this.formatTime, this.timeZone));
  }

  /** Centres the map on a vehicle and opens its popup; false when it has no position. */
  focus(vehicleId: string, map: L.Map): boolean {
    const held = this.markers.get(vehicleId);
    if (!held) return false;
    map.setView(held.marker.getLatLng(), Math.max(map.getZoom(), 16));
    held.marker.openPopup();
    return true;
  }

  get count(): number {
    return this.states.size;
  }

  get positionedCount(): number {
    return this.markers.size;
  }

  bounds(): L.LatLngBounds | undefined {
    if (this.markers.size === 0) return undefined;
    return L.latLngBounds([...this.markers.values()].map((m) => m.marker.getLatLng()));
  }

  private remove(id: string): void {
    this.states.delete(id);
    this.removeMarker(id);
  }

  private removeMarker(id: string): void {
    const held = this.markers.get(id);
    if (!held) return;
    held.marker.remove();
    this.markers.delete(id);
  }
}

function ringBackground(s: VehicleState): string {
  const colours = s.wasteClasses.length ? s.wasteClasses.map(classColour) : [NO_CLASS_COLOUR];
  if (colours.length === 1) return colours[0]!;
  const step = 100 / colours.length;
  return `conic-gradient(${colours.map((c, i) => `${c} ${i * step}% ${(i + 1) * step}%`).join(', ')})`;
}

function icon(s: VehicleState): L.DivIcon {
  const html = `<span class="vehicle-ring motion-${s.motion}" data-vehicle-id="${escapeHtml(s.vehicleId)}" style="background:${ringBackground(s)}">`
    + `<span class="vehicle-core" style="background:${kindColour(s.kind)}"></span></span>`;
  return L.divIcon({ className: 'vehicle-marker', html, iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -10] });
}
