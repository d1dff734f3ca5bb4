import L from 'leaflet';
import { io, type Socket } from 'socket.io-client';
import type { VehicleState } from '../../src/domain/vehicle-state.js';
import type { LiveFilter } from '../../src/live/scope.js';
import { forgetToken, getJson, HttpError, initialToken, storeToken } from './lib/api.js';
import { classColour, kinds, wasteClasses } from './lib/labels.js';
import { VehicleMarkers } from './lib/markers.js';
import { VehicleList } from './lib/vehicle-list.js';
import { cityTimeFormatter } from './lib/vehicle-popup.js';

/** The dispatch page: our roads (no internet needed), live vehicles over socket.io, filters. */
interface MapConfig {
  tileUrl?: string;
  attribution: string;
  city: string;
  timeZone: string;
  districts: string[];
}

type RoadCollection = GeoJSON.FeatureCollection<GeoJSON.LineString, { name?: string; grade: number }>;

// Shown even if the configuration cannot be read: our roads are OpenStreetMap data.
const OSM_ATTRIBUTION = 'Map data © OpenStreetMap contributors, ODbL';
const ROAD_STYLE: Record<number, L.PathOptions> = {
  1: { color: '#78909c', weight: 5 },
  2: { color: '#90a4ae', weight: 3.5 },
  3: { color: '#b0bec5', weight: 2.5 },
  4: { color: '#cfd8dc', weight: 1.5 },
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const statusEl = $('status');
const countEl = $('vehicle-count');
const tokenForm = $<HTMLFormElement>('token-form');
const tokenInput = $<HTMLInputElement>('token');

const map = L.map('map', { preferCanvas: true, zoomSnap: 0.25 }).setView([31.23, 121.47], 13);
map.attributionControl.addAttribution(OSM_ATTRIBUTION);

let socket: Socket | undefined;
let roadsLayer: L.GeoJSON | undefined;
let tileLayer: L.TileLayer | undefined;
let markers: VehicleMarkers | undefined;
const vehicleList = new VehicleList($('vehicle-list'), (id) => {
  if (!markers?.focus(id, map)) setStatus('此车暂无定位 this vehicle has no fix yet', 'warn');
});
let fitted = false;

function setStatus(text: string, kind: 'ok' | 'warn' | 'error'): void {
  statusEl.textContent = text;
  statusEl.className = `status status-${kind}`;
}

function showCount(): void {
  if (!markers) return;
  const lastUpdate = new Date().toLocaleTimeString('zh-CN', { hour12: false });
  countEl.textContent = `${markers.count} 辆车 vehicles · ${markers.positionedCount} 有定位 with a fix · 更新 updated ${lastUpdate}`;
}

function askForToken(message: string): void {
  setStatus(message, 'error');
  tokenForm.classList.add('needs-token');
  tokenInput.focus();
}

tokenForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const token = tokenInput.value.trim();
  if (!token) return;
  storeToken(token);
  tokenInput.value = '';
  void start(token);
});
$('forget-token').addEventListener('click', () => {
  forgetToken();
  socket?.close();
  askForToken('已退出 signed out — 请输入令牌 enter a token');
});

function checkboxGroup(containerId: string, name: string, items: Array<{ id: string; label: string; swatch: string; ring?: boolean }>): void {
  const box = $(containerId);
  box.replaceChildren(...items.map((item) => {
    const label = document.createElement('label');
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.checked = true;
    input.name = name;
    input.value = item.id;
    input.addEventListener('change', () => scheduleFilter());
    const swatch = document.createElement('span');
    swatch.className = item.ring ? 'swatch swatch-ring' : 'swatch';
    swatch.style.setProperty(item.ring ? 'border-color' : 'background', item.swatch);
    label.append(input, swatch, document.createTextNode(item.label));
    return label;
  }));
}

/** A group with every box ticked imposes nothing (vehicles without a district or class stay in). */
function groupValue(name: string): string[] | undefined {
  const inputs = [...document.querySelectorAll<HTMLInputElement>(`input[name="${name}"]`)];
  if (inputs.every((i) => i.checked)) return undefined;
  return inputs.filter((i) => i.checked).map((i) => i.value);
}

function currentFilter(): LiveFilter {
  const filter: LiveFilter = {};
  const kind = groupValue('kind');
  const wasteClass = groupValue('wasteClass');
  const district = groupValue('district');
  if (kind) filter.kind = kind as LiveFilter['kind'];
  if (wasteClass) filter.wasteClass = wasteClass as LiveFilter['wasteClass'];
  if (district) filter.district = district;
  return filter;
}

// Ticking several boxes in a row makes one filter change, not one per click.
let filterTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleFilter(): void {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(sendFilter, 250);
}

function sendFilter(): void {
  if (!socket) return;
  const filter = currentFilter();
  // Reconnects hand the same filter over in the handshake.
  socket.auth = { ...(socket.auth as object), filter };
  if (socket.connected) {
    socket.emit('subscribe', filter, (ack: { ok?: boolean; error?: string }) => {
      if (!ack?.ok) setStatus(`筛选失败 filter refused: ${ack?.error ?? '?'}`, 'warn');
    });
  }
}

async function start(token: string): Promise<void> {
  tokenForm.classList.remove('needs-token');
  setStatus('加载地图 loading map…', 'warn');
  let config: MapConfig;
  let roads: RoadCollection;
  try {
    [config, roads] = await Promise.all([
      getJson<MapConfig>('/api/v1/map/config', token),
      getJson<RoadCollection>('/api/v1/map/roads', token),
    ]);
  } catch (err) {
    if (err instanceof HttpError && (err.status === 401 || err.status === 403)) {
      askForToken(err.status === 401 ? '令牌无效 invalid token' : '无权查看地图 this token may not view the map');
    } else {
      setStatus(`地图加载失败 map failed to load: ${(err as Error).message}`, 'error');
    }
    return;
  }

  document.title = `${config.city} · 调度地图 Dispatch map`;
  $('city-name').textContent = config.city;
  tileLayer?.remove();
  if (config.tileUrl) tileLayer = L.tileLayer(config.tileUrl, { maxZoom: 19 }).addTo(map);
  if (config.attribution !== OSM_ATTRIBUTION) map.attributionControl.addAttribution(config.attribution);

  roadsLayer?.remove();
  roadsLayer = L.geoJSON(roads, {
    style: (f) => ROAD_STYLE[f?.properties.grade ?? 4] ?? ROAD_STYLE[4]!,
    onEachFeature: (f, layer) => {
      if (f.properties.name) layer.bindTooltip(`${f.properties.name} · ${f.properties.grade} 级 grade ${f.properties.grade}`, { sticky: true });
    },
  }).addTo(map);
  const roadBounds = roadsLayer.getBounds();
  if (roadBounds.isValid()) {
    map.fitBounds(roadBounds, { padding: [12, 12] });
    fitted = true;
  }

  checkboxGroup('filter-kind', 'kind', kinds.map((k) => ({ id: k.id, label: `${k.zh} ${k.en}`, swatch: k.colour })));
  checkboxGroup('filter-class', 'wasteClass', wasteClasses.map((c) => ({ id: c.id, label: `${c.zh} ${c.en}`, swatch: classColour(c.id), ring: true })));
  checkboxGroup('filter-district', 'district', config.districts.map((d) => ({ id: d, label: d, swatch: '#eceff1' })));

  markers?.layer.remove();
  markers = new VehicleMarkers(cityTimeFormatter(config.timeZone), config.timeZone);
  markers.layer.addTo(map);
  connect(token);
}

function connect(token: string): void {
  socket?.close();
  setStatus('连接中 connecting…', 'warn');
  const s = io({ auth: { token, filter: currentFilter() }, transports: ['websocket', 'polling'] });
  socket = s;
  s.on('connect', () => setStatus('实时 live', 'ok'));
  s.on('disconnect', (reason) => {
    setStatus(`已断开 disconnected (${reason})`, 'warn');
    // The server hung up (token revoked, instance restarting): socket.io does not retry
    // that on its own; a new handshake either resumes or says why not.
    if (reason === 'io server disconnect') setTimeout(() => s.connect(), 1000);
  });
  s.on('connect_error', (err) => {
    if (err.message === 'unauthorized' || err.message === 'forbidden') {
      s.close();
      askForToken(err.message === 'unauthorized' ? '令牌无效 invalid token' : '此令牌无实时视图 this token has no live view');
    } else {
      setStatus(`连接失败，重试中 cannot connect, retrying (${err.message})`, 'warn');
    }
  });
  s.on('fleet:snapshot', (states: VehicleState[]) => {
    markers?.replaceAll(states);
    vehicleList.replaceAll(states);
    if (!fitted) {
      const b = markers?.bounds();
      if (b) map.fitBounds(b.pad(0.2));
      fitted = true;
    }
    showCount();
  });
  s.on('fleet:update', (batch: VehicleState[]) => {
    for (const state of batch) {
      markers?.upsert(state);
      vehicleList.upsert(state);
    }
    showCount();
  });
}

const token = initialToken();
if (token) void start(token);
else askForToken('请输入 API 令牌 enter an API token');
