import type { Evidence } from './evidence.js';

/**
 * The evidence chain of one incident as a printable page (A4, no script, no external
 * resource): the same facts as the GeoJSON export — the incident, the thresholds in force,
 * a drawing of the track against the corridor, zone or facility, the status series per fix
 * and the officers' log. Labels are bilingual (Chinese / English): the record is filed and
 * may be read by either.
 */
const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const typeNames: Record<string, string> = {
  off_route: '偏离路线 Off route', outside_hours: '未按规定时段 Outside permitted hours', uncovered: '未密闭 Uncovered while loaded',
  spill: '遗撒 Spill', illegal_dumping: '非法倾倒 Illegal dumping', speeding: '超速 Speeding',
  restricted_zone: '闯禁区 Restricted zone', no_permit: '无证运输 No permit', wrong_site: '未按指定地点消纳 Wrong disposal site',
  missed_collection: '漏收 Missed collection', sweeping_gap: '漏扫 Street not swept by its deadline',
};

type Pos = [number, number];

function collectPositions(g: { type: string; coordinates: unknown }): Pos[] {
  const out: Pos[] = [];
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') out.push([c[0] as number, c[1] as number]);
    else if (Array.isArray(c)) for (const x of c) visit(x);
  };
  visit(g.coordinates);
  return out;
}

/** An SVG drawing in a local equirectangular projection (fine at the scale of one incident). */
function drawing(ev: Evidence, widthPx = 640, heightPx = 420): string {
  const all = ev.features.flatMap((f) => collectPositions(f.geometry));
  if (all.length === 0) return '<p>无位置 No positions</p>';
  const lat0 = all.reduce((s, p) => s + p[1], 0) / all.length;
  const kx = Math.cos((lat0 * Math.PI) / 180);
  const xs = all.map((p) => p[0] * kx);
  const ys = all.map((p) => p[1]);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const span = Math.max(maxX - minX, maxY - minY, 1e-6);
  const pad = 16;
  const scale = Math.min((widthPx - 2 * pad) / Math.max(maxX - minX, span * 0.2), (heightPx - 2 * pad) / Math.max(maxY - minY, span * 0.2));
  const px = (p: Pos): string => `${(pad + (p[0] * kx - minX) * scale).toFixed(1)},${(heightPx - pad - (p[1] - minY) * scale).toFixed(1)}`;
  const parts: string[] = [];
  for (const f of ev.features) {
    const k = f.properties.kind;
    if (f.geometry.type === 'Polygon') {
      const rings = f.geometry.coordinates as Pos[][];
      const fill = k === 'corridor' ? '#ffcc80' : k === 'zone' ? '#ef9a9a' : '#c5e1a5';
      parts.push(`<path d="${rings.map((r) => `M${r.map(px).join('L')}Z`).join('')}" fill="${fill}" fill-opacity="0.5" stroke="#555" stroke-width="1"/>`);
    } else if (f.geometry.type === 'Point' && (k === 'facility' || k === 'site' || k === 'collection_point')) {
      const [x, y] = px(f.geometry.coordinates as Pos).split(',');
      parts.push(`<circle cx="${x}" cy="${y}" r="6" fill="${k === 'collection_point' ? '#6a1b9a' : '#558b2f'}"/>`);
    } else if (f.geometry.type === 'LineString' && k === 'street') {
      // the street not swept, under the track: the track's line runs along it where the vehicle went
      parts.push(`<polyline points="${(f.geometry.coordinates as Pos[]).map(px).join(' ')}" fill="none" stroke="#6a1b9a" stroke-opacity="0.5" stroke-width="8"/>`);
    }
  }
  for (const f of ev.features) {
    if (f.properties.kind === 'track' && f.geometry.type === 'LineString') {
      parts.push(`<polyline points="${(f.geometry.coordinates as Pos[]).map(px).join(' ')}" fill="none" stroke="#1565c0" stroke-width="2"/>`);
    }
  }
  for (const f of ev.features) {
    if (f.properties.kind === 'fix' && f.properties.involved) {
      const [x, y] = px(f.geometry.coordinates as Pos).split(',');
      parts.push(`<circle cx="${x}" cy="${y}" r="3" fill="#c62828"/>`);
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" viewBox="0 0 ${widthPx} ${heightPx}" role="img" aria-label="track and area">${parts.join('')}</svg>`;
}

/** A spill report's ranked trucks (spill-match.ts explains the score). */
function candidatesSection(candidates: unknown): string {
  if (!Array.isArray(candidates)) return '';
  const body = candidates.map((c: Record<string, any>, i) => `<tr><td>${i + 1}</td><td>${esc(c.plate ?? '')} (${esc(c.vehicleId)})</td><td>${esc(c.contractor ?? '—')}</td><td>${esc(c.score)}</td><td>${esc(c.distanceM)}</td><td>${esc(c.passAt)}</td><td>${c.loadedAtPass ? '●' : ''}</td><td>${c.coverOpenNearPass ? '●' : ''}</td><td>${esc(c.loadDropKg)}${c.loadStateStepDown ? ' ↓' : ''}</td></tr>`).join('');
  return `<h2>经过车辆 Trucks that passed (${candidates.length})</h2>
<table><thead><tr><th>#</th><th>车辆 Vehicle</th><th>企业 Contractor</th><th>可能性 Score</th><th>距离 m</th><th>经过 Pass</th><th>重车 Loaded</th><th>未密闭 Cover open</th><th>载重下降 Drop kg</th></tr></thead><tbody>${body || '<tr><td colspan="9">无 none</td></tr>'}</tbody></table>`;
}

const yesNo = (v: boolean | null): string => (v === null || v === undefined ? '—' : v ? '是 yes' : '否 no');

export function evidencePageHtml(ev: Evidence, timeZone: string): string {
  const inc = ev.properties.incident;
  const local = (isoTime: string | undefined): string => (isoTime
    ? `${new Date(isoTime).toLocaleString('zh-CN', { timeZone, hour12: false })} (${isoTime})` : '—');
  const rows = (pairs: Array<[string, unknown]>): string => pairs.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('');
  const v = ev.properties.vehicle;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>执法全过程记录 Evidence ${esc(inc.id)}</title>
<style>
body{font:12px/1.4 system-ui,"Noto Sans CJK SC",sans-serif;margin:16px;color:#111}
h1{font-size:18px;margin:0 0 8px}h2{font-size:14px;margin:16px 0 4px;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:2px 4px;text-align:left;vertical-align:top}
th[scope=row]{width:30%;background:#f3f3f3}tr.involved td{background:#ffebee}
@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}
</style></head><body>
<h1>执法全过程记录 Evidence record — ${esc(typeNames[inc.type] ?? inc.type)}</h1>
<h2>事件 Incident</h2>
<table>${rows([
    ['编号 Id', inc.id], ['类型 Type', typeNames[inc.type] ?? inc.type],
    ['车辆 Vehicle', v ? `${v.plate ?? ''} (${v.id})` : inc.vehicleId ?? '—'], ['运输企业 Contractor', inc.contractor ?? v?.contractor ?? '—'],
    ['准运证 Permit', inc.permitId ?? '—'], ['区域 Zone', inc.zoneId ?? '—'],
    ['开始 Start', local(inc.startAt)], ['结束 End', local(inc.endAt)], ['级别 Level', inc.level],
    ['状态 Status', inc.status], ['处置 Disposition', inc.disposition ?? '—'], ['指派 Assigned to', inc.assignedTo ?? '—'],
  ])}</table>
${candidatesSection(inc.details.candidates)}
<h2>阈值 Thresholds in force</h2>
<table>${rows(Object.entries(ev.properties.thresholds))}</table>
<h2>详情 Details</h2>
<table>${rows(Object.entries(inc.details).filter(([k]) => k !== 'candidates').map(([k, val]) => [k, typeof val === 'object' ? JSON.stringify(val) : val]))}</table>
<h2>轨迹 Track (${esc(local(ev.properties.window.from))} – ${esc(local(ev.properties.window.to))}; 红点 red: fixes involved)</h2>
${drawing(ev)}
<h2>状态序列 Status series (${ev.properties.statusSeries.length} fixes, ${ev.properties.fixesInvolved} involved${ev.properties.truncated ? ', thinned' : ''})</h2>
<table><thead><tr><th>时间 Time</th><th>速度 km/h</th><th>装载 Load</th><th>载重 kg</th><th>密闭 Cover closed</th><th>举升 Body lifted</th><th>涉及 Involved</th></tr></thead><tbody>
${ev.properties.statusSeries.map((s) => `<tr${s.involved ? ' class="involved"' : ''}><td>${esc(local(s.fixTime))}${s.implausible ? ' ⚠' : ''}</td><td>${esc(s.speedKmh?.toFixed?.(1) ?? s.speedKmh)}</td><td>${esc(s.loadState ?? '—')}</td><td>${esc(s.loadKg ?? '—')}</td><td>${yesNo(s.coverClosed)}</td><td>${yesNo(s.bodyLifted)}</td><td>${s.involved ? '●' : ''}</td></tr>`).join('\n')}
</tbody></table>
<h2>处置记录 Officers' log</h2>
<table><thead><tr><th>时间 When</th><th>人员 Who</th><th>操作 Action</th><th>处置 Disposition</th><th>指派 Assigned</th><th>备注 Note</th></tr></thead><tbody>
${ev.properties.log.map((e) => `<tr><td>${esc(local(e.at))}</td><td>${esc(e.actor)}</td><td>${esc(e.action)}</td><td>${esc(e.disposition ?? '')}</td><td>${esc(e.assignedTo ?? '')}</td><td>${esc(e.note ?? '')}</td></tr>`).join('\n')}
</tbody></table>
</body></html>`;
}
