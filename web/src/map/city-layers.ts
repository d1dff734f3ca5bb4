import L from 'leaflet';
import type { CollectionPoint, ConstructionSite, Depot, Facility, Permit, RestrictedZone } from '../../../src/domain/model.js';
import { ApiError, listAll } from '../lib/api.js';
import { formatNumber, formatUnit, t } from '../lib/i18n.js';
import { classColour, classLabel, facilityKindLabel, facilityKinds, kindLabel, wasteClasses } from '../lib/labels.js';
import { ClusterLayer } from './cluster-layer.js';
import { escapeHtml } from './html.js';

/**
 * The city's records on the map, each a layer the user switches: depots, facilities by
 * kind, collection points by class (clustered), construction sites, permit corridors
 * drawn as their buffered area, restricted zones. A role that may not read a record
 * kind (a driver and collection points) simply has that layer empty.
 */
export interface CityData {
  depots: Depot[];
  facilities: Facility[];
  points: CollectionPoint[];
  sites: ConstructionSite[];
  permits: Permit[];
  zones: RestrictedZone[];
}

async function readable<T>(path: string): Promise<T[]> {
  try {
    return await listAll<T>(path);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 403 || err.status === 404)) return [];
    throw err;
  }
}

/**
 * The city's records in two steps. `frame` answers first, from the small lists (depots,
 * facilities), so the map can be framed and its roads asked for; the larger lists are
 * asked for once `restAfter` settles (the roads drawn), so that they do not queue in
 * front of the roads on the server.
 */
export function loadCityData(restAfter: Promise<unknown>): { frame: Promise<L.LatLngBounds | undefined>; all: Promise<CityData> } {
  const depots = readable<Depot>('/api/v1/depots');
  const facilities = readable<Facility>('/api/v1/facilities');
  const rest = restAfter.catch(() => undefined).then(() => Promise.all([
    readable<CollectionPoint>('/api/v1/collection-points'), readable<ConstructionSite>('/api/v1/construction-sites'),
    readable<Permit>('/api/v1/permits'), readable<RestrictedZone>('/api/v1/restricted-zones'),
  ] as const));
  const all = Promise.all([depots, facilities, rest]).then(([d, f, [points, sites, permits, zones]]) => ({ depots: d, facilities: f, points, sites, permits, zones }));
  const frame = Promise.all([depots, facilities]).then(async ([d, f]) => {
    const pts = [...d, ...f].map((x) => latLngOf(x.location));
    if (pts.length) return L.latLngBounds(pts);
    // No depot or facility: frame by whatever else the city has.
    const rest = await all;
    const more = [...rest.points, ...rest.sites].map((x) => latLngOf(x.location));
    return more.length ? L.latLngBounds(more) : undefined;
  });
  return { frame, all };
}

export type LayerKey = 'roads' | 'vehicles' | 'depots' | 'sites' | 'corridors' | 'zones' | 'incidents' | `facility:${string}` | `points:${string}`;

/** Point classes that collection points use (construction waste goes to sites, not bins). */
export const pointClasses = wasteClasses.filter((c) => c.id !== 'construction');

export function defaultLayers(): Record<string, boolean> {
  const on: Record<string, boolean> = { roads: true, vehicles: true, depots: true, sites: true, corridors: true, zones: true, incidents: true };
  for (const f of facilityKinds) on[`facility:${f.id}`] = true;
  for (const c of pointClasses) on[`points:${c.id}`] = true;
  return on;
}

const windows = (ws: Array<{ from: string; to: string }>) => ws.map((w) => `${w.from}–${w.to}`).join(', ');

function popup(title: string, rows: Array<[string, string]>): string {
  return `<div class="record-popup"><h3>${escapeHtml(title)}</h3><table>${rows
    .map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table></div>`;
}

function pinIcon(cls: string, glyph: string, colour: string, label: string): L.DivIcon {
  return L.divIcon({
    className: `city-pin ${cls}`,
    html: `<span class="pin-face" style="background:${colour}" role="img" aria-label="${escapeHtml(label)}">${escapeHtml(glyph)}</span>`,
    iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -10],
  });
}

const latLngOf = (p: { coordinates: number[] }): L.LatLngTuple => [p.coordinates[1]!, p.coordinates[0]!];

export class CityLayers {
  private readonly groups = new Map<string, L.LayerGroup>();
  private readonly points: ClusterLayer<CollectionPoint>;
  private pointClassesOn = new Set<string>(pointClasses.map((c) => c.id));
  private data?: CityData;
  private map?: L.Map;

  constructor() {
    this.points = new ClusterLayer<CollectionPoint>({
      radiusPx: 44,
      keyOf: (p) => p.id,
      latLng: (p) => latLngOf(p.location),
      makeMarker: (p) => L.marker(latLngOf(p.location), {
        icon: L.divIcon({ className: 'point-marker', html: `<span class="point-dot" style="background:${classColour(p.wasteClass)}"></span>`, iconSize: [14, 14], iconAnchor: [7, 7] }),
        title: p.name, alt: p.name, keyboard: true,
      }).bindPopup(() => popup(p.name, [
        [t('record.wasteClass'), classLabel(p.wasteClass)],
        [t('record.district'), p.district ?? t('filters.unassigned')],
        [t('record.expectedKgPerDay'), formatUnit(p.expectedKgPerDay, 'kilogram')],
        [t('record.visitsPerDay'), formatNumber(p.visitsPerDay ?? 1)],
        [t('record.windows'), p.windows?.length ? windows(p.windows) : t('record.cityWindows')],
      ])),
      updateMarker: () => undefined,
      clusterIcon: (_leaves, count) => {
        const size = count < 10 ? 24 : count < 100 ? 28 : 34;
        return L.divIcon({ className: 'point-cluster', html: `<span class="cluster-bubble points" title="${escapeHtml(t('map.pointCluster', { count }))}">${formatNumber(count)}</span>`, iconSize: [size, size], iconAnchor: [size / 2, size / 2] });
      },
      listPopup: (pts) => {
        const box = document.createElement('div');
        box.className = 'cluster-list';
        box.innerHTML = `<h3>${escapeHtml(t('map.pointsHere', { count: pts.length }))}</h3><ul>${pts.map((p) => `<li>${escapeHtml(p.name)} · ${escapeHtml(classLabel(p.wasteClass))}</li>`).join('')}</ul>`;
        return box;
      },
    });
  }

  /**
   * Builds every layer from the records (call again after records change). Permit
   * corridors need turf's buffer, loaded on first use: they are drawn when it arrives
   * (the returned promise), without holding up the rest of the map.
   */
  setData(data: CityData): Promise<void> {
    this.data = data;
    const group = (key: string) => {
      let g = this.groups.get(key);
      if (!g) {
        g = L.layerGroup();
        this.groups.set(key, g);
      } else {
        g.clearLayers();
      }
      return g;
    };
    const depots = group('depots');
    for (const d of data.depots) {
      L.marker(latLngOf(d.location), { icon: pinIcon('depot', '⌂', '#37474f', t('layers.depots')), title: d.name, alt: d.name, keyboard: true })
        .bindPopup(popup(d.name, [[t('record.type'), t('layers.depot')], [t('record.district'), d.district ?? t('filters.unassigned')]]))
        .addTo(depots);
    }
    for (const k of facilityKinds) group(`facility:${k.id}`);
    for (const f of data.facilities) {
      const k = facilityKinds.find((x) => x.id === f.kind) ?? facilityKinds[0]!;
      // The fence, when the city gave one: where "inside the facility" is judged.
      if (f.outline) {
        L.geoJSON(f.outline, { style: { color: k.colour, weight: 1.5, fillOpacity: 0.12, className: 'facility-outline' }, interactive: false })
          .addTo(this.groups.get(`facility:${f.kind}`)!);
      }
      L.marker(latLngOf(f.location), { icon: pinIcon('facility', k.glyph, k.colour, facilityKindLabel(f.kind)), title: f.name, alt: f.name, keyboard: true })
        .bindPopup(popup(f.name, [
          [t('record.kind'), facilityKindLabel(f.kind)],
          [t('record.acceptedClasses'), f.acceptedClasses.length ? f.acceptedClasses.map(classLabel).join(t('common.listSeparator')) : '—'],
          [t('record.openingHours'), windows(f.openingHours)],
          [t('record.dailyCapacity'), formatUnit(f.dailyCapacityKg, 'kilogram')],
          [t('record.district'), f.district ?? t('filters.unassigned')],
        ]))
        .addTo(this.groups.get(`facility:${f.kind}`)!);
    }
    const sites = group('sites');
    for (const s of data.sites) {
      if (s.area) L.geoJSON(s.area, { style: { color: '#8d6e63', weight: 1.5, fillOpacity: 0.15 }, interactive: false }).addTo(sites);
      L.marker(latLngOf(s.location), { icon: pinIcon('site', '▲', '#8d6e63', t('layers.sites')), title: s.name, alt: s.name, keyboard: true })
        .bindPopup(popup(s.name, [[t('record.type'), t('layers.site')], [t('record.district'), s.district ?? t('filters.unassigned')]]))
        .addTo(sites);
    }
    const zones = group('zones');
    for (const z of data.zones) {
      L.geoJSON(z.area, { style: { color: '#c62828', weight: 2, dashArray: '6 4', fillColor: '#e53935', fillOpacity: 0.12 } })
        .bindPopup(popup(z.name, [
          [t('record.mode'), t(`zoneMode.${z.mode ?? 'ban'}`)],
          [t('record.vehicleKinds'), z.vehicleKinds.map(kindLabel).join(t('common.listSeparator'))],
          [t('record.hours'), z.hours?.length ? windows(z.hours) : t('record.allDay')],
          ...(z.speedLimitKmh ? [[t('record.speedLimit'), formatUnit(z.speedLimitKmh, 'kilometer-per-hour')] as [string, string]] : []),
        ]))
        .addTo(zones);
    }
    const corridors = group('corridors');
    this.points.setPoints(this.visiblePoints());
    return data.permits.length ? this.drawCorridors(data.permits, corridors) : Promise.resolve();
  }

  private async drawCorridors(permits: Permit[], corridors: L.LayerGroup): Promise<void> {
    {
      // turf's buffer is large: loaded only when a city has permits to draw.
      const { default: buffer } = await import('@turf/buffer');
      for (const p of permits) {
        const area = buffer({ type: 'Feature', properties: {}, geometry: p.corridor.line }, p.corridor.widthM / 2, { units: 'meters' });
        const info = popup(p.number, [
          [t('record.hours'), windows([p.hours])],
          [t('record.corridorWidth'), formatUnit(p.corridor.widthM, 'meter')],
          [t('record.valid'), `${p.validFrom} – ${p.validTo}`],
          [t('record.loadsPerDay'), formatNumber(p.loadsPerDay)],
        ]);
        if (area) L.geoJSON(area, { style: { color: '#ef6c00', weight: 1, fillColor: '#ffa726', fillOpacity: 0.25 } }).bindPopup(info).addTo(corridors);
        L.geoJSON(p.corridor.line, { style: { color: '#e65100', weight: 1.5, dashArray: '4 4' }, interactive: false }).addTo(corridors);
      }
    }
  }

  private visiblePoints(): CollectionPoint[] {
    return (this.data?.points ?? []).filter((p) => this.pointClassesOn.has(p.wasteClass));
  }

  addTo(map: L.Map, on: Record<string, boolean>): void {
    this.map = map;
    this.apply(on);
  }

  /** Shows exactly the ticked layers. */
  apply(on: Record<string, boolean>): void {
    const map = this.map;
    if (!map) return;
    for (const [key, g] of this.groups) {
      if (on[key] && !map.hasLayer(g)) g.addTo(map);
      if (!on[key] && map.hasLayer(g)) g.remove();
    }
    this.pointClassesOn = new Set(pointClasses.filter((c) => on[`points:${c.id}`]).map((c) => c.id));
    const anyPoints = this.pointClassesOn.size > 0 && (this.data?.points.length ?? 0) > 0;
    if (anyPoints && !this.points.visible) this.points.addTo(map);
    if (!anyPoints && this.points.visible) this.points.remove();
    this.points.setPoints(this.visiblePoints());
  }

  remove(): void {
    this.points.remove();
    for (const g of this.groups.values()) g.remove();
    this.map = undefined;
  }

  /** The extent of the city's fixed records (depots, facilities, points, sites). */
  bounds(): L.LatLngBounds | undefined {
    const d = this.data;
    if (!d) return undefined;
    const pts: L.LatLngTuple[] = [
      ...d.depots.map((x) => latLngOf(x.location)), ...d.facilities.map((x) => latLngOf(x.location)),
      ...d.points.map((x) => latLngOf(x.location)), ...d.sites.map((x) => latLngOf(x.location)),
    ];
    return pts.length ? L.latLngBounds(pts) : undefined;
  }

  counts(): Record<string, number> {
    const d = this.data;
    const c: Record<string, number> = {};
    if (!d) return c;
    c.depots = d.depots.length;
    c.sites = d.sites.length;
    c.corridors = d.permits.length;
    c.zones = d.zones.length;
    for (const k of facilityKinds) c[`facility:${k.id}`] = d.facilities.filter((f) => f.kind === k.id).length;
    for (const k of pointClasses) c[`points:${k.id}`] = d.points.filter((p) => p.wasteClass === k.id).length;
    return c;
  }
}
