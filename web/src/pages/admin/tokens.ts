import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { errorText, fieldErrors, getJson, listAll, sendJson } from '../../lib/api.js';
import { useLoad } from '../../lib/hooks.js';
import { formatDateTime, t } from '../../lib/i18n.js';
import { roleLabel } from '../../lib/labels.js';
import { staffRoles } from '../../lib/roles.js';
import { Field, type Doc, type FieldSpec } from './fields.js';

interface TokenRow {
  id?: string;
  tokenId?: string;
  role: string;
  vehicleId?: string;
  label?: string;
  createdAt?: string;
  expiresAt?: string | null;
  revokedAt?: string | null;
}

const tokenRoles = [...staffRoles, 'device'];

/** API tokens for devices and integrations: issue (the secret is shown once), list, revoke. */
export function TokensSection() {
  const tokens = useLoad((signal) => getJson<{ items: TokenRow[] }>('/api/v1/tokens', { signal }), []);
  const vehicles = useLoad((signal) => listAll<{ id: string; plate: string }>('/api/v1/vehicles', 20_000, signal), []);
  const [doc, setDoc] = useState<Doc>({ role: 'device' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();
  const [secret, setSecret] = useState<string>();
  const [showRevoked, setShowRevoked] = useState(false);
  // Bumped after an issue: the form's inputs start empty again.
  const [formSeq, setFormSeq] = useState(0);

  const needsVehicle = doc.role === 'driver' || doc.role === 'device';
  const fields: FieldSpec[] = [
    { path: 'role', kind: 'select', required: true, options: tokenRoles.map((r) => ({ value: r, label: roleLabel(r) })) },
    ...(needsVehicle ? [{ path: 'vehicleId', kind: 'select', required: doc.role === 'driver', options: (vehicles.data ?? []).map((v) => ({ value: v.id, label: v.plate })) } as FieldSpec] : []),
    { path: 'label', kind: 'text' },
    { path: 'expiresAt', kind: 'datetime' },
  ];
  const issue = async (e: Event) => {
    e.preventDefault();
    const body = { ...doc };
    if (!needsVehicle) delete body.vehicleId;
    setErrors({});
    setSecret(undefined);
    try {
      const answer = await sendJson<{ token: string }>('POST', '/api/v1/tokens', body);
      setSecret(answer.token);
      setMsg(undefined);
      setDoc({ role: doc.role });
      setFormSeq((n) => n + 1);
      tokens.reload();
    } catch (err) {
      setErrors(fieldErrors(err));
      setMsg({ ok: false, text: errorText(err) });
    }
  };
  const revoke = async (row: TokenRow) => {
    const id = row.id ?? row.tokenId!;
    if (!window.confirm(t('tokens.confirmRevoke', { label: row.label ?? id }))) return;
    try {
      await sendJson('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`);
      setMsg({ ok: true, text: t('tokens.revoked') });
      tokens.reload();
    } catch (err) {
      setMsg({ ok: false, text: errorText(err) });
    }
  };
  const plate = (id?: string) => (id ? vehicles.data?.find((v) => v.id === id)?.plate ?? id : '—');
  const rows = (tokens.data?.items ?? []).filter((r) => showRevoked || !r.revokedAt);

  return html`<section aria-labelledby="tokens-title">
    <h2 id="tokens-title">${t('admin.tokens')}</h2>
    <p class="hint">${t('tokens.intro')}</p>
    <form key=${formSeq} class="form record-form" onSubmit=${issue} aria-label=${t('tokens.issue')} novalidate>
      <h3>${t('tokens.issue')}</h3>
      <div class="form-grid">${fields.map((f) => html`<${Field} key=${f.path} spec=${f} doc=${doc} onChange=${setDoc} errors=${errors} labelKey=${`tokens.${f.path}`} />`)}</div>
      <div class="form-actions"><button type="submit" class="primary">${t('tokens.issueButton')}</button></div>
    </form>
    ${secret ? html`<div class="secret-box" role="status">
      <p><b>${t('tokens.secretOnce')}</b></p>
      <code id="new-token-secret">${secret}</code>
      <button type="button" class="small" onClick=${() => void navigator.clipboard?.writeText(secret)}>${t('tokens.copy')}</button>
    </div>` : null}
    ${msg ? html`<p class=${msg.ok ? 'form-ok' : 'form-error'} role=${msg.ok ? 'status' : 'alert'}>${msg.text}</p>` : null}
    ${tokens.error ? html`<p class="form-error" role="alert">${errorText(tokens.error)}</p>` : null}
    <label class="check"><input type="checkbox" checked=${showRevoked} onChange=${(e: Event) => setShowRevoked((e.target as HTMLInputElement).checked)} /> ${t('tokens.showRevoked')}</label>
    <div class="table-wrap" tabIndex="0" role="region" aria-label=${t('admin.tokens')}>
      <table class="data-table" id="tokens-table">
        <thead><tr>
          <th scope="col">${t('tokens.label')}</th><th scope="col">${t('tokens.role')}</th><th scope="col">${t('tokens.vehicleId')}</th>
          <th scope="col">${t('tokens.created')}</th><th scope="col">${t('tokens.expiresAt')}</th><th scope="col">${t('tokens.state')}</th>
          <th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th>
        </tr></thead>
        <tbody>${rows.map((r) => html`<tr key=${r.id ?? r.tokenId} data-id=${r.id ?? r.tokenId}>
          <td>${r.label ?? html`<code>${r.id ?? r.tokenId}</code>`}</td><td>${roleLabel(r.role)}</td><td>${plate(r.vehicleId)}</td>
          <td>${r.createdAt ? formatDateTime(r.createdAt) : '—'}</td><td>${r.expiresAt ? formatDateTime(r.expiresAt) : t('tokens.never')}</td>
          <td>${r.revokedAt ? t('tokens.revokedAt', { time: formatDateTime(r.revokedAt) }) : t('tokens.active')}</td>
          <td class="row-actions">${r.revokedAt ? null : html`<button type="button" class="small danger" onClick=${() => revoke(r)}>${t('tokens.revoke')}</button>`}</td>
        </tr>`)}</tbody>
      </table>
    </div>
  </section>`;
}
