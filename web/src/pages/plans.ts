import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { io, type Socket } from 'socket.io-client';
import type { PlanSummary } from '../../../src/planning/plan-store.js';
import type { DriverReport } from '../../../src/planning/route-actions.js';
import { PageTitle } from '../components/shell.js';
import { errorText, fieldErrors, getJson, sendJson } from '../lib/api.js';
import { cityDate, cityWallToMs } from '../lib/city-time.js';
import { useCity, useSession } from '../lib/hooks.js';
import { formatNumber, t, timeZone } from '../lib/i18n.js';
import { PlanView } from './plan-view.js';
import { JobProgress, statusLabel, useJobWatch } from './plan-job-watch.js';

/**
 * The dispatcher's plans (issue 12 item 8): the plans of a date (and district) with their
 * status, a form to plan a date with the job's progress bar (socket `plan:progress`, and the
 * job polled for roles without a live view), and one plan opened below (plan-view.ts).
 */
export const WRITERS = new Set(['admin', 'dispatcher']);
export const LIVE_ROLES = new Set(['admin', 'dispatcher']);

const nextDate = (date: string): string => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
};

export function PlansPage() {
  const s = useSession();
  const city = useCity();
  const role = s?.user.role ?? 'planner';
  const writer = WRITERS.has(role);
  const tz = city?.timeZone ?? timeZone();
  const [date, setDate] = useState(() => new URLSearchParams(window.location.search).get('date') ?? nextDate(cityDate(Date.now(), tz)));
  const [district, setDistrict] = useState('');
  const [plans, setPlans] = useState<PlanSummary[]>();
  const [listError, setListError] = useState<string>();
  const [selected, setSelected] = useState<string | undefined>(() => new URLSearchParams(window.location.search).get('plan') ?? undefined);
  const [socket, setSocket] = useState<Socket>();
  const [formError, setFormError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const [reports, setReports] = useState<DriverReport[]>();
  const reportsDate = useRef(date);
  reportsDate.current = date;

  const loadList = async () => {
    try {
      const q = new URLSearchParams({ date, limit: '100' });
      if (district.trim()) q.set('district', district.trim());
      const r = await getJson<{ items: PlanSummary[] }>(`/api/v1/plans?${q}`);
      setPlans(r.items);
      setListError(undefined);
    } catch (err) {
      setListError(errorText(err));
    }
  };
  const [job, watch] = useJobWatch(socket, (j) => {
    void loadList();
    if (j.status === 'done') select(j.planId);
  });

  const select = (id: string | undefined) => {
    setSelected(id);
    const q = new URLSearchParams(window.location.search);
    if (id) q.set('plan', id);
    else q.delete('plan');
    q.set('date', date);
    q.delete('token');
    window.history.replaceState(window.history.state, '', `${window.location.pathname}?${q}`);
  };

  useEffect(() => void loadList(), [date, district]);

  // drivers' reports of the plan's date (those who may read them)
  const dayRange = () => {
    const start = cityWallToMs(reportsDate.current, '00:00', tz);
    return { start, end: cityWallToMs(nextDate(reportsDate.current), '00:00', tz) };
  };
  useEffect(() => {
    if (!['admin', 'dispatcher', 'enforcement'].includes(role)) return;
    const { start, end } = dayRange();
    getJson<{ items: DriverReport[] }>(`/api/v1/driver-reports?since=${encodeURIComponent(new Date(start).toISOString())}&limit=100`)
      .then((r) => setReports(r.items.filter((x) => Date.parse(x.reportedAt) < end)), () => setReports([]));
  }, [date, tz]);

  useEffect(() => {
    if (!LIVE_ROLES.has(role) || !s) return;
    const sock = io({ auth: { token: s.token }, transports: ['websocket', 'polling'] });
    sock.on('driver:report', (r: DriverReport) => {
      const { start, end } = dayRange();
      const at = Date.parse(r.reportedAt);
      if (at >= start && at < end) setReports((was) => [r, ...(was ?? []).filter((x) => x.id !== r.id)]);
    });
    setSocket(sock);
    return () => {
      sock.close();
      setSocket(undefined);
    };
  }, [role, s?.token]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const d = String(data.get('district') ?? '').trim();
    const iterations = Number(data.get('iterations'));
    setFormError(undefined);
    setFields({});
    try {
      const r = await sendJson<{ jobId: string; planId: string }>('POST', '/api/v1/plans', {
        date: String(data.get('date')), ...(d ? { district: d } : {}), ...(Number.isFinite(iterations) && iterations > 0 ? { iterations } : {}),
        ...(data.get('snow') ? { mode: 'snow' } : {}),
      });
      watch(r);
      void loadList();
    } catch (err) {
      setFormError(errorText(err));
      setFields(fieldErrors(err));
    }
  };

  const districts = [...new Set([...(city?.districts ?? []), ...(plans ?? []).map((p) => p.district).filter((x): x is string => !!x)])].sort();
  return html`<div class="page plans-page">
    <${PageTitle} id="plans" />
    <section class="plans-bar" aria-labelledby="plans-filter-title">
      <h2 id="plans-filter-title" class="visually-hidden">${t('plans.filter.title')}</h2>
      <form class="inline plans-filter" onSubmit=${(e: Event) => e.preventDefault()}>
        <label>${t('plans.field.date')} <input type="date" name="filterDate" value=${date} onChange=${(e: Event) => { const v = (e.target as HTMLInputElement).value; if (v) setDate(v); }} /></label>
        <label>${t('plans.field.district')} <input type="text" name="filterDistrict" value=${district} list="plan-districts" placeholder=${t('plans.allDistricts')}
          onChange=${(e: Event) => setDistrict((e.target as HTMLInputElement).value)} /></label>
        <datalist id="plan-districts">${districts.map((d) => html`<option value=${d} />`)}</datalist>
      </form>
    </section>
    ${writer ? html`<section class="plans-create" aria-labelledby="plans-create-title">
      <h2 id="plans-create-title">${t('plans.create.title')}</h2>
      <form class="form plans-create-form" id="plan-create" onSubmit=${submit} novalidate>
        <div class="form-row">
          <label>${t('plans.field.date')}<input type="date" name="date" value=${date} required aria-invalid=${fields.date ? 'true' : undefined} />
            ${fields.date ? html`<span class="field-error">${fields.date}</span>` : null}</label>
          <label>${t('plans.field.district')}<input type="text" name="district" list="plan-districts" placeholder=${t('plans.wholeCity')} aria-invalid=${fields.district ? 'true' : undefined} />
            ${fields.district ? html`<span class="field-error">${fields.district}</span>` : null}</label>
          <label>${t('plans.field.iterations')}<input type="number" name="iterations" min="50" step="50" value="300" aria-invalid=${fields.iterations ? 'true' : undefined} />
            ${fields.iterations ? html`<span class="field-error">${fields.iterations}</span>` : null}</label>
          <label class="check"><input type="checkbox" name="snow" /> ${t('plans.field.snow')}</label>
        </div>
        ${formError ? html`<p class="form-error" role="alert">${formError}</p>` : null}
        <div class="form-actions"><button type="submit" class="primary" disabled=${job && (job.status === 'queued' || job.status === 'running')}>${t('plans.create.submit')}</button></div>
      </form>
      ${job ? html`<${JobProgress} job=${job} />` : null}
    </section>` : null}
    <section aria-labelledby="plans-list-title">
      <h2 id="plans-list-title">${t('plans.list.title', { date })}</h2>
      ${listError ? html`<p class="form-error" role="alert">${listError}</p>` : null}
      ${plans && plans.length === 0 ? html`<p class="muted" id="plans-empty">${t('plans.list.empty')}</p>` : null}
      ${plans && plans.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label=${t('plans.list.title', { date })}><table class="data-table" id="plans-table">
        <thead><tr>
          <th scope="col">${t('plans.col.district')}</th><th scope="col">${t('plans.col.version')}</th><th scope="col">${t('plans.col.status')}</th>
          <th scope="col">${t('plans.col.vehicles')}</th><th scope="col">${t('plans.col.served')}</th><th scope="col">${t('plans.col.unserved')}</th>
          <th scope="col">${t('plans.col.violations')}</th><th scope="col"><span class="visually-hidden">${t('plans.col.open')}</span></th>
        </tr></thead>
        <tbody>${plans.map((p) => html`<tr key=${p.id} data-plan=${p.id} class=${p.id === selected ? 'is-selected' : ''}>
          <td>${p.district ?? t('plans.wholeCity')}${p.options?.mode === 'snow' ? html` <span class="plan-status st-snow" data-mode="snow">${t('plans.snow')}</span>` : null}</td><td>${p.version}</td>
          <td><span class=${`plan-status st-${p.status}`}>${statusLabel(p.status)}</span></td>
          <td>${p.figures ? formatNumber(p.figures.vehicles) : '—'}</td><td>${p.figures ? formatNumber(p.figures.served) : '—'}</td>
          <td>${p.figures ? formatNumber(p.figures.unserved) : '—'}</td><td>${p.figures ? formatNumber(p.figures.violations) : '—'}</td>
          <td class="row-actions"><button type="button" class="small" aria-label=${t('plans.openLabel', { district: p.district ?? t('plans.wholeCity'), version: p.version })}
            onClick=${() => select(p.id)}>${t('plans.open')}</button></td>
        </tr>`)}</tbody>
      </table></div>` : null}
    </section>
    ${selected ? html`<${PlanView} key=${selected} planId=${selected} writer=${writer} socket=${socket} tz=${tz}
      onChanged=${() => void loadList()} onOpen=${(id: string) => select(id)} />` : null}
    ${reports ? html`<section aria-labelledby="plan-reports-title" id="plan-reports">
      <h2 id="plan-reports-title">${t('plans.reports.title', { date })}</h2>
      ${reports.length === 0 ? html`<p class="muted">${t('plans.reports.empty')}</p>` : html`<div class="table-wrap" tabindex="0" role="region" aria-label=${t('plans.reports.title', { date })}><table class="data-table">
        <thead><tr><th scope="col">${t('plans.reports.time')}</th><th scope="col">${t('plans.reports.vehicle')}</th><th scope="col">${t('plans.reports.kind')}</th>
          <th scope="col">${t('plans.reports.stop')}</th><th scope="col">${t('plans.reports.note')}</th></tr></thead>
        <tbody>${reports.map((r) => html`<tr key=${r.id} data-report=${r.id}>
          <td>${new Intl.DateTimeFormat(undefined, { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(r.reportedAt))}</td>
          <td>${r.vehicleId}</td><td>${t(`report.kinds.${r.kind}`)}</td><td>${r.stopId ?? '—'}</td><td class="wrap">${r.note ?? ''}</td>
        </tr>`)}</tbody></table></div>`}
    </section>` : null}
  </div>`;
}
