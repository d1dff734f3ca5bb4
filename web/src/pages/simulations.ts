import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { Chart } from '../components/chart.js';
import { PageTitle } from '../components/shell.js';
import { errorText, fieldErrors, getJson, sendJson } from '../lib/api.js';
import { followCapacityRun, type CapacityProgressEvent } from '../lib/capacity-live.js';
import { useLang, useLoad } from '../lib/hooks.js';
import { formatDateTime, formatNumber, t } from '../lib/i18n.js';

interface Interval { low: number; high: number }
interface ConfigSummary { label: string; days: number; cleared: number; share: number; interval: Interval; snow?: { days: number; cleared: number }; mean: { vehicles: number; vehicleHours: number; km: number } }
interface DayOutcome { day: number; fleet: string; cleared: boolean; pointVisits: { due: number; unserved: number }; unservedByReason: Record<string, number>; vehicleHours: number }
interface Run {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  scenario: { days: number; seed: number; iterations: number; fleets: Array<Record<string, number>>; targetShare: number; startDate: string };
  progress: { done: number; total: number };
  result: { configs: ConfigSummary[]; recommended: { label: string; share: number; interval: Interval } | null; days?: DayOutcome[] } | null;
  error: string | null;
  createdAt: string;
}

/** Read the run again this often only while the socket is down (its events carry the progress). */
const POLL_MS = 1500;
const WORK = ['points', 'muck', 'streets'] as const;
const pct = (x: number) => `${formatNumber(x * 100, 1)} %`;
const unservedOf = (d: DayOutcome) => Object.values(d.unservedByReason).reduce((n, x) => n + x, 0);

/** "collector=3, sweeper=2" → one fleet; fleets separated by ";" */
export function parseFleets(text: string): Array<Record<string, number>> {
  return text.split(';').map((f) => f.trim()).filter(Boolean).map((f) => Object.fromEntries(f.split(',').map((kv) => {
    const [k, v] = kv.split('=').map((x) => x.trim());
    return [k ?? '', Number(v)];
  })));
}

/** A histogram of values into `bins` equal bins: labels and counts. */
export function histogram(values: number[], bins = 8): { labels: string[]; counts: number[] } {
  if (values.length === 0) return { labels: [], counts: [] };
  const max = Math.max(...values);
  const width = max <= 0 ? 1 : max / bins;
  const counts = Array.from({ length: bins }, () => 0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor(v / width))]!++;
  return { labels: counts.map((_, i) => `${formatNumber(i * width, 1)}–${formatNumber((i + 1) * width, 1)}`), counts };
}

/**
 * Capacity studies (issue 14 item 5): the runs, a form to start one, its progress live over the
 * socket (days done, the share cleared so far per fleet; read again every 1.5 s only while the
 * socket is down), and its result: the share of days cleared per fleet with its 95 % interval
 * (a band), the spread of unserved work and vehicle hours over the simulated days, and the
 * recommended fleet in words.
 */
export function SimulationsPage() {
  useLang();
  const runs = useLoad((signal) => getJson<{ items: Run[] }>('/api/v1/capacity-runs?limit=50', { signal }), []);
  const [selected, setSelected] = useState<string>();
  const [run, setRun] = useState<Run>();
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [live, setLive] = useState<CapacityProgressEvent>();

  useEffect(() => {
    if (!selected) return;
    let stop = false;
    let socketUp = false;
    let ended = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let unfollow: (() => void) | undefined;
    setLive(undefined);
    const read = async () => {
      try {
        const r = await getJson<Run>(`/api/v1/capacity-runs/${selected}`);
        if (stop) return;
        setRun(r);
        if (r.status === 'queued' || r.status === 'running') {
          unfollow ??= followCapacityRun(selected, {
            live: (on) => {
              socketUp = on;
              if (!on && !ended && !stop) poll();
            },
            progress: (e) => {
              setLive(e);
              if ((e.status === 'done' || e.status === 'failed') && !ended) {
                ended = true;
                void read();
              }
            },
          });
        } else {
          ended = true;
          unfollow?.();
          runs.reload();
        }
      } catch (e) {
        if (!stop) setError(errorText(e));
      }
    };
    // the fallback: while the socket is down, read the run itself
    const poll = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (stop || ended || socketUp) return;
        void read().then(() => {
          if (!socketUp && !ended) poll();
        });
      }, POLL_MS);
    };
    void read();
    return () => {
      stop = true;
      clearTimeout(timer);
      unfollow?.();
    };
  }, [selected]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    setFields({});
    try {
      const body = {
        days: Number(data.get('days')), seed: Number(data.get('seed')), iterations: Number(data.get('iterations')),
        fleets: parseFleets(String(data.get('fleets') ?? '')), work: data.getAll('work').map(String),
      };
      const res = await sendJson<{ id: string }>('POST', '/api/v1/capacity-runs', body);
      setSelected(res.id);
      runs.reload();
    } catch (err) {
      setError(errorText(err));
      setFields(fieldErrors(err));
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (k: string) => Object.entries(fields).find(([p]) => p === `body.${k}` || p.startsWith(`body.${k}.`))?.[1];

  const configs = run?.result?.configs ?? [];
  const days = run?.result?.days ?? [];
  const unserved = histogram(days.map(unservedOf));
  const hours = histogram(days.map((d) => d.vehicleHours));
  const rec = run?.result?.recommended;
  // while it runs, the socket's counts are newer than the run read at the start
  const progress = live && run && live.runId === run.id ? { done: live.done, total: live.total } : run?.progress;
  const shares = live && run && live.runId === run.id && !run.result ? live.shares : [];

  return html`<div class="page simulations-page">
    <${PageTitle} id="simulations" />
    <section aria-labelledby="sim-new-title">
      <h2 id="sim-new-title">${t('sim.new')}</h2>
      <form class="form sim-form" id="sim-create" onSubmit=${submit} novalidate>
        <div class="form-row">
          <label>${t('sim.days')}<input type="number" name="days" value="7" min="1" max="3660" required aria-invalid=${fieldError('days') ? 'true' : undefined} />
            ${fieldError('days') ? html`<span class="field-error">${fieldError('days')}</span>` : null}</label>
          <label>${t('sim.seed')}<input type="number" name="seed" value="1" min="0" required /></label>
          <label>${t('sim.iterations')}<input type="number" name="iterations" value="100" min="1" required /></label>
        </div>
        <label>${t('sim.fleets')}<input type="text" name="fleets" value="collector=4; collector=6" required aria-describedby="sim-fleets-hint"
          aria-invalid=${fieldError('fleets') ? 'true' : undefined} />
          ${fieldError('fleets') ? html`<span class="field-error">${fieldError('fleets')}</span>` : null}</label>
        <p class="muted" id="sim-fleets-hint">${t('sim.fleetsHint')}</p>
        <fieldset class="sim-work"><legend>${t('sim.work')}</legend>
          ${WORK.map((w) => html`<label class="check"><input type="checkbox" name="work" value=${w} checked /> ${t(`sim.workKind.${w}`)}</label>`)}
          ${fieldError('work') ? html`<span class="field-error">${fieldError('work')}</span>` : null}
        </fieldset>
        <button type="submit" disabled=${busy}>${t('sim.start')}</button>
      </form>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    </section>
    <section aria-labelledby="sim-runs-title">
      <h2 id="sim-runs-title">${t('sim.runs')}</h2>
      ${runs.error ? html`<p class="error" role="alert">${errorText(runs.error)}</p>` : null}
      ${runs.data && runs.data.items.length === 0 ? html`<p class="muted">${t('sim.noRuns')}</p>` : null}
      ${runs.data?.items.length ? html`<div class="table-wrap" tabIndex="0" role="region" aria-label=${t('sim.runs')}><table class="data-table" id="sim-runs">
        <thead><tr><th scope="col">${t('sim.col.created')}</th><th scope="col">${t('sim.col.status')}</th><th scope="col">${t('sim.days')}</th>
          <th scope="col">${t('sim.col.fleets')}</th><th scope="col">${t('sim.col.progress')}</th><th scope="col"><span class="visually-hidden">${t('sim.open')}</span></th></tr></thead>
        <tbody>${runs.data.items.map((r) => html`<tr data-run=${r.id}>
          <td>${formatDateTime(r.createdAt)}</td><td>${t(`sim.status.${r.status}`)}</td><td>${r.scenario.days}</td><td>${r.scenario.fleets.length}</td>
          <td>${r.progress.done} / ${r.progress.total}</td>
          <td><button type="button" class="small" onClick=${() => setSelected(r.id)} aria-label=${t('sim.openLabel', { when: formatDateTime(r.createdAt) })}>${t('sim.open')}</button></td>
        </tr>`)}</tbody>
      </table></div>` : null}
    </section>
    ${run ? html`<section aria-labelledby="sim-run-title" id="sim-run">
      <h2 id="sim-run-title">${t('sim.runTitle', { when: formatDateTime(run.createdAt) })}</h2>
      <p>${t(`sim.status.${run.status}`)}</p>
      ${(run.status === 'queued' || run.status === 'running') && progress ? html`<progress id="sim-progress" max=${Math.max(1, progress.total)} value=${progress.done}
        aria-label=${t('sim.col.progress')}>${progress.done} / ${progress.total}</progress>
        <span class="muted" role="status">${progress.done} / ${progress.total}</span>` : null}
      ${shares.length ? html`<div class="table-wrap" tabIndex="0" role="region" aria-label=${t('sim.soFar')}><table class="data-table" id="sim-live-shares">
        <caption>${t('sim.soFar')}</caption>
        <thead><tr><th scope="col">${t('sim.col.fleet')}</th><th scope="col">${t('sim.col.cleared')}</th><th scope="col">${t('sim.col.share')}</th></tr></thead>
        <tbody>${shares.map((f) => html`<tr data-fleet=${f.label}><th scope="row">${f.label}</th><td>${f.cleared} / ${f.days}</td>
          <td>${f.share === null ? '–' : pct(f.share)}</td></tr>`)}</tbody>
      </table></div>` : null}
      ${run.error ? html`<p class="error" role="alert">${run.error}</p>` : null}
      ${run.result ? html`
        <p id="sim-recommendation" class="sim-recommendation">${rec
          ? t('sim.recommend', { fleet: rec.label, share: pct(rec.share), low: pct(rec.interval.low), high: pct(rec.interval.high), target: pct(run.scenario.targetShare) })
          : t('sim.recommendNone', { target: pct(run.scenario.targetShare) })}</p>
        <${Chart} id="chart-share" title=${t('sim.chart.share')} labels=${configs.map((c) => c.label)} yRange=${[0, 1]} formatY=${(v: number) => `${Math.round(v * 100)}%`}
          band=${[1, 2]}
          series=${[
            { label: t('sim.col.share'), values: configs.map((c) => c.share), color: '#1b7837', kind: 'line' },
            { label: t('sim.col.high'), values: configs.map((c) => c.interval.high), color: '#2166ac', kind: 'line' },
            { label: t('sim.col.low'), values: configs.map((c) => c.interval.low), color: '#2166ac', kind: 'line' },
          ]} />
        <div class="table-wrap" tabIndex="0" role="region" aria-label=${t('sim.chart.share')}><table class="data-table" id="sim-configs">
          <thead><tr><th scope="col">${t('sim.col.fleet')}</th><th scope="col">${t('sim.col.cleared')}</th><th scope="col">${t('sim.col.share')}</th>
            <th scope="col">${t('sim.col.interval')}</th><th scope="col">${t('sim.col.snow')}</th><th scope="col">${t('sim.col.hours')}</th><th scope="col">${t('sim.col.km')}</th></tr></thead>
          <tbody>${configs.map((c) => html`<tr data-fleet=${c.label}><th scope="row">${c.label}</th><td>${c.cleared} / ${c.days}</td><td data-k="share">${pct(c.share)}</td>
            <td>${pct(c.interval.low)} – ${pct(c.interval.high)}</td><td data-k="snow">${c.snow && c.snow.days > 0 ? `${c.snow.cleared} / ${c.snow.days}` : '–'}</td><td>${formatNumber(c.mean.vehicleHours, 1)}</td><td>${formatNumber(c.mean.km, 1)}</td></tr>`)}</tbody>
        </table></div>
        ${days.length ? html`<div class="chart-pair">
          <${Chart} id="chart-unserved" title=${t('sim.chart.unserved')} labels=${unserved.labels}
            series=${[{ label: t('sim.col.daysCount'), values: unserved.counts, color: '#b2182b', kind: 'bar' }]} />
          <${Chart} id="chart-hours" title=${t('sim.chart.hours')} labels=${hours.labels}
            series=${[{ label: t('sim.col.daysCount'), values: hours.counts, color: '#b35806', kind: 'bar' }]} />
        </div>` : null}` : null}
    </section>` : null}
  </div>`;
}
