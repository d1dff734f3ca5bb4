import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { errorText, fieldErrors, getJson, sendJson } from '../../lib/api.js';
import { useLoad } from '../../lib/hooks.js';
import { formatNumber, t } from '../../lib/i18n.js';
import { classLabel, facilityKindLabel, facilityKinds, kindLabel, vehicleKinds, wasteClasses } from '../../lib/labels.js';
import { currentQuery, navigate } from '../../lib/router.js';
import { Field, getPath, type Doc, type FieldSpec } from './fields.js';

/**
 * City records: a list per kind with create, edit and delete. Depots, facilities,
 * vehicles and collection points have forms; sites, permits, zones and road segments
 * (mostly geometry) are edited as their JSON. The server validates; its field messages
 * are shown under the fields they name.
 */
interface ResourceUi {
  id: string;
  columns: Array<{ path: string; format?: (v: any) => string }>;
  fields?: FieldSpec[];
  template: Doc;
}

const opts = (list: Array<{ id: string }>, label: (id: string) => string) => list.map((x) => ({ value: x.id, label: label(x.id) }));

function resources(depots: Array<{ id: string; name: string }>): ResourceUi[] {
  const depotOptions = depots.map((d) => ({ value: d.id, label: `${d.name} (${d.id})` }));
  return [
    {
      id: 'vehicles',
      columns: [{ path: 'plate' }, { path: 'kind', format: kindLabel }, { path: 'district' }, { path: 'contractor' }, { path: 'homeDepotId' }],
      fields: [
        { path: 'id', kind: 'text' }, { path: 'plate', kind: 'text', required: true },
        { path: 'kind', kind: 'select', required: true, options: opts(vehicleKinds, kindLabel) },
        { path: 'wasteClasses', kind: 'multi', options: opts(wasteClasses, classLabel) },
        { path: 'district', kind: 'text' }, { path: 'contractor', kind: 'text' },
        { path: 'homeDepotId', kind: 'select', required: true, options: depotOptions },
        { path: 'shift', kind: 'window' },
        { path: 'capacityKg', kind: 'number', required: true, min: 0 }, { path: 'capacityM3', kind: 'number', required: true, min: 0 },
        { path: 'sealed', kind: 'bool' }, { path: 'hazardousRated', kind: 'bool' },
        { path: 'sensors.cover', kind: 'bool' }, { path: 'sensors.lift', kind: 'bool' }, { path: 'sensors.load', kind: 'bool' }, { path: 'sensors.coverFaulty', kind: 'bool' },
        { path: 'terminalId', kind: 'text' }, { path: 'terminalModel', kind: 'text' }, { path: 'deviceId', kind: 'text' },
        { path: 'workSpeedKmh', kind: 'number', min: 0 }, { path: 'waterCapacityL', kind: 'number', min: 0 },
      ],
      template: { kind: 'collector', wasteClasses: ['residual'], capacityKg: 5000, capacityM3: 10, sealed: true, hazardousRated: false, shift: { from: '05:00', to: '13:00' }, sensors: {} },
    },
    {
      id: 'depots',
      columns: [{ path: 'name' }, { path: 'district' }, { path: 'location', format: (p) => (p ? `${p.coordinates[1]}, ${p.coordinates[0]}` : '') }],
      fields: [{ path: 'id', kind: 'text' }, { path: 'name', kind: 'text', required: true }, { path: 'district', kind: 'text' }, { path: 'location', kind: 'point' }],
      template: {},
    },
    {
      id: 'facilities',
      columns: [{ path: 'name' }, { path: 'kind', format: facilityKindLabel }, { path: 'district' }, { path: 'dailyCapacityKg', format: (v) => formatNumber(v) }],
      fields: [
        { path: 'id', kind: 'text' }, { path: 'name', kind: 'text', required: true },
        { path: 'kind', kind: 'select', required: true, options: opts(facilityKinds, facilityKindLabel) },
        { path: 'district', kind: 'text' }, { path: 'location', kind: 'point' },
        { path: 'acceptedClasses', kind: 'multi', options: opts(wasteClasses, classLabel) },
        { path: 'openingHours', kind: 'windows' },
        { path: 'dailyCapacityKg', kind: 'number', required: true, min: 0 }, { path: 'unloadS', kind: 'number', required: true, min: 0, step: 1 },
      ],
      template: { kind: 'transfer_station', acceptedClasses: ['residual'], openingHours: [{ from: '04:00', to: '22:00' }], dailyCapacityKg: 100000, unloadS: 600 },
    },
    {
      id: 'collection-points',
      columns: [{ path: 'name' }, { path: 'wasteClass', format: classLabel }, { path: 'district' }, { path: 'expectedKgPerDay', format: (v) => formatNumber(v) }],
      fields: [
        { path: 'id', kind: 'text' }, { path: 'name', kind: 'text', required: true }, { path: 'district', kind: 'text' },
        { path: 'location', kind: 'point' },
        { path: 'wasteClass', kind: 'select', required: true, options: opts(wasteClasses.filter((c) => c.id !== 'construction'), classLabel) },
        { path: 'expectedKgPerDay', kind: 'number', required: true, min: 0 }, { path: 'serviceS', kind: 'number', required: true, min: 0, step: 1 },
        { path: 'visitsPerDay', kind: 'number', min: 1, step: 1 }, { path: 'minGapS', kind: 'number', min: 0, step: 1 },
        { path: 'windows', kind: 'windows' },
      ],
      template: { wasteClass: 'residual', expectedKgPerDay: 100, serviceS: 120, visitsPerDay: 1, windows: [] },
    },
    { id: 'construction-sites', columns: [{ path: 'name' }, { path: 'district' }], template: { name: '', location: { type: 'Point', coordinates: [0, 0] } } },
    {
      id: 'permits', columns: [{ path: 'number' }, { path: 'siteId' }, { path: 'validFrom' }, { path: 'validTo' }],
      template: { number: '', siteId: '', disposalFacilityId: '', vehicleIds: [], corridor: { line: { type: 'LineString', coordinates: [] }, widthM: 30 }, hours: { from: '22:00', to: '06:00' }, loadsPerDay: 10, validFrom: '', validTo: '' },
    },
    { id: 'restricted-zones', columns: [{ path: 'name' }, { path: 'mode' }, { path: 'district' }], template: { name: '', area: { type: 'Polygon', coordinates: [] }, vehicleKinds: ['muck_truck'], hours: [], mode: 'ban' } },
    { id: 'road-segments', columns: [{ path: 'name' }, { path: 'grade' }, { path: 'district' }], template: { geometry: { type: 'LineString', coordinates: [] }, grade: 4 } },
  ];
}

const PAGE = 50;

export function RecordsSection() {
  const kind = currentQuery().get('type') ?? 'vehicles';
  const [offset, setOffset] = useState(0);
  // seq: each opening of the form mounts it afresh (its inputs start from the record).
  const [editing, setEditingState] = useState<{ doc: Doc; isNew: boolean; seq: number }>();
  const setEditing = (e?: { doc: Doc; isNew: boolean }) => setEditingState(e ? { ...e, seq: Date.now() + Math.random() } : undefined);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const depots = useLoad((signal) => getJson<{ items: Array<{ id: string; name: string }> }>('/api/v1/depots?limit=1000', { signal }), [kind]);
  const ui = resources(depots.data?.items ?? []);
  const res = ui.find((r) => r.id === kind) ?? ui[0]!;
  const list = useLoad((signal) => getJson<{ items: Doc[]; total: number }>(`/api/v1/${res.id}?limit=${PAGE}&offset=${offset}`, { signal }), [res.id, offset]);

  const choose = (id: string) => {
    setOffset(0);
    setEditing(undefined);
    setMessage(undefined);
    navigate(`/admin/records?type=${id}`);
  };
  const remove = async (doc: Doc) => {
    if (!window.confirm(t('records.confirmDelete', { name: doc.name ?? doc.plate ?? doc.number ?? doc.id }))) return;
    try {
      await sendJson('DELETE', `/api/v1/${res.id}/${encodeURIComponent(doc.id)}`);
      setMessage({ ok: true, text: t('records.deleted') });
      list.reload();
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    }
  };

  return html`<section aria-labelledby="records-title" aria-busy=${list.loading ? 'true' : 'false'}>
    <h2 id="records-title" class="visually-hidden">${t('admin.records')}</h2>
    <div class="toolbar">
      <label class="inline">${t('records.kind')}
        <select value=${res.id} onChange=${(e: Event) => choose((e.target as HTMLSelectElement).value)}>
          ${ui.map((r) => html`<option key=${r.id} value=${r.id}>${t(`records.type.${r.id}`)}</option>`)}
        </select>
      </label>
      <button type="button" class="primary" onClick=${() => {
        setMessage(undefined);
        setEditing({ doc: structuredClone(res.template), isNew: true });
      }}>${t('records.new')}</button>
    </div>
    ${message ? html`<p class=${message.ok ? 'form-ok' : 'form-error'} role=${message.ok ? 'status' : 'alert'}>${message.text}</p>` : null}
    ${editing ? html`<${RecordForm} key=${editing.seq} res=${res} doc=${editing.doc} isNew=${editing.isNew}
      onCancel=${() => setEditing(undefined)}
      onSaved=${() => {
        setEditing(undefined);
        setMessage({ ok: true, text: t('records.saved') });
        list.reload();
      }} />` : null}
    ${list.error ? html`<p class="form-error" role="alert">${errorText(list.error)}</p>` : null}
    <div class="table-wrap" tabIndex="0" role="region" aria-label=${t(`records.type.${res.id}`)}>
      <table class="data-table" id="records-table">
        <thead><tr><th scope="col">${t('fields.id')}</th>${res.columns.map((c) => html`<th scope="col" key=${c.path}>${t(`fields.${c.path}`)}</th>`)}<th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th></tr></thead>
        <tbody>
          ${(list.data?.items ?? []).map((doc) => html`<tr key=${doc.id} data-id=${doc.id}>
            <td><code>${doc.id}</code></td>
            ${res.columns.map((c) => {
              const v = getPath(doc, c.path);
              return html`<td key=${c.path}>${v === undefined || v === null ? '—' : c.format ? c.format(v) : String(v)}</td>`;
            })}
            <td class="row-actions">
              <button type="button" class="small" onClick=${() => {
                setMessage(undefined);
                setEditing({ doc: structuredClone(doc), isNew: false });
              }}>${t('common.edit')}</button>
              <button type="button" class="small danger" onClick=${() => remove(doc)}>${t('common.delete')}</button>
            </td>
          </tr>`)}
        </tbody>
      </table>
    </div>
    ${list.data ? html`<div class="pager">
      <span>${t('records.range', { from: list.data.total ? offset + 1 : 0, to: Math.min(offset + PAGE, list.data.total), total: list.data.total })}</span>
      <button type="button" class="small" disabled=${offset === 0} onClick=${() => setOffset(Math.max(0, offset - PAGE))}>${t('common.previous')}</button>
      <button type="button" class="small" disabled=${offset + PAGE >= list.data.total} onClick=${() => setOffset(offset + PAGE)}>${t('common.next')}</button>
    </div>` : list.loading ? html`<p class="muted">${t('common.loading')}</p>` : null}
  </section>`;
}

function RecordForm(props: { res: ResourceUi; doc: Doc; isNew: boolean; onCancel(): void; onSaved(): void }) {
  const { res, isNew } = props;
  const [doc, setDoc] = useState<Doc>(props.doc);
  const [json, setJson] = useState(() => JSON.stringify(props.doc, null, 2));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    let body: Doc;
    if (res.fields) {
      body = doc;
    } else {
      try {
        body = JSON.parse(json) as Doc;
      } catch (err) {
        setError(t('records.badJson', { message: (err as Error).message }));
        return;
      }
    }
    setBusy(true);
    setError(undefined);
    setErrors({});
    try {
      if (isNew) await sendJson('POST', `/api/v1/${res.id}`, body);
      else await sendJson('PUT', `/api/v1/${res.id}/${encodeURIComponent(props.doc.id)}`, body);
      props.onSaved();
    } catch (err) {
      setError(errorText(err));
      setErrors(fieldErrors(err));
    } finally {
      setBusy(false);
    }
  };
  const title = isNew ? t('records.createTitle', { kind: t(`records.type.${res.id}`) }) : t('records.editTitle', { id: props.doc.id });
  const fields = res.fields?.filter((f) => !(f.path === 'id' && !isNew));
  return html`<form class="form record-form" onSubmit=${submit} aria-label=${title} novalidate>
    <h3>${title}</h3>
    ${fields
      ? html`<div class="form-grid">${fields.map((f) => html`<${Field} key=${f.path} spec=${f} doc=${doc} onChange=${setDoc} errors=${errors} labelKey=${`fields.${f.path}`} />`)}</div>`
      : html`<label>${t('records.json')}<textarea rows="14" spellcheck="false" value=${json} onInput=${(e: Event) => setJson((e.target as HTMLTextAreaElement).value)}></textarea></label>`}
    ${error ? html`<div class="form-error" role="alert"><p>${error}</p>
      ${Object.keys(errors).length ? html`<ul>${Object.entries(errors).map(([p, m]) => html`<li key=${p}><code>${p}</code>: ${m}</li>`)}</ul>` : null}</div>` : null}
    <div class="form-actions">
      <button type="submit" class="primary" disabled=${busy}>${t('common.save')}</button>
      <button type="button" onClick=${props.onCancel}>${t('common.cancel')}</button>
    </div>
  </form>`;
}
