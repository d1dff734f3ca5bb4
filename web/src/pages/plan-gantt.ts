import { html } from 'htm/preact';
import type { Solution } from '../../../solver/problem.js';
import { t } from '../lib/i18n.js';

/**
 * A plan's timeline, one row per vehicle: travel, service, unloading and the break as bars on
 * one time axis (the plan day's local clock). Plain DOM with percentages: it is a picture of a
 * schedule, not a chart, and it scales to a phone without a library.
 */
export type Segment = 'travel' | 'wait' | 'service' | 'unload' | 'break';
const SEGMENTS: Segment[] = ['travel', 'service', 'unload', 'break', 'wait'];

/** Solver seconds from the plan day's midnight as local HH:MM (+1 past midnight). */
export function clockOf(s: number): string {
  const whole = Math.floor(Math.round(s * 1000) / 60_000);
  const day = Math.floor(whole / 1440);
  const min = whole - day * 1440;
  const hhmm = `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
  return day === 0 ? hhmm : `${hhmm}+${day}`;
}

export function segmentsOf(route: Solution['routes'][number]): Array<{ kind: Segment; fromS: number; toS: number }> {
  const out: Array<{ kind: Segment; fromS: number; toS: number }> = [];
  let prev: number | null = null;
  for (const s of route.stops) {
    if (prev !== null && s.arrivalS > prev) out.push({ kind: 'travel', fromS: prev, toS: s.arrivalS });
    if (s.startS > s.arrivalS && s.type !== 'start') out.push({ kind: 'wait', fromS: s.arrivalS, toS: s.startS });
    const kind: Segment | null = s.type === 'facility' ? 'unload' : s.type === 'break' ? 'break' : s.type === 'start' || s.type === 'end' ? null : 'service';
    if (kind && s.departureS > s.startS) out.push({ kind, fromS: s.startS, toS: s.departureS });
    prev = s.departureS;
  }
  return out;
}

export function Gantt(props: { routes: Solution['routes']; colors: Map<string, string> }) {
  const routes = props.routes.filter((r) => r.stops.length > 0);
  if (!routes.length) return null;
  const lo = Math.min(...routes.map((r) => r.stops[0]!.departureS));
  const hi = Math.max(...routes.map((r) => r.stops[r.stops.length - 1]!.arrivalS));
  const from = Math.floor(lo / 3600) * 3600, to = Math.ceil(hi / 3600) * 3600;
  const span = Math.max(3600, to - from);
  const pct = (s: number) => `${(((s - from) / span) * 100).toFixed(3)}%`;
  const step = span > 12 * 3600 ? 4 * 3600 : span > 6 * 3600 ? 2 * 3600 : 3600;
  const ticks: number[] = [];
  for (let s = from; s <= to; s += step) ticks.push(s);
  return html`<div class="gantt" id="plan-gantt">
    <ul class="gantt-legend" aria-label=${t('plans.gantt.legend')}>
      ${SEGMENTS.map((k) => html`<li key=${k}><span class=${`gantt-swatch g-${k}`} aria-hidden="true"></span>${t(`plans.gantt.${k}`)}</li>`)}
    </ul>
    <div class="gantt-row gantt-axis" aria-hidden="true">
      <span class="gantt-label"></span>
      <span class="gantt-track">${ticks.map((s) => html`<span key=${s} class="gantt-tick" style=${`left:${pct(s)}`}>${clockOf(s)}</span>`)}</span>
    </div>
    ${routes.map((r) => {
      const segs = segmentsOf(r);
      const first = r.stops[0]!, last = r.stops[r.stops.length - 1]!;
      const work = r.stops.filter((s) => s.type === 'job' || s.type === 'sweep' || s.type === 'muck').length;
      const unloads = r.stops.filter((s) => s.type === 'facility').length;
      const summary = t('plans.gantt.row', { vehicle: r.vehicleId, start: clockOf(first.departureS), end: clockOf(last.arrivalS), stops: work, unloads });
      return html`<div class="gantt-row" key=${r.vehicleId} data-vehicle=${r.vehicleId}>
        <span class="gantt-label"><span class="swatch" style=${`background:${props.colors.get(r.vehicleId)}`} aria-hidden="true"></span>${r.vehicleId}</span>
        <span class="gantt-track" role="img" aria-label=${summary}>
          ${segs.map((g, i) => html`<span key=${i} class=${`gantt-bar g-${g.kind}`} style=${`left:${pct(g.fromS)};width:${(((g.toS - g.fromS) / span) * 100).toFixed(3)}%`}
            title=${`${t(`plans.gantt.${g.kind}`)} ${clockOf(g.fromS)}–${clockOf(g.toS)}`}></span>`)}
        </span>
      </div>`;
    })}
  </div>`;
}
