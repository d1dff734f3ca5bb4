import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { errorText, fieldErrors, getJson, sendJson } from '../../lib/api.js';
import { loadCity } from '../../lib/city.js';
import { useLoad } from '../../lib/hooks.js';
import { t } from '../../lib/i18n.js';
import { Field, type Doc, type FieldSpec } from './fields.js';

/** The profile values an operator changes most; the rest is in the JSON below the form. */
const profileFields: FieldSpec[] = [
  { path: 'name', kind: 'text', required: true },
  { path: 'timeZone', kind: 'text', required: true },
  { path: 'muckTruckHours', kind: 'window' },
  { path: 'collectionWindows', kind: 'windows' },
  { path: 'speedLimitsKmh.muckTruckInTown', kind: 'number', min: 0 },
  { path: 'speedLimitsKmh.coverOpen', kind: 'number', min: 0 },
  { path: 'speedLimitsKmh.sweeperWorking', kind: 'number', min: 0 },
  { path: 'speedLimitsKmh.collector', kind: 'number', min: 0 },
  { path: 'corridor.defaultWidthM', kind: 'number', min: 0 },
  { path: 'corridor.minWidthM', kind: 'number', min: 0 },
  { path: 'corridor.maxWidthM', kind: 'number', min: 0 },
  { path: 'corridor.endpointToleranceM', kind: 'number', min: 0 },
  { path: 'tracking.stoppedBelowKmh', kind: 'number', min: 0 },
  { path: 'tracking.offlineAfterS', kind: 'number', min: 0, step: 1 },
  { path: 'tracking.maxFixAgeH', kind: 'number', min: 0 },
  { path: 'directHaulMaxKm', kind: 'number', min: 0 },
];

export function ProfileSection() {
  const loaded = useLoad((signal) => getJson<Doc>('/api/v1/city-profile', { signal }), []);
  const [doc, setDoc] = useState<Doc>();
  const [json, setJson] = useState('');
  const [mode, setMode] = useState<'form' | 'json'>('form');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();
  useEffect(() => {
    if (loaded.data) {
      setDoc(loaded.data);
      setJson(JSON.stringify(loaded.data, null, 2));
    }
  }, [loaded.data]);
  if (loaded.error) return html`<p class="form-error" role="alert">${errorText(loaded.error)}</p>`;
  if (!doc) return html`<p class="muted">${t('common.loading')}</p>`;

  const save = async (e: Event) => {
    e.preventDefault();
    let body: Doc;
    try {
      body = mode === 'form' ? doc : (JSON.parse(json) as Doc);
    } catch (err) {
      setMsg({ ok: false, text: t('records.badJson', { message: (err as Error).message }) });
      return;
    }
    setErrors({});
    try {
      const saved = await sendJson<Doc>('PUT', '/api/v1/city-profile', body);
      setDoc(saved);
      setJson(JSON.stringify(saved, null, 2));
      setMsg({ ok: true, text: t('profile.saved') });
      // The time zone and the city's name show everywhere.
      void loadCity(true);
    } catch (err) {
      setErrors(fieldErrors(err));
      setMsg({ ok: false, text: errorText(err) });
    }
  };
  return html`<section aria-labelledby="profile-title">
    <h2 id="profile-title">${t('admin.profile')}</h2>
    <div class="toolbar" role="group" aria-label=${t('profile.editAs')}>
      <button type="button" class=${mode === 'form' ? 'small selected' : 'small'} aria-pressed=${mode === 'form'} onClick=${() => {
        try {
          setDoc(JSON.parse(json) as Doc);
          setMode('form');
        } catch (err) {
          setMsg({ ok: false, text: t('records.badJson', { message: (err as Error).message }) });
        }
      }}>${t('profile.form')}</button>
      <button type="button" class=${mode === 'json' ? 'small selected' : 'small'} aria-pressed=${mode === 'json'} onClick=${() => {
        setJson(JSON.stringify(doc, null, 2));
        setMode('json');
      }}>${t('profile.json')}</button>
    </div>
    <form class="form" onSubmit=${save} novalidate>
      ${mode === 'form'
        ? html`<div class="form-grid">${profileFields.map((f) => html`<${Field} key=${f.path} spec=${f} doc=${doc} onChange=${setDoc} errors=${errors} labelKey=${`profile.field.${f.path}`} />`)}</div>`
        : html`<label>${t('profile.json')}<textarea rows="24" spellcheck="false" value=${json} onInput=${(e: Event) => setJson((e.target as HTMLTextAreaElement).value)}></textarea></label>`}
      ${msg ? html`<div class=${msg.ok ? 'form-ok' : 'form-error'} role=${msg.ok ? 'status' : 'alert'}><p>${msg.text}</p>
        ${!msg.ok && Object.keys(errors).length ? html`<ul>${Object.entries(errors).map(([p, m]) => html`<li key=${p}><code>${p}</code>: ${m}</li>`)}</ul>` : null}</div>` : null}
      <div class="form-actions"><button type="submit" class="primary">${t('common.save')}</button></div>
    </form>
  </section>`;
}
