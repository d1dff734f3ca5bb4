import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { io } from 'socket.io-client';
import { errorText, getJson, request, sendJson } from '../lib/api.js';
import { cityDate } from '../lib/city-time.js';
import { formatDateTime, formatNumber, t, timeZone } from '../lib/i18n.js';
import { session } from '../lib/session.js';

/**
 * The enforcement desk's incident list (issue 13): incidents newest first, filtered by type
 * and status, refreshed as the enforcement room pushes changes; officers acknowledge and close
 * (disposition + note) here; every incident opens its evidence on the page's map and replay,
 * and its printable record in a new tab. Dispatchers see their fleet's incidents, read only.
 */
export interface IncidentRow {
  id: string;
  type: string;
  vehicleId?: string;
  contractor?: string;
  startAt: string;
  endAt?: string;
  level: number;
  status: 'open' | 'acknowledged' | 'assigned' | 'closed';
  detection: 'open' | 'closed';
}

export interface EvidenceFeature {
  type: 'Feature';
  geometry: GeoJSON.Geometry;
  properties: Record<string, any>;
}

export interface EvidenceDoc {
  type: 'FeatureCollection';
  properties: { incident: IncidentRow; thresholds: Record<string, number | string>; vehicle?: { plate?: string } };
  features: EvidenceFeature[];
}

interface Figures {
  total: number;
  byContractor: Array<{ contractor: string | null; total: number; counted: number; confirmed: number; byType: Record<string, number> }>;
  spill: { total: number; handled: number; dismissed: number; rate: number | null };
}

/** This month's figures (the city's month): the spill detection-and-handling rate and the contractors' ranking. */
function MonthFigures(props: { tick: number }) {
  const [figures, setFigures] = useState<Figures>();
  const month = cityDate(Date.now(), timeZone()).slice(0, 7);
  useEffect(() => {
    const ctrl = new AbortController();
    getJson<Figures>(`/api/v1/incidents/figures?month=${month}`, { signal: ctrl.signal }).then(setFigures, () => undefined);
    return () => ctrl.abort();
  }, [month, props.tick]);
  if (!figures) return null;
  const rate = figures.spill.rate === null ? '—' : `${formatNumber(figures.spill.rate * 100, 1)} %`;
  return html`<section class="desk-figures" aria-labelledby="figures-title">
    <h3 id="figures-title">${t('desk.figuresTitle', { month })}</h3>
    <dl class="facts">
      <div><dt>${t('desk.figureTotal')}</dt><dd id="figure-total">${formatNumber(figures.total)}</dd></div>
      <div><dt>${t('desk.figureSpillRate')}</dt><dd id="figure-spill-rate">${rate}</dd></div>
      <div><dt>${t('desk.figureSpills')}</dt><dd>${t('desk.figureSpillsValue', { handled: formatNumber(figures.spill.handled), total: formatNumber(figures.spill.total - figures.spill.dismissed) })}</dd></div>
    </dl>
    ${figures.byContractor.length ? html`<div class="table-wrap" tabIndex="0" role="region" aria-label=${t('desk.ranking')}><table class="data-table" id="contractor-ranking">
      <caption class="visually-hidden">${t('desk.ranking')}</caption>
      <thead><tr><th scope="col">#</th><th scope="col">${t('desk.contractor')}</th><th scope="col">${t('desk.counted')}</th><th scope="col">${t('desk.confirmed')}</th></tr></thead>
      <tbody>${figures.byContractor.slice(0, 10).map((c, i) => html`<tr key=${c.contractor ?? ''}><td>${i + 1}</td><td>${c.contractor ?? t('desk.noContractor')}</td><td>${formatNumber(c.counted)}</td><td>${formatNumber(c.confirmed)}</td></tr>`)}</tbody>
    </table></div>` : null}
  </section>`;
}

export const incidentTypes = ['off_route', 'outside_hours', 'uncovered', 'spill', 'illegal_dumping', 'speeding', 'restricted_zone', 'no_permit', 'wrong_site', 'missed_collection', 'sweeping_gap'];
const statuses = ['open', 'acknowledged', 'assigned', 'closed'];
const dispositions = ['penalised', 'warned', 'rectified', 'false_alarm', 'duplicate', 'not_enforceable'];

export function IncidentDesk(props: { onEvidence(ev: EvidenceDoc): void }) {
  const role = session()?.user.role;
  const canAct = role === 'admin' || role === 'enforcement';
  const [filter, setFilter] = useState({ type: '', status: '' });
  const [rows, setRows] = useState<IncidentRow[]>();
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string>();
  const [closing, setClosing] = useState<string>();
  const [closeForm, setCloseForm] = useState({ disposition: 'warned', note: '' });
  const [tick, setTick] = useState(0);
  const [live, setLive] = useState(false);

  useEffect(() => {
    const ctrl = new AbortController();
    const q = new URLSearchParams({ limit: '50' });
    if (filter.type) q.set('type', filter.type);
    if (filter.status) q.set('status', filter.status);
    getJson<{ items: IncidentRow[]; total: number }>(`/api/v1/incidents?${q}`, { signal: ctrl.signal }).then((page) => {
      setRows(page.items);
      setTotal(page.total);
      setError(undefined);
    }, (err: unknown) => {
      if ((err as Error).name !== 'AbortError') setError(errorText(err));
    });
    return () => ctrl.abort();
  }, [filter.type, filter.status, tick]);

  // The enforcement room: any change re-reads the list (coalesced to once a second).
  useEffect(() => {
    const token = session()?.token;
    if (!token) return;
    const socket = io({ auth: { token }, transports: ['websocket', 'polling'] });
    let pending: ReturnType<typeof setTimeout> | undefined;
    socket.on('connect', () => {
      setLive(true);
      // what changed while disconnected is read again
      setTick((n) => n + 1);
    });
    socket.on('disconnect', () => setLive(false));
    socket.on('incident', () => {
      pending ??= setTimeout(() => {
        pending = undefined;
        setTick((n) => n + 1);
      }, 1000);
    });
    return () => {
      clearTimeout(pending);
      socket.close();
    };
  }, []);

  const act = async (id: string, action: string, body: unknown) => {
    try {
      await sendJson('POST', `/api/v1/incidents/${encodeURIComponent(id)}/${action}`, body);
      setClosing(undefined);
      setError(undefined);
      setTick((n) => n + 1);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const evidence = async (id: string) => {
    try {
      props.onEvidence(await getJson<EvidenceDoc>(`/api/v1/incidents/${encodeURIComponent(id)}/evidence`));
    } catch (err) {
      setError(errorText(err));
    }
  };
  // The printable record needs the bearer token: fetched, then shown from a blob in a new tab.
  const print = async (id: string) => {
    const tab = window.open('', '_blank');
    try {
      const res = await request<string>('GET', `/api/v1/incidents/${encodeURIComponent(id)}/print`);
      const url = URL.createObjectURL(new Blob([res.body], { type: 'text/html' }));
      if (tab) tab.location.href = url;
      else window.location.href = url;
    } catch (err) {
      tab?.close();
      setError(errorText(err));
    }
  };

  return html`<section class="incident-desk" aria-labelledby="desk-title" data-live=${live ? 'on' : 'off'}>
    <h2 id="desk-title">${t('desk.title')}</h2>
    <${MonthFigures} tick=${tick} />
    <form class="form desk-filters" onSubmit=${(e: Event) => e.preventDefault()}>
      <label>${t('desk.type')}
        <select name="type" value=${filter.type} onChange=${(e: Event) => setFilter({ ...filter, type: (e.target as HTMLSelectElement).value })}>
          <option value="">${t('desk.all')}</option>
          ${incidentTypes.map((k) => html`<option key=${k} value=${k}>${t(`incidentType.${k}`)}</option>`)}
        </select>
      </label>
      <label>${t('desk.status')}
        <select name="status" value=${filter.status} onChange=${(e: Event) => setFilter({ ...filter, status: (e.target as HTMLSelectElement).value })}>
          <option value="">${t('desk.all')}</option>
          ${statuses.map((k) => html`<option key=${k} value=${k}>${t(`incidentStatus.${k}`)}</option>`)}
        </select>
      </label>
    </form>
    ${error ? html`<p class="form-error" role="alert">${error}</p>` : null}
    ${rows === undefined ? html`<p class="muted">${t('common.loading')}</p>` : rows.length === 0
      ? html`<p class="muted" id="desk-empty">${t('desk.none')}</p>`
      : html`<p class="muted" id="desk-count">${t('desk.count', { shown: formatNumber(rows.length), total: formatNumber(total) })}</p>
      <div class="table-wrap" tabIndex="0" role="region" aria-label=${t('desk.title')}><table class="data-table" id="incident-table">
        <thead><tr>
          <th scope="col">${t('desk.start')}</th><th scope="col">${t('desk.type')}</th><th scope="col">${t('desk.vehicle')}</th>
          <th scope="col">${t('desk.level')}</th><th scope="col">${t('desk.status')}</th><th scope="col">${t('desk.actions')}</th>
        </tr></thead>
        <tbody>${rows.map((r) => html`<tr key=${r.id} data-incident-id=${r.id}>
          <td>${formatDateTime(r.startAt)}${r.detection === 'open' ? html` <span class="badge">${t('desk.ongoing')}</span>` : null}</td>
          <td>${t(`incidentType.${r.type}`)}</td>
          <td>${r.vehicleId ?? '—'}${r.contractor ? html`<br /><span class="muted">${r.contractor}</span>` : null}</td>
          <td>${r.level}</td>
          <td class="incident-status">${t(`incidentStatus.${r.status}`)}</td>
          <td class="desk-actions">
            <button type="button" onClick=${() => evidence(r.id)}>${t('desk.evidence')}</button>
            <button type="button" onClick=${() => print(r.id)}>${t('desk.print')}</button>
            ${canAct && r.status === 'open' ? html`<button type="button" class="ack" onClick=${() => act(r.id, 'acknowledge', {})}>${t('desk.acknowledge')}</button>` : null}
            ${canAct && r.status !== 'closed' ? html`<button type="button" class="close-incident" onClick=${() => setClosing(closing === r.id ? undefined : r.id)}>${t('desk.close')}</button>` : null}
            ${canAct && r.status === 'closed' ? html`<button type="button" onClick=${() => act(r.id, 'reopen', { note: t('desk.reopenNote') })}>${t('desk.reopen')}</button>` : null}
            ${closing === r.id ? html`<form class="form close-form" onSubmit=${(e: Event) => {
              e.preventDefault();
              void act(r.id, 'close', closeForm);
            }}>
              <label>${t('desk.disposition')}
                <select name="disposition" value=${closeForm.disposition} onChange=${(e: Event) => setCloseForm({ ...closeForm, disposition: (e.target as HTMLSelectElement).value })}>
                  ${dispositions.map((d) => html`<option key=${d} value=${d}>${t(`disposition.${d}`)}</option>`)}
                </select>
              </label>
              <label>${t('desk.note')}<input name="note" required maxLength="2000" value=${closeForm.note} onInput=${(e: Event) => setCloseForm({ ...closeForm, note: (e.target as HTMLInputElement).value })} /></label>
              <button type="submit" class="primary">${t('desk.confirmClose')}</button>
            </form>` : null}
          </td>
        </tr>`)}</tbody>
      </table></div>`}
  </section>`;
}
