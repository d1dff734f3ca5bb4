import type { VehicleState } from '../../../src/domain/vehicle-state.js';
import { classLabel, kindLabel, loadStates, motions } from './labels.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Formats epoch ms as wall time in the city's zone (the dispatcher's clock, not the browser's). */
export function cityTimeFormatter(timeZone: string): (ms: number) => string {
  const f = new Intl.DateTimeFormat('zh-CN', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  });
  return (ms) => f.format(new Date(ms));
}

export function popupHtml(s: VehicleState, formatTime: (ms: number) => string, timeZone: string): string {
  const rows: Array<[string, string]> = [
    ['车型 kind', kindLabel(s.kind)],
    ['类别 classes', s.wasteClasses.length ? s.wasteClasses.map(classLabel).join('、') : '—'],
    ['区域 district', s.district ?? '—'],
    ['状态 motion', motions[s.motion] ?? s.motion],
    ['速度 speed', s.latest ? `${s.latest.speedKmh.toFixed(0)} km/h` : '—'],
    ['最后定位 last fix', s.latest ? `${formatTime(s.latest.fixTimeMs)} (${timeZone})` : '无 none'],
    ['位置 position', s.latest ? `${s.latest.lat.toFixed(5)}, ${s.latest.lon.toFixed(5)}` : '—'],
    ['载重 load', s.loadState ? loadStates[s.loadState] : s.loadKg !== undefined ? `${Math.round(s.loadKg)} kg` : '—'],
    ['密闭 cover', s.coverClosed === undefined ? '—' : s.coverClosed ? '关闭 closed' : '打开 open'],
    ['今日里程 distance today', `${(s.distanceTodayM / 1000).toFixed(1)} km`],
  ];
  if (s.latest?.alarms.length) rows.push(['报警 alarms', s.latest.alarms.join(', ')]);
  const body = rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  return `<div class="vehicle-popup" data-vehicle-id="${escapeHtml(s.vehicleId)}"><h3>${escapeHtml(s.plate)}</h3><table>${body}</table></div>`;
}
