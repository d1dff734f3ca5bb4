import L from 'leaflet';
import { ApiError, request } from '../lib/api.js';

type RoadCollection = GeoJSON.FeatureCollection<GeoJSON.LineString, { name?: string; grade: number }> & {
  bbox?: unknown; zoom?: unknown; truncated?: boolean;
};

const ROAD_STYLE: Record<number, L.PathOptions> = {
  1: { color: '#78909c', weight: 5 },
  2: { color: '#90a4ae', weight: 3.5 },
  3: { color: '#b0bec5', weight: 2.5 },
  4: { color: '#cfd8dc', weight: 1.5 },
};

export interface RoadStats {
  features: number;
  truncated: boolean;
  /** 'viewport': the server cut the roads to the view; 'whole': it sent the whole network once. */
  mode: 'viewport' | 'whole';
}

/**
 * The city's own roads (no internet needed), asked for by viewport and zoom: after a pan
 * or zoom settles, the roads of the view plus a margin are fetched (`bbox`, `zoom`); at
 * low zoom the server sends the major roads only. A server that ignores the parameters
 * sends the whole network with the same ETag each time: then it is drawn once and
 * never asked again.
 */
export class RoadLayer {
  readonly layer = L.layerGroup();
  private map?: L.Map;
  private fetched?: { bounds: L.LatLngBounds; zoom: number; truncated: boolean };
  private etag?: string;
  private whole = false;
  private abort?: AbortController;
  private inflight?: string;
  private timer?: ReturnType<typeof setTimeout>;
  private readonly onMove = () => {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), 250);
  };
  stats?: RoadStats;

  constructor(private readonly onLoaded?: (stats: RoadStats) => void, private readonly onError?: (err: unknown) => void) {}

  /**
   * One multi-line per grade, not one layer per road: twenty thousand Leaflet layers take
   * seconds to build, four take milliseconds, and the canvas draws the same lines.
   * Minor grades first, so that major roads are drawn over them.
   */
  private draw(features: RoadCollection['features']): void {
    const byGrade = new Map<number, L.LatLngExpression[][]>();
    for (const f of features) {
      if (f.geometry?.type !== 'LineString') continue;
      const grade = ROAD_STYLE[f.properties?.grade] ? f.properties.grade : 4;
      let lines = byGrade.get(grade);
      if (!lines) byGrade.set(grade, (lines = []));
      lines.push(f.geometry.coordinates.map((c) => [c[1]!, c[0]!] as L.LatLngTuple));
    }
    this.layer.clearLayers();
    for (const grade of [4, 3, 2, 1]) {
      const lines = byGrade.get(grade);
      if (lines?.length) L.polyline(lines, { ...ROAD_STYLE[grade], interactive: false }).addTo(this.layer);
    }
  }

  addTo(map: L.Map): this {
    this.map = map;
    this.layer.addTo(map);
    map.on('moveend', this.onMove);
    return this;
  }

  remove(): void {
    this.map?.off('moveend', this.onMove);
    clearTimeout(this.timer);
    this.abort?.abort();
    this.layer.remove();
    this.map = undefined;
  }

  /** Fetches the roads of the current view unless what is drawn already covers it. */
  async refresh(): Promise<void> {
    const map = this.map;
    if (!map || this.whole) return;
    const zoom = Math.round(map.getZoom());
    const view = map.getBounds();
    const f = this.fetched;
    // The server picks the grades by zoom, so a new zoom asks again; a pan inside the margin does not.
    if (f && f.bounds.contains(view) && f.zoom === zoom) return;
    const want = view.pad(0.5);
    const bbox = [want.getWest(), want.getSouth(), want.getEast(), want.getNorth()].map((x) => x.toFixed(5)).join(',');
    // The same view asked twice in a row (a move event right after the first call) is one request.
    const key = `${bbox}@${zoom}`;
    if (this.inflight === key) return;
    this.inflight = key;
    this.abort?.abort();
    const ac = new AbortController();
    this.abort = ac;
    let res: { status: number; body: RoadCollection; headers: Headers };
    try {
      res = await request<RoadCollection>('GET', `/api/v1/map/roads?bbox=${bbox}&zoom=${zoom}`, { signal: ac.signal });
    } catch (err) {
      if (this.inflight === key) this.inflight = undefined;
      if ((err as Error).name === 'AbortError') return;
      if (err instanceof ApiError && err.status === 400 && this.fetched === undefined) {
        // A server that refuses the parameters: ask for the whole network once.
        this.whole = true;
        res = await request<RoadCollection>('GET', '/api/v1/map/roads').catch((e) => {
          this.onError?.(e);
          throw e;
        });
      } else {
        this.onError?.(err);
        return;
      }
    }
    if (this.inflight === key) this.inflight = undefined;
    if (ac.signal.aborted) return;
    const body = res.body;
    const etag = res.headers.get('etag') ?? undefined;
    const viewportAware = body && ('bbox' in body || 'zoom' in body || 'truncated' in body);
    // The same ETag for a different view means the server sent the whole network again.
    if (!viewportAware && etag && etag === this.etag) {
      this.whole = true;
      return;
    }
    this.etag = etag;
    this.fetched = { bounds: want, zoom, truncated: !!body.truncated };
    this.draw(body.features);
    this.stats = { features: body.features.length, truncated: !!body.truncated, mode: viewportAware ? 'viewport' : 'whole' };
    this.onLoaded?.(this.stats);
  }
}

