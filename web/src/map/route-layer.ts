import L from 'leaflet';
import type { VehicleRoute } from '../../../src/planning/driver-route.js';

/**
 * One vehicle's route on the map: the path along the roads, a numbered dot per stop (done
 * stops grey), the next stop larger and orange. Redrawn whole on each change (a route has
 * tens of stops, not thousands).
 */
export class RouteLayer {
  readonly layer = L.layerGroup();
  private framed?: string;
  // SVG, not the map's canvas: tens of shapes, and each keeps its class (next stop, path) for styling and tests
  private readonly renderer = L.svg();

  constructor(private readonly label: (seq: number) => string) {}

  addTo(map: L.Map): this {
    this.layer.addTo(map);
    return this;
  }

  /** Draws the route; frames the map on it the first time a plan version is shown. */
  show(map: L.Map, route: VehicleRoute | undefined): void {
    this.layer.clearLayers();
    if (!route?.route) return;
    const path = route.route.path.coordinates.map((c) => [c[1]!, c[0]!] as L.LatLngTuple);
    const line = L.polyline(path, { color: '#00695c', weight: 5, opacity: 0.85, interactive: false, className: 'route-path', renderer: this.renderer }).addTo(this.layer);
    for (const s of route.stops) {
      const next = s.seq === route.nextSeq;
      L.circleMarker([s.location.lat, s.location.lon], {
        radius: next ? 10 : 6, weight: next ? 3 : 2, color: next ? '#fff' : '#00695c',
        fillColor: next ? '#ef6c00' : s.done ? '#90a4ae' : '#26a69a', fillOpacity: 1,
        className: next ? 'route-stop-marker is-next' : 'route-stop-marker', renderer: this.renderer,
      }).bindTooltip(this.label(s.seq)).addTo(this.layer);
    }
    const key = `${route.plan?.id}`;
    if (this.framed !== key && path.length) {
      this.framed = key;
      map.fitBounds(line.getBounds().pad(0.15), { animate: false, maxZoom: 17 });
    }
  }

  remove(): void {
    this.layer.remove();
  }
}
