import L from 'leaflet';
import Supercluster from 'supercluster';

/**
 * Markers that gather into counted clusters where they crowd, recomputed on every pan,
 * zoom or data change (supercluster: a few thousand points index in milliseconds). A
 * marker is kept and moved while its point stays unclustered, so an open popup stays
 * open as the vehicle moves. A click on a cluster zooms in until it splits; points that
 * never split (trucks parked at one depot) list themselves instead.
 */
export interface ClusterLayerOptions<P> {
  radiusPx: number;
  keyOf(p: P): string;
  latLng(p: P): L.LatLngExpression;
  /** A new marker for a point (popup, tooltip bound here). */
  makeMarker(p: P): L.Marker;
  /** Refresh an existing marker for a changed point (icon, position are handled by the caller's logic). */
  updateMarker(marker: L.Marker, p: P, zoom: number): void;
  clusterIcon(points: () => P[], count: number): L.DivIcon;
  /** The popup listing the points of a cluster that never splits. */
  listPopup(points: P[]): HTMLElement;
}

type ClusterMarker = L.Marker & { clusterId: number };

export class ClusterLayer<P> {
  readonly group = L.layerGroup();
  private index?: Supercluster<{ key: string }>;
  private byKey = new Map<string, P>();
  private readonly markers = new Map<string, L.Marker>();
  private readonly clusters = new Map<string, L.Marker>();
  private map?: L.Map;
  private readonly onMove = () => this.render();

  constructor(private readonly opts: ClusterLayerOptions<P>, private readonly maxZoom = 19, private readonly zIndexOffset = 0) {}

  addTo(map: L.Map): this {
    this.map = map;
    this.group.addTo(map);
    map.on('moveend', this.onMove);
    this.render();
    return this;
  }

  remove(): void {
    this.map?.off('moveend', this.onMove);
    this.group.remove();
    this.map = undefined;
  }

  get leafletMap(): L.Map | undefined {
    return this.map;
  }

  get visible(): boolean {
    return !!this.map;
  }

  setPoints(points: P[]): void {
    this.byKey = new Map(points.map((p) => [this.opts.keyOf(p), p]));
    const index = new Supercluster<{ key: string }>({ radius: this.opts.radiusPx, maxZoom: this.maxZoom, minPoints: 2 });
    index.load(points.map((p) => {
      const ll = L.latLng(this.opts.latLng(p));
      return { type: 'Feature', geometry: { type: 'Point', coordinates: [ll.lng, ll.lat] }, properties: { key: this.opts.keyOf(p) } };
    }));
    this.index = index;
    this.render();
  }

  point(key: string): P | undefined {
    return this.byKey.get(key);
  }

  marker(key: string): L.Marker | undefined {
    return this.markers.get(key);
  }

  /** The cluster marker that holds a point now, if it is clustered. */
  clusterOf(key: string): (L.Marker & { clusterId: number }) | undefined {
    const index = this.index;
    if (!index) return undefined;
    for (const m of this.clusters.values()) {
      const id = (m as ClusterMarker).clusterId;
      if (index.getLeaves(id, Infinity).some((l) => l.properties.key === key)) return m as ClusterMarker;
    }
    return undefined;
  }

  render(): void {
    const map = this.map;
    const index = this.index;
    if (!map || !index) return;
    const zoom = Math.round(map.getZoom());
    const b = map.getBounds().pad(0.25);
    const features = index.getClusters([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], zoom);
    const seenPoints = new Set<string>();
    const seenClusters = new Set<string>();
    for (const f of features) {
      const [lon, lat] = f.geometry.coordinates as [number, number];
      const props = f.properties as { cluster?: boolean; cluster_id?: number; point_count?: number; key?: string };
      if (props.cluster) {
        const clusterId = props.cluster_id!;
        const key = `c:${zoom}:${clusterId}`;
        seenClusters.add(key);
        const leaves = () => index.getLeaves(clusterId, Infinity).map((l) => this.byKey.get(l.properties.key)!).filter(Boolean);
        let m = this.clusters.get(key) as ClusterMarker | undefined;
        if (!m) {
          const created = L.marker([lat, lon], { icon: this.opts.clusterIcon(leaves, props.point_count!), keyboard: true, zIndexOffset: this.zIndexOffset }) as ClusterMarker;
          created.on('click', () => this.openCluster(created.clusterId, created));
          created.addTo(this.group);
          this.clusters.set(key, created);
          m = created;
        } else {
          m.setLatLng([lat, lon]);
          m.setIcon(this.opts.clusterIcon(leaves, props.point_count!));
        }
        m.clusterId = clusterId;
      } else {
        const key = props.key!;
        const p = this.byKey.get(key);
        if (!p) continue;
        seenPoints.add(key);
        let m = this.markers.get(key);
        if (!m) {
          m = this.opts.makeMarker(p);
          m.addTo(this.group);
          this.markers.set(key, m);
        } else {
          m.setLatLng(this.opts.latLng(p));
        }
        this.opts.updateMarker(m, p, zoom);
      }
    }
    for (const [k, m] of this.markers) if (!seenPoints.has(k)) { m.remove(); this.markers.delete(k); }
    for (const [k, m] of this.clusters) if (!seenClusters.has(k)) { m.remove(); this.clusters.delete(k); }
  }

  /** Zooms into a cluster, or lists its points when they never split. */
  openCluster(clusterId: number, marker: L.Marker): void {
    const map = this.map;
    if (!map || !this.index) return;
    const expansion = this.index.getClusterExpansionZoom(clusterId);
    if (expansion <= Math.min(this.maxZoom, map.getMaxZoom())) {
      map.flyTo(marker.getLatLng(), expansion, { duration: 0.4 });
    } else {
      const pts = this.index.getLeaves(clusterId, Infinity).map((l) => this.byKey.get(l.properties.key)!).filter(Boolean);
      L.popup({ minWidth: 180 }).setLatLng(marker.getLatLng()).setContent(this.opts.listPopup(pts)).openOn(map);
    }
  }
}
