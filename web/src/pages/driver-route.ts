import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { DriverReport } from '../../../src/planning/route-actions.js';
import type { RouteStop, StopAction, VehicleRoute } from '../../../src/planning/driver-route.js';
import { errorText, fieldErrors, sendJson } from '../lib/api.js';
import { formatNumber, formatTime, formatUnit, hasKey, t } from '../lib/i18n.js';
import { classLabel } from '../lib/labels.js';

/**
 * The driver's route on their page: the next stop first (large, with "mark done"), then every
 * stop in order with its time, window and what to do, and the problem report form.
 */
const carriesLabel = (c: string): string => (hasKey(`route.carries.${c}`) ? t(`route.carries.${c}`) : classLabel(c));

export function actionText(a: StopAction): string {
  switch (a.kind) {
    case 'leave_depot':
    case 'return_depot':
      return t(`route.action.${a.kind}`);
    case 'collect':
      return t(a.visits > 1 ? 'route.action.collectVisit' : 'route.action.collect', { class: carriesLabel(a.wasteClass), point: a.pointId, kg: formatNumber(a.kg), visit: a.visit, visits: a.visits });
    case 'street_work':
      return t('route.action.street_work', { work: t(`route.work.${a.work}`), segment: a.segmentId, pass: a.pass, passes: a.mechanicalPasses, length: formatNumber(a.lengthM) });
    case 'muck_load':
      return t('route.action.muck_load', { permit: a.permitId, facility: a.disposalFacilityId });
    case 'unload':
      return t('route.action.unload', { class: carriesLabel(a.carries), facility: a.facilityId, kg: formatNumber(a.kg) });
    case 'refill_water':
    case 'refill_deicer':
      return t(`route.action.${a.kind}`, { facility: a.facilityId });
    case 'break':
      return t('route.action.break', { minutes: Math.round(a.durationS / 60) });
  }
}

const DAY_MS = 86_400_000;

function StopBody({ stop }: { stop: RouteStop }) {
  // a window of a whole day (a facility open round the clock) says nothing to the driver
  const window = stop.window && Date.parse(stop.window.end) - Date.parse(stop.window.start) < DAY_MS ? stop.window : null;
  return html`
    <span class="stop-action">${actionText(stop.action)}</span>
    <span class="stop-times">
      ${stop.startLocal === stop.departureLocal ? t('route.plannedAt', { time: stop.startLocal }) : t('route.planned', { start: stop.startLocal, end: stop.departureLocal })}
      ${window ? html` · ${t('route.window', { start: window.startLocal, end: window.endLocal })}` : null}
    </span>`;
}

export function RoutePanel(props: { route: VehicleRoute; onChanged(): void }) {
  const { route } = props;
  const [busy, setBusy] = useState<string>();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  if (!route.plan || !route.route) {
    return html`<section class="route-panel page-notice" aria-labelledby="route-title">
      <h2 id="route-title">${t('route.title')}</h2>
      <p id="route-empty">${t('route.noPlan', { date: route.date })}</p>
    </section>`;
  }
  const r = route.route;
  const next = route.stops.find((s) => s.seq === route.nextSeq);
  const markDone = async (stop: RouteStop) => {
    setBusy(stop.id);
    setMessage(undefined);
    try {
      await sendJson('POST', `/api/v1/plans/${encodeURIComponent(route.plan!.id)}/stops/${encodeURIComponent(stop.id)}/done`, {});
      setMessage({ ok: true, text: t('route.marked', { seq: stop.seq }) });
      props.onChanged();
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    } finally {
      setBusy(undefined);
    }
  };
  const doneButton = (stop: RouteStop, primary: boolean) => html`<button type="button" class=${primary ? 'primary' : 'small'} disabled=${busy === stop.id}
    aria-label=${t('route.markDoneLabel', { seq: stop.seq })} onClick=${() => markDone(stop)}>${t('route.markDone')}</button>`;
  return html`<section class="route-panel" aria-labelledby="route-title">
    <h2 id="route-title">${t('route.title')} <small>${route.date}</small></h2>
    <p class="route-summary">${t('route.summary', {
      version: route.plan.version, status: t(`route.status.${route.plan.status}`, { defaultValue: route.plan.status }), start: r.startLocal, end: r.endLocal,
      distance: formatUnit(r.distanceM / 1000, 'kilometer', 1), stops: r.stops, unloads: r.unloadTrips,
    })}</p>
    <p class="route-break">${r.break ? t('route.break', { start: r.break.startLocal, end: r.break.endLocal }) : t('route.noBreak')}</p>
    ${message ? html`<p class=${message.ok ? 'form-ok' : 'form-error'} role=${message.ok ? 'status' : 'alert'}>${message.text}</p>` : null}
    ${next ? html`<div class="next-stop" id="next-stop" aria-labelledby="next-stop-title">
      <h3 id="next-stop-title">${t('route.next')}: ${t('route.stopNumber', { seq: next.seq })}</h3>
      <p><${StopBody} stop=${next} /></p>
      ${doneButton(next, true)}
    </div>` : html`<p class="form-ok">${t('route.allDone')}</p>`}
    <h3 class="stops-heading">${t('route.stopsHeading')}</h3>
    <ol class="route-stops" start="0">
      ${route.stops.map((stop) => html`<li key=${stop.id} data-stop=${stop.id}
          class=${`route-stop${stop.seq === route.nextSeq ? ' is-next' : ''}${stop.done ? ' is-done' : ''}`}
          aria-current=${stop.seq === route.nextSeq ? 'step' : undefined}>
        <span class="stop-seq" aria-hidden="true">${stop.seq}</span>
        <span class="stop-main"><${StopBody} stop=${stop} />
          ${stop.done ? html`<span class="stop-done">✓ ${t('route.doneAt', { time: formatTime(stop.done.at) })}</span>` : null}</span>
        ${!stop.done && stop.type !== 'start' && stop.seq !== route.nextSeq ? doneButton(stop, false) : null}
      </li>`)}
    </ol>
  </section>`;
}

const KINDS = ['vehicle_breakdown', 'blocked_road', 'bin_overflow', 'point_not_accessible'] as const;

export function ReportForm(props: { route?: VehicleRoute; position?: { lon: number; lat: number } }) {
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<DriverReport>();
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const note = String(data.get('note') ?? '').trim();
    const stopId = String(data.get('stopId') ?? '');
    const body = {
      kind: String(data.get('kind')),
      ...(note ? { note } : {}),
      ...(stopId ? { stopId } : {}),
      ...(data.get('withPosition') && props.position ? { position: props.position } : {}),
    };
    setBusy(true);
    setError(undefined);
    setFields({});
    setSent(undefined);
    try {
      setSent(await sendJson<DriverReport>('POST', '/api/v1/driver/reports', body));
      form.reset();
    } catch (err) {
      setError(errorText(err));
      setFields(fieldErrors(err));
    } finally {
      setBusy(false);
    }
  };
  const stops = props.route?.stops.filter((s) => s.type !== 'start') ?? [];
  return html`<section class="driver-card report-card" aria-labelledby="report-title">
    <h2 id="report-title">${t('report.title')}</h2>
    <form class="form" id="report-form" onSubmit=${submit} novalidate>
      <label>${t('report.kind')}
        <select name="kind" required>${KINDS.map((k) => html`<option value=${k}>${t(`report.kinds.${k}`)}</option>`)}</select></label>
      ${stops.length ? html`<label>${t('report.stop')}
        <select name="stopId"><option value="">${t('report.noStop')}</option>
          ${stops.map((s) => html`<option value=${s.id}>${t('route.stopNumber', { seq: s.seq })} · ${actionText(s.action)}</option>`)}</select></label>` : null}
      <label>${t('report.note')}<textarea name="note" rows="2" maxlength="500" aria-invalid=${fields.note ? 'true' : undefined}></textarea>
        ${fields.note ? html`<span class="field-error">${fields.note}</span>` : null}</label>
      ${props.position ? html`<label class="check"><input type="checkbox" name="withPosition" checked /> ${t('report.position')}</label>` : null}
      ${error ? html`<p class="form-error" role="alert">${error}</p>` : null}
      ${sent ? html`<p class="form-ok" role="status">${t('report.sent')}</p>` : null}
      <div class="form-actions"><button type="submit" class="primary" disabled=${busy}>${t('report.send')}</button></div>
    </form>
  </section>`;
}
