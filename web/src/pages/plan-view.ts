import { html } from 'htm/preact';
import L from 'leaflet';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Socket } from 'socket.io-client';
import type { Solution } from '../../../solver/problem.js';
import type { PlanGeometry, RouteFeature, StopFeature } from '../../../src/planning/plan-geometry.js';
import type { PlanDetail } from '../../../src/planning/plan-store.js';
import { NOT_ROUTED } from '../../../src/planning/plan-model.js';
import type { ReplanRecord } from '../../../src/planning/replan.js';
import { errorText, getJson, sendJson } from '../lib/api.js';
import { cityDate, cityWallString, cityWallToMs } from '../lib/city-time.js';
import { useCity } from '../lib/hooks.js';
import { formatNumber, formatUnit, hasKey, t } from '../lib/i18n.js';
import { classLabel } from '../lib/labels.js';
import { createMap } from '../map/base.js';
import { RouteLayer } from '../map/route-layer.js';
import { Gantt } from './plan-gantt.js';
import { JobProgress, statusLabel, useJobWatch } from './plan-job-watch.js';

/**
 * One plan on the dispatcher's page: its figures and validator report, the buttons its status
 * allows (publish / start / close, re-plan), the routes on the map (a colour per vehicle, its
 * stops numbered, along the roads), a timeline per vehicle, the unserved items with reasons,
 * and for a re-planned version the difference from the plan it re-planned.
 */
type PlanWithRoutes = Omit<PlanDetail, 'geometry'> & { routes: PlanGeometry | null; solution: Solution | null };

// distinct on a white map and from each other (Tableau 10 + 2), dark enough for 3:1 against white
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#ff7f0e', '#393b79', '#637939'];

export function vehicleColors(vehicleIds: string[]): Map<string, string> {
  return new Map([...vehicleIds].sort().map((v, i) => [v, PALETTE[i % PALETTE.length]!]));
}

function PlanMap(props: { plan: PlanWithRoutes; colors: Map<string, string> }) {
  const el = useRef<HTMLDivElement>(null);
  const city = useCity();
  useEffect(() => {
    const map = createMap(el.current!, city);
    const features = props.plan.routes?.features ?? [];
    const routes = features.filter((f): f is RouteFeature => f.properties.kind === 'route');
    const stops = features.filter((f): f is StopFeature => f.properties.kind === 'stop');
    const bounds = L.latLngBounds([]);
    const layers: RouteLayer[] = [];
    for (const r of routes) {
      const v = r.properties.vehicleId;
      const layer = new RouteLayer((seq) => t('plans.stopLabel', { vehicle: v, seq }), { color: props.colors.get(v), frame: false }).addTo(map);
      layer.show(map, {
        plan: { id: props.plan.id }, route: { path: { coordinates: r.geometry.coordinates } }, nextSeq: null,
        stops: stops.filter((s) => s.properties.vehicleId === v && s.properties.type !== 'start' && s.properties.type !== 'end')
          .map((s) => ({ seq: s.properties.seq, location: { lon: s.geometry.coordinates[0], lat: s.geometry.coordinates[1] } })),
      });
      for (const c of r.geometry.coordinates) bounds.extend([c[1], c[0]]);
      layers.push(layer);
    }
    if (bounds.isValid()) map.fitBounds(bounds.pad(0.05), { animate: false });
    return () => {
      layers.forEach((l) => l.remove());
      map.remove();
    };
  }, [props.plan.id]);
  return html`<div class="plan-map"><div id="map" ref=${el}></div></div>`;
}

function Figures({ plan }: { plan: PlanWithRoutes }) {
  const f = plan.figures;
  if (!f) return null;
  const rows: Array<[string, string, string]> = [
    ['vehicles', t('plans.fig.vehicles'), formatNumber(f.vehicles)],
    ['served', t('plans.fig.served'), formatNumber(f.served)],
    ['unserved', t('plans.fig.unserved'), formatNumber(f.unserved)],
    ['distance', t('plans.fig.distance'), formatUnit(f.distanceM / 1000, 'kilometer', 1)],
    ['duration', t('plans.fig.duration'), t('plans.fig.hours', { hours: formatNumber(f.durationS / 3600, 1) })],
    ['valid', t('plans.fig.validator'), plan.valid ? t('plans.fig.valid') : t('plans.fig.invalid', { n: f.violations })],
  ];
  return html`<dl class="facts plan-figures" id="plan-figures">${rows.map(([k, label, v]) => html`<div key=${k} data-fig=${k}><dt>${label}</dt><dd>${v}</dd></div>`)}</dl>`;
}

function ReplanForm(props: { plan: PlanWithRoutes; tz: string; onQueued(job: { jobId: string; planId: string }): void; busy: boolean }) {
  const { plan } = props;
  const [kind, setKind] = useState<'breakdown' | 'facility_closed' | 'new_points' | 'road_blocked'>('breakdown');
  const [error, setError] = useState<string>();
  const vehicles = (plan.solution?.routes ?? []).map((r) => r.vehicleId).sort();
  const facilities = [...new Set((plan.solution?.routes ?? []).flatMap((r) => r.stops.flatMap((s) => s.type === 'facility' && s.id ? [s.id] : s.type === 'muck' && s.facilityId ? [s.facilityId] : [])))].sort();
  const now = Date.now();
  const defaultTime = cityDate(now, props.tz) === plan.date ? cityWallString(now, props.tz).slice(11) : '10:00';
  const submit = async (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const at = new Date(cityWallToMs(plan.date, String(data.get('at') || defaultTime), props.tz)).toISOString();
    const event = kind === 'breakdown' ? { kind, vehicleId: String(data.get('vehicleId')) }
      : kind === 'facility_closed' ? { kind, facilityId: String(data.get('facilityId')) }
      : kind === 'road_blocked' ? { kind, roadSegmentIds: String(data.get('roadSegmentIds') ?? '').split(/[\s,，]+/).filter(Boolean) }
      : { kind, pointIds: String(data.get('pointIds') ?? '').split(/[\s,，]+/).filter(Boolean) };
    const iterations = Number(data.get('iterations'));
    setError(undefined);
    try {
      props.onQueued(await sendJson<{ jobId: string; planId: string }>('POST', `/api/v1/plans/${encodeURIComponent(plan.id)}/replan`, {
        event, at, ...(Number.isFinite(iterations) && iterations > 0 ? { iterations } : {}),
      }));
    } catch (err) {
      setError(errorText(err));
    }
  };
  return html`<form class="form replan-form" id="replan-form" onSubmit=${submit}>
    <h3>${t('plans.replan.title')}</h3>
    <div class="form-row">
      <label>${t('plans.replan.event')}<select name="kind" value=${kind} onChange=${(e: Event) => setKind((e.target as HTMLSelectElement).value as typeof kind)}>
        <option value="breakdown">${t('plans.replan.kinds.breakdown')}</option>
        <option value="facility_closed">${t('plans.replan.kinds.facility_closed')}</option>
        <option value="new_points">${t('plans.replan.kinds.new_points')}</option>
        <option value="road_blocked">${t('plans.replan.kinds.road_blocked')}</option>
      </select></label>
      ${kind === 'breakdown' ? html`<label>${t('plans.replan.vehicle')}<select name="vehicleId">${vehicles.map((v) => html`<option value=${v}>${v}</option>`)}</select></label>`
        : kind === 'facility_closed' ? html`<label>${t('plans.replan.facility')}<select name="facilityId">${facilities.map((f) => html`<option value=${f}>${f}</option>`)}</select></label>`
        : kind === 'road_blocked' ? html`<label>${t('plans.replan.roads')}<input type="text" name="roadSegmentIds" required /></label>`
        : html`<label>${t('plans.replan.points')}<input type="text" name="pointIds" required /></label>`}
      <label>${t('plans.replan.at')}<input type="time" name="at" value=${defaultTime} required /></label>
      <label>${t('plans.field.iterations')}<input type="number" name="iterations" min="50" step="50" value="200" /></label>
    </div>
    ${error ? html`<p class="form-error" role="alert">${error}</p>` : null}
    <div class="form-actions"><button type="submit" class="primary" disabled=${props.busy}>${t('plans.replan.submit')}</button></div>
  </form>`;
}

function eventText(e: ReplanRecord['event']): string {
  if (e.kind === 'breakdown') return t('plans.diff.breakdown', { vehicle: e.vehicleId });
  if (e.kind === 'facility_closed') return t('plans.diff.facilityClosed', { facility: e.facilityId });
  if (e.kind === 'road_blocked') return t('plans.diff.roadBlocked', { n: e.roadSegmentIds?.length ?? 0 });
  return t('plans.diff.newPoints', { n: e.pointIds.length });
}

function Diff({ planId }: { planId: string }) {
  const [diff, setDiff] = useState<ReplanRecord>();
  useEffect(() => {
    getJson<ReplanRecord>(`/api/v1/plans/${encodeURIComponent(planId)}/diff`).then(setDiff, () => undefined);
  }, [planId]);
  if (!diff) return null;
  const changed = diff.vehicles.filter((v) => v.added.length || v.removed.length);
  const list = (items: string[]) => items.length === 0 ? '—' : `${items.length}: ${items.slice(0, 6).map((i) => i.slice(i.indexOf(':') + 1)).join(', ')}${items.length > 6 ? ' …' : ''}`;
  return html`<section class="plan-diff" id="plan-diff" aria-labelledby="plan-diff-title">
    <h3 id="plan-diff-title">${t('plans.diff.title')}</h3>
    <p id="plan-diff-summary">${t('plans.diff.summary', { moved: diff.moved, movedOther: diff.movedOther, done: diff.done.length, unserved: diff.unserved, event: eventText(diff.event) })}</p>
    ${changed.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label=${t('plans.diff.title')}><table class="data-table">
      <thead><tr><th scope="col">${t('plans.diff.vehicle')}</th><th scope="col">${t('plans.diff.done')}</th><th scope="col">${t('plans.diff.kept')}</th>
        <th scope="col">${t('plans.diff.added')}</th><th scope="col">${t('plans.diff.removed')}</th></tr></thead>
      <tbody>${changed.map((v) => html`<tr key=${v.vehicleId} data-vehicle=${v.vehicleId}>
        <td>${v.vehicleId}</td><td>${v.done}</td><td>${v.kept.length}</td><td class="wrap">${list(v.added)}</td><td class="wrap">${list(v.removed)}</td>
      </tr>`)}</tbody></table></div>` : html`<p class="muted">${t('plans.diff.none')}</p>`}
  </section>`;
}

export function PlanView(props: { planId: string; writer: boolean; socket?: Socket; tz: string; onChanged(): void; onOpen(id: string): void }) {
  const [plan, setPlan] = useState<PlanWithRoutes>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [replanOpen, setReplanOpen] = useState(false);
  const load = async () => {
    try {
      setPlan(await getJson<PlanWithRoutes>(`/api/v1/plans/${encodeURIComponent(props.planId)}`));
    } catch (err) {
      setError(errorText(err));
    }
  };
  const [job, watch] = useJobWatch(props.socket, (j) => {
    props.onChanged();
    if (j.status === 'done') props.onOpen(j.planId);
  });
  useEffect(() => void load(), [props.planId]);
  // a plan still being made: read it again when its job ends (another page or the nightly run made it)
  useEffect(() => {
    if (plan?.status !== 'planning') return;
    const timer = setInterval(() => void load(), 2000);
    return () => clearInterval(timer);
  }, [plan?.status]);

  const act = async (move: 'publish' | 'start' | 'close') => {
    setBusy(true);
    setError(undefined);
    try {
      await sendJson('POST', `/api/v1/plans/${encodeURIComponent(props.planId)}/${move}`);
      await load();
      props.onChanged();
    } catch (err) {
      const e = err as { details?: Array<{ message: string }> };
      setError([errorText(err), ...(e.details ?? []).map((d) => d.message)].join(' · '));
    } finally {
      setBusy(false);
    }
  };

  if (!plan) return html`<section class="plan-view">${error ? html`<p class="form-error" role="alert">${error}</p>` : html`<p class="muted">${t('common.loading')}</p>`}</section>`;
  const routes = plan.solution?.routes ?? [];
  const colors = vehicleColors(routes.map((r) => r.vehicleId));
  const canReplan = plan.status === 'published' || plan.status === 'in_progress';
  const running = !!job && (job.status === 'queued' || job.status === 'running');
  // hand-swept segments and the like are left to crews by design: listed apart, counted only
  const actionable = plan.unserved.filter((u) => !NOT_ROUTED.has(u.reason));
  const byDesign = plan.unserved.filter((u) => NOT_ROUTED.has(u.reason));
  return html`<section class="plan-view" id="plan-view" data-plan=${plan.id} data-status=${plan.status} aria-labelledby="plan-view-title">
    <h2 id="plan-view-title">${t('plans.view.title', { district: plan.district ?? t('plans.wholeCity'), date: plan.date, version: plan.version })}
      <span class=${`plan-status st-${plan.status}`}>${statusLabel(plan.status)}</span></h2>
    ${plan.error ? html`<p class="form-error" role="alert">${plan.error}</p>` : null}
    ${error ? html`<p class="form-error" role="alert" id="plan-action-error">${error}</p>` : null}
    <${Figures} plan=${plan} />
    ${props.writer ? html`<div class="form-actions plan-actions">
      ${plan.status === 'draft' ? html`<button type="button" class="primary" id="plan-publish" disabled=${busy} onClick=${() => act('publish')}>${t('plans.action.publish')}</button>` : null}
      ${plan.status === 'published' ? html`<button type="button" id="plan-start" disabled=${busy} onClick=${() => act('start')}>${t('plans.action.start')}</button>` : null}
      ${plan.status === 'in_progress' ? html`<button type="button" id="plan-close" disabled=${busy} onClick=${() => act('close')}>${t('plans.action.close')}</button>` : null}
      ${canReplan ? html`<button type="button" id="plan-replan" aria-expanded=${replanOpen} onClick=${() => setReplanOpen(!replanOpen)}>${t('plans.action.replan')}</button>` : null}
    </div>` : null}
    ${props.writer && canReplan && replanOpen ? html`<${ReplanForm} plan=${plan} tz=${props.tz} busy=${running} onQueued=${watch} />` : null}
    ${job ? html`<${JobProgress} job=${job} />` : null}
    ${plan.figures?.replan ? html`<${Diff} planId=${plan.id} />` : null}
    ${routes.length ? html`
      <h3>${t('plans.view.map')}</h3>
      <ul class="plan-legend" aria-label=${t('plans.view.legend')}>${routes.map((r) => html`<li key=${r.vehicleId}>
        <span class="swatch" style=${`background:${colors.get(r.vehicleId)}`} aria-hidden="true"></span>${r.vehicleId} · ${hasKey(`route.carries.${r.carries}`) ? t(`route.carries.${r.carries}`) : classLabel(r.carries)}</li>`)}</ul>
      <${PlanMap} plan=${plan} colors=${colors} />
      <h3>${t('plans.view.timeline')}</h3>
      <${Gantt} routes=${routes} colors=${colors} />` : null}
    <h3>${t('plans.view.unserved', { n: actionable.length })}</h3>
    ${actionable.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label=${t('plans.view.unserved', { n: actionable.length })}><table class="data-table" id="plan-unserved">
      <thead><tr><th scope="col">${t('plans.unserved.item')}</th><th scope="col">${t('plans.unserved.kind')}</th><th scope="col">${t('plans.unserved.reason')}</th><th scope="col">${t('plans.unserved.detail')}</th></tr></thead>
      <tbody>${actionable.map((u, i) => html`<tr key=${i}><td>${u.recordId}${u.visit !== undefined ? ` #${u.visit + 1}` : ''}</td><td>${t(`plans.itemKind.${u.kind}`, { defaultValue: u.kind })}</td>
        <td>${t(`plans.reason.${u.reason}`, { defaultValue: u.reason })}</td><td class="wrap">${u.detail}</td></tr>`)}</tbody>
    </table></div>` : html`<p class="muted">${t('plans.unserved.none')}</p>`}
    ${byDesign.length ? html`<details class="plan-not-routed" id="plan-not-routed"><summary>${t('plans.unserved.notRouted', { n: byDesign.length })}</summary>
      <ul>${Object.entries(byDesign.reduce<Record<string, number>>((m, u) => ({ ...m, [u.reason]: (m[u.reason] ?? 0) + 1 }), {})).map(([reason, n]) => html`<li key=${reason}>${t(`plans.reason.${reason}`, { defaultValue: reason })}: ${n}</li>`)}</ul>
    </details>` : null}
    ${plan.validation && plan.validation.violations.length ? html`<h3>${t('plans.view.violations')}</h3>
      <ul class="plan-violations">${plan.validation.violations.slice(0, 20).map((v, i) => html`<li key=${i}><code>${v.rule}</code> ${v.vehicleId ?? ''} ${v.detail}</li>`)}</ul>` : null}
  </section>`;
}
