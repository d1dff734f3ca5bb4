import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { ApiError, errorText, fieldErrors, getJson, listAll, sendJson } from '../../lib/api.js';
import { useLoad } from '../../lib/hooks.js';
import { t } from '../../lib/i18n.js';
import { roleLabel } from '../../lib/labels.js';
import { staffRoles } from '../../lib/roles.js';
import { Field, type Doc, type FieldSpec } from './fields.js';

interface User {
  id: string;
  name: string;
  displayName?: string;
  role: string;
  vehicleId?: string;
  contractor?: string;
  district?: string;
}

/** People's accounts: a driver is bound to a vehicle; contractor and district scope where they apply. */
export function UsersSection() {
  const users = useLoad((signal) => getJson<{ items: User[] } | User[]>('/api/v1/users', { signal }), []);
  const vehicles = useLoad((signal) => listAll<{ id: string; plate: string }>('/api/v1/vehicles', 20_000, signal), []);
  const [editing, setEditingState] = useState<{ doc: Doc; isNew: boolean; seq: number }>();
  const setEditing = (e?: { doc: Doc; isNew: boolean }) => setEditingState(e ? { ...e, seq: Date.now() + Math.random() } : undefined);
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();

  if (users.error instanceof ApiError && users.error.status === 404) {
    return html`<section class="page-notice"><h2>${t('admin.users')}</h2><p>${t('users.unavailable')}</p></section>`;
  }
  const items: User[] = Array.isArray(users.data) ? users.data : users.data?.items ?? [];
  const plate = (id?: string) => vehicles.data?.find((v) => v.id === id)?.plate ?? id;

  const remove = async (u: User) => {
    if (!window.confirm(t('users.confirmDelete', { name: u.displayName ?? u.name }))) return;
    try {
      await sendJson('DELETE', `/api/v1/users/${encodeURIComponent(u.id)}`);
      setMsg({ ok: true, text: t('users.deleted') });
      users.reload();
    } catch (err) {
      setMsg({ ok: false, text: errorText(err) });
    }
  };

  return html`<section aria-labelledby="users-title">
    <h2 id="users-title">${t('admin.users')}</h2>
    <div class="toolbar"><button type="button" class="primary" onClick=${() => {
      setMsg(undefined);
      setEditing({ doc: { role: 'dispatcher' }, isNew: true });
    }}>${t('users.new')}</button></div>
    ${msg ? html`<p class=${msg.ok ? 'form-ok' : 'form-error'} role=${msg.ok ? 'status' : 'alert'}>${msg.text}</p>` : null}
    ${editing ? html`<${UserForm} key=${editing.seq} doc=${editing.doc} isNew=${editing.isNew} vehicles=${vehicles.data ?? []}
      onCancel=${() => setEditing(undefined)}
      onSaved=${() => {
        setEditing(undefined);
        setMsg({ ok: true, text: t('users.saved') });
        users.reload();
      }} />` : null}
    ${users.error ? html`<p class="form-error" role="alert">${errorText(users.error)}</p>` : null}
    <div class="table-wrap" tabIndex="0" role="region" aria-label=${t('admin.users')}>
      <table class="data-table" id="users-table">
        <thead><tr>
          <th scope="col">${t('users.name')}</th><th scope="col">${t('users.displayName')}</th><th scope="col">${t('users.role')}</th>
          <th scope="col">${t('users.vehicle')}</th><th scope="col">${t('users.contractor')}</th><th scope="col">${t('users.district')}</th>
          <th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th>
        </tr></thead>
        <tbody>${items.map((u) => html`<tr key=${u.id} data-id=${u.id}>
          <td>${u.name}</td><td>${u.displayName ?? '—'}</td><td>${roleLabel(u.role)}</td><td>${plate(u.vehicleId) ?? '—'}</td>
          <td>${u.contractor ?? '—'}</td><td>${u.district ?? '—'}</td>
          <td class="row-actions">
            <button type="button" class="small" onClick=${() => setEditing({ doc: { ...u }, isNew: false })}>${t('common.edit')}</button>
            <button type="button" class="small danger" onClick=${() => remove(u)}>${t('common.delete')}</button>
          </td>
        </tr>`)}</tbody>
      </table>
    </div>
    ${users.loading ? html`<p class="muted">${t('common.loading')}</p>` : null}
  </section>`;
}

function UserForm(props: { doc: Doc; isNew: boolean; vehicles: Array<{ id: string; plate: string }>; onCancel(): void; onSaved(): void }) {
  const [doc, setDoc] = useState<Doc>(props.doc);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const fields: FieldSpec[] = [
    { path: 'name', kind: 'text', required: true, autocomplete: 'off' },
    { path: 'displayName', kind: 'text' },
    { path: 'role', kind: 'select', required: true, options: staffRoles.map((r) => ({ value: r, label: roleLabel(r) })) },
    ...(doc.role === 'driver' ? [{ path: 'vehicleId', kind: 'select', required: true, options: props.vehicles.map((v) => ({ value: v.id, label: v.plate })) } as FieldSpec] : []),
    { path: 'contractor', kind: 'text' },
    { path: 'district', kind: 'text' },
    { path: 'password', kind: 'password', required: props.isNew, autocomplete: 'new-password' },
  ];
  const submit = async (e: Event) => {
    e.preventDefault();
    const { id, createdAt, updatedAt, ...body } = doc;
    void createdAt;
    void updatedAt;
    if (body.role !== 'driver') delete body.vehicleId;
    setErrors({});
    setError(undefined);
    try {
      if (props.isNew) await sendJson('POST', '/api/v1/users', body);
      else await sendJson('PUT', `/api/v1/users/${encodeURIComponent(String(id))}`, body);
      props.onSaved();
    } catch (err) {
      setError(errorText(err));
      setErrors(fieldErrors(err));
    }
  };
  const title = props.isNew ? t('users.createTitle') : t('users.editTitle', { name: props.doc.name });
  return html`<form class="form record-form" onSubmit=${submit} aria-label=${title} novalidate>
    <h3>${title}</h3>
    <div class="form-grid">${fields.map((f) => html`<${Field} key=${f.path} spec=${f} doc=${doc} onChange=${setDoc} errors=${errors} labelKey=${`users.${f.path}`} />`)}</div>
    ${props.isNew ? null : html`<p class="hint">${t('users.passwordKeep')}</p>`}
    ${error ? html`<p class="form-error" role="alert">${error}</p>` : null}
    <div class="form-actions">
      <button type="submit" class="primary">${t('common.save')}</button>
      <button type="button" onClick=${props.onCancel}>${t('common.cancel')}</button>
    </div>
  </form>`;
}
