import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { PageTitle } from '../components/shell.js';
import { errorText, fieldErrors, sendJson } from '../lib/api.js';
import { useSession } from '../lib/hooks.js';
import { formatDateTime, t } from '../lib/i18n.js';
import { roleLabel } from '../lib/labels.js';

/** Who is signed in, and the password change for people (API tokens have no password). */
export function AccountPage() {
  const s = useSession()!;
  const u = s.user;
  const [msg, setMsg] = useState<{ ok: boolean; text: string; fields?: Record<string, string> }>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const newPassword = String(data.get('newPassword') ?? '');
    if (newPassword !== String(data.get('repeat') ?? '')) {
      setMsg({ ok: false, text: t('account.mismatch') });
      return;
    }
    setBusy(true);
    try {
      await sendJson('POST', '/api/v1/auth/password', { currentPassword: String(data.get('currentPassword') ?? ''), newPassword });
      form.reset();
      setMsg({ ok: true, text: t('account.changed') });
    } catch (err) {
      setMsg({ ok: false, text: errorText(err), fields: fieldErrors(err) });
    } finally {
      setBusy(false);
    }
  };
  const facts: Array<[string, string | undefined]> = [
    [t('account.name'), u.name],
    [t('account.displayName'), u.displayName],
    [t('account.role'), roleLabel(u.role)],
    [t('account.vehicle'), u.vehicleId],
    [t('account.contractor'), u.contractor],
    [t('account.district'), u.district],
    [t('account.signedInWith'), s.kind === 'user' ? t('account.password') : t('account.apiToken')],
    [t('account.expires'), s.expiresAt ? formatDateTime(s.expiresAt) : undefined],
  ];
  return html`<div class="page narrow-page">
    <${PageTitle} id="account" />
    <dl class="facts">${facts.filter(([, v]) => v).map(([k, v]) => html`<div key=${k}><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>
    ${s.kind === 'user' ? html`<section aria-labelledby="pw-title">
      <h2 id="pw-title">${t('account.changePassword')}</h2>
      <form class="form" onSubmit=${submit}>
        <label>${t('account.currentPassword')}<input type="password" name="currentPassword" autocomplete="current-password" required /></label>
        ${msg?.fields?.currentPassword ? html`<span class="field-error">${msg.fields.currentPassword}</span>` : null}
        <label>${t('account.newPassword')}<input type="password" name="newPassword" autocomplete="new-password" required minLength="8" /></label>
        ${msg?.fields?.newPassword ? html`<span class="field-error">${msg.fields.newPassword}</span>` : null}
        <label>${t('account.repeat')}<input type="password" name="repeat" autocomplete="new-password" required /></label>
        ${msg ? html`<p class=${msg.ok ? 'form-ok' : 'form-error'} role=${msg.ok ? 'status' : 'alert'}>${msg.text}</p>` : null}
        <button type="submit" class="primary" disabled=${busy}>${t('account.save')}</button>
      </form>
    </section>` : html`<p class="hint">${t('account.tokenNoPassword')}</p>`}
  </div>`;
}
