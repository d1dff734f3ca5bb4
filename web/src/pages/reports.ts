import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { Chart } from '../components/chart.js';
import { PageTitle } from '../components/shell.js';
import { errorText, getJson } from '../lib/api.js';
import { cityDate } from '../lib/city-time.js';
import { useCity, useLang, useLoad, useSession } from '../lib/hooks.js';
import { formatNumber, t, timeZone } from '../lib/i18n.js';

interface DayFigures {
  date: string;
  plans: Array<{ id: string }>;
  final: boolean;
  points: { due: number; collected: number };
  clearanceRate: number | null;
  dailyClearanceMet: boolean | null;
  onTimeRate: number | null;
  planAdherence: number | null;
  mechanisedSweepingRate: number | null;
  vehicles: Array<{ vehicleId: string; distanceKm: number; onDutyH: number; movingH: number }>;
}

interface Rank { rank: number; contractor: string | null; days: number; stops: { planned: number }; clearanceRate: number | null; onTimeRate: number | null }

const DAY_MS = 86_400_000;
const pct = (x: number | null) => (x === null ? '–' : `${formatNumber(x * 100, 1)} %`);

/** Per vehicle over the range: km and hours on duty per day it drove (days without fixes left out). */
export function perVehicle(days: DayFigures[]): Array<{ vehicleId: string; days: number; kmPerDay: number; hoursPerDay: number }> {
  const by = new Map<string, { days: number; km: number; h: number }>();
  for (const d of days) {
    for (const v of d.vehicles) {
      if (v.onDutyH === 0 && v.distanceKm === 0) continue;
      const x = by.get(v.vehicleId) ?? { days: 0, km: 0, h: 0 };
      x.days++;
      x.km += v.distanceKm;
      x.h += v.onDutyH;
      by.set(v.vehicleId, x);
    }
  }
  return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([vehicleId, x]) => ({
    vehicleId, days: x.days, kmPerDay: Math.round((x.km / x.days) * 10) / 10, hoursPerDay: Math.round((x.h / x.days) * 100) / 100,
  }));
}

/**
 * The figures the city is judged on (issue 12 item 7), per day over a range of up to 31 days
 * and a district (`GET /reports/daily-range`): a table, the rates as lines over the days, and
 * km and hours per vehicle as bars. A district-scoped account reads its district only.
 */
export function ReportsPage() {
  useLang();
  const city = useCity();
  const s = useSession();
  const tz = city?.timeZone ?? timeZone();
  const scope = s?.user.role === 'admin' ? undefined : s?.user.district;
  const today = cityDate(Date.now(), tz);
  const [form, setForm] = useState(() => ({ from: cityDate(Date.now() - 7 * DAY_MS, tz), to: cityDate(Date.now() - DAY_MS, tz), district: scope ?? '' }));
  const district = scope ?? form.district.trim();
  const q = new URLSearchParams({ from: form.from, to: form.to, ...(district ? { district } : {}) });
  const report = useLoad((signal) => getJson<{ days: DayFigures[] }>(`/api/v1/reports/daily-range?${q}`, { signal }), [q.toString()]);
  const month = form.to.slice(0, 7);
  const mq = new URLSearchParams({ month, ...(district ? { district } : {}) });
  const ranking = useLoad((signal) => getJson<{ ranking: Rank[] }>(`/api/v1/reports/monthly?${mq}`, { signal }), [mq.toString()]);
  const days = report.data?.days ?? [];
  const labels = days.map((d) => d.date.slice(5));
  const vehicles = perVehicle(days);
  const districts = scope ? [scope] : [...(city?.districts ?? [])].sort();

  const set = (k: 'from' | 'to' | 'district') => (e: Event) => {
    const v = (e.target as HTMLInputElement).value;
    if (k !== 'district' && !v) return;
    setForm((f) => ({ ...f, [k]: v }));
  };

  return html`<div class="page reports-page">
    <${PageTitle} id="reports" />
    <section aria-labelledby="reports-filter-title">
      <h2 id="reports-filter-title" class="visually-hidden">${t('reports.filter')}</h2>
      <form class="inline reports-filter" onSubmit=${(e: Event) => e.preventDefault()}>
        <label>${t('reports.from')} <input type="date" name="from" value=${form.from} max=${today} onChange=${set('from')} /></label>
        <label>${t('reports.to')} <input type="date" name="to" value=${form.to} max=${today} onChange=${set('to')} /></label>
        <label>${t('reports.district')} <input type="text" name="district" value=${district} list="report-districts" disabled=${!!scope}
          placeholder=${t('reports.wholeCity')} onChange=${set('district')} /></label>
        <datalist id="report-districts">${districts.map((d) => html`<option value=${d} />`)}</datalist>
      </form>
      <p class="muted">${t('reports.rangeHint')}</p>
    </section>
    ${report.error ? html`<p class="error" role="alert">${errorText(report.error)}</p>` : null}
    ${report.loading ? html`<p class="muted" role="status">${t('reports.loading')}</p>` : null}
    ${report.data ? html`
      <section aria-labelledby="reports-days-title" aria-busy=${report.loading ? 'true' : 'false'}>
        <h2 id="reports-days-title">${t('reports.daysTitle')}</h2>
        <${Chart} id="chart-rates" title=${t('reports.chart.rates')} labels=${labels} yRange=${[0, 1]} formatY=${(v: number) => `${Math.round(v * 100)}%`}
          series=${[
            { label: t('reports.col.clearance'), values: days.map((d) => d.clearanceRate), color: '#1b7837', kind: 'line' },
            { label: t('reports.col.onTime'), values: days.map((d) => d.onTimeRate), color: '#2166ac', kind: 'line' },
            { label: t('reports.col.adherence'), values: days.map((d) => d.planAdherence), color: '#b35806', kind: 'line' },
            { label: t('reports.col.mechanised'), values: days.map((d) => d.mechanisedSweepingRate), color: '#762a83', kind: 'line' },
          ]} />
        <div class="table-wrap" tabIndex="0" role="region" aria-label=${t('reports.daysTitle')}>
          <table class="data-table" id="report-days">
            <thead><tr>
              <th scope="col">${t('reports.col.date')}</th><th scope="col">${t('reports.col.plans')}</th>
              <th scope="col">${t('reports.col.clearance')}</th><th scope="col">${t('reports.col.met')}</th>
              <th scope="col">${t('reports.col.onTime')}</th><th scope="col">${t('reports.col.adherence')}</th>
              <th scope="col">${t('reports.col.mechanised')}</th><th scope="col">${t('reports.col.km')}</th><th scope="col">${t('reports.col.hours')}</th>
            </tr></thead>
            <tbody>${days.map((d) => {
              const driven = d.vehicles.filter((v) => v.onDutyH > 0 || v.distanceKm > 0);
              const km = driven.length ? driven.reduce((n, v) => n + v.distanceKm, 0) / driven.length : null;
              const h = driven.length ? driven.reduce((n, v) => n + v.onDutyH, 0) / driven.length : null;
              return html`<tr data-date=${d.date}>
                <th scope="row">${d.date}</th><td>${d.plans.length}</td>
                <td data-k="clearanceRate">${pct(d.clearanceRate)}</td>
                <td data-k="dailyClearanceMet">${d.dailyClearanceMet === null ? t('reports.met.unknown') : d.dailyClearanceMet ? t('reports.met.yes') : t('reports.met.no')}</td>
                <td data-k="onTimeRate">${pct(d.onTimeRate)}</td><td data-k="planAdherence">${pct(d.planAdherence)}</td>
                <td data-k="mechanisedSweepingRate">${pct(d.mechanisedSweepingRate)}</td>
                <td>${km === null ? '–' : formatNumber(km, 1)}</td><td>${h === null ? '–' : formatNumber(h, 2)}</td>
              </tr>`;
            })}</tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="reports-vehicles-title">
        <h2 id="reports-vehicles-title">${t('reports.vehiclesTitle')}</h2>
        ${vehicles.length === 0 ? html`<p class="muted">${t('reports.noVehicles')}</p>` : html`
          <div class="chart-pair">
            <${Chart} id="chart-km" title=${t('reports.chart.km')} labels=${vehicles.map((v) => v.vehicleId)}
              series=${[{ label: t('reports.col.kmPerDay'), values: vehicles.map((v) => v.kmPerDay), color: '#2166ac', kind: 'bar' }]} />
            <${Chart} id="chart-hours" title=${t('reports.chart.hours')} labels=${vehicles.map((v) => v.vehicleId)}
              series=${[{ label: t('reports.col.hoursPerDay'), values: vehicles.map((v) => v.hoursPerDay), color: '#b35806', kind: 'bar' }]} />
          </div>
          <div class="table-wrap" tabIndex="0" role="region" aria-label=${t('reports.vehiclesTitle')}>
            <table class="data-table" id="report-vehicles">
              <thead><tr><th scope="col">${t('reports.col.vehicle')}</th><th scope="col">${t('reports.col.days')}</th>
                <th scope="col">${t('reports.col.kmPerDay')}</th><th scope="col">${t('reports.col.hoursPerDay')}</th></tr></thead>
              <tbody>${vehicles.map((v) => html`<tr><th scope="row">${v.vehicleId}</th><td>${v.days}</td><td>${formatNumber(v.kmPerDay, 1)}</td><td>${formatNumber(v.hoursPerDay, 2)}</td></tr>`)}</tbody>
            </table>
          </div>`}
      </section>` : null}
    <section aria-labelledby="reports-ranking-title" aria-busy=${ranking.loading ? 'true' : 'false'}>
      <h2 id="reports-ranking-title">${t('reports.rankingTitle', { month })}</h2>
      ${ranking.error ? html`<p class="error" role="alert">${errorText(ranking.error)}</p>` : null}
      ${ranking.data && ranking.data.ranking.length === 0 ? html`<p class="muted">${t('reports.noRanking')}</p>` : null}
      ${ranking.data?.ranking.length ? html`<div class="table-wrap" tabIndex="0" role="region" aria-label=${t('reports.rankingTitle', { month })}>
        <table class="data-table" id="report-ranking">
          <thead><tr><th scope="col">${t('reports.col.rank')}</th><th scope="col">${t('reports.col.contractor')}</th><th scope="col">${t('reports.col.days')}</th>
            <th scope="col">${t('reports.col.stops')}</th><th scope="col">${t('reports.col.clearance')}</th><th scope="col">${t('reports.col.onTime')}</th></tr></thead>
          <tbody>${ranking.data.ranking.map((r) => html`<tr><td>${r.rank}</td><th scope="row">${r.contractor ?? t('reports.noContractor')}</th><td>${r.days}</td>
            <td>${r.stops.planned}</td><td data-k="clearanceRate">${pct(r.clearanceRate)}</td><td data-k="onTimeRate">${pct(r.onTimeRate)}</td></tr>`)}</tbody>
        </table></div>` : null}
    </section>
  </div>`;
}
