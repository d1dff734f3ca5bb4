import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { LangSwitch } from '../components/shell.js';
import { ApiError, errorText } from '../lib/api.js';
import { t } from '../lib/i18n.js';
import { signIn, signInWithToken, takeEndReason } from '../lib/session.js';

/**
 * Sign in as a person (name and password) or, for integrations and the first admin,
 * with an API token. A refused attempt says why in the page's language; after too many
 * attempts the server asks to wait (429, Retry-After) and the button waits too.
 */
export function LoginPage(props: { onSignedIn(): void }) {
  const [mode, setMode] = useState<'password' | 'token'>('password');
  const [error, setError] = useState<string | undefined>(() => (takeEndReason() === 'expired' ? t('login.expired') : undefined));
  const [busy, setBusy] = useState(false);
  const [waitS, setWaitS] = useState(0);
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => first.current?.focus(), [mode]);
  useEffect(() => {
    if (waitS <= 0) return;
    const timer = setTimeout(() => setWaitS(waitS - 1), 1000);
    return () => clearTimeout(timer);
  }, [waitS]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    try {
      if (mode === 'password') {
        await signIn(String(form.get('name') ?? '').trim(), String(form.get('password') ?? ''));
      } else {
        await signInWithToken(String(form.get('token') ?? '').trim());
      }
      props.onSignedIn();
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) setWaitS(err.retryAfterS ?? 60);
      if (err instanceof ApiError && mode === 'password' && err.status === 404) setError(t('login.noAccounts'));
      else if (err instanceof ApiError && mode === 'token' && err.status === 401) setError(t('login.invalidToken'));
      else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return html`<div class="login-page">
    <div class="login-top"><${LangSwitch} /></div>
    <main id="main" class="login-card">
      <h1><img src="/favicon.svg" alt="" width="32" height="32" /> ${t('login.title')}</h1>
      <p class="login-sub">${t('login.subtitle')}</p>
      <form onSubmit=${submit} class="form login-form" novalidate>
        ${mode === 'password'
          ? html`
            <label>${t('login.name')}<input ref=${first} name="name" autocomplete="username" required /></label>
            <label>${t('login.password')}<input name="password" type="password" autocomplete="current-password" required /></label>`
          : html`
            <label>${t('login.token')}<input ref=${first} name="token" type="password" autocomplete="off" required /></label>
            <p class="hint">${t('login.tokenHint')}</p>`}
        ${error ? html`<p class="form-error" role="alert">${error}</p>` : null}
        ${waitS > 0 ? html`<p class="hint" aria-live="polite">${t('login.waitSeconds', { seconds: waitS })}</p>` : null}
        <button type="submit" class="primary" disabled=${busy || waitS > 0}>${busy ? t('login.signingIn') : t('login.signIn')}</button>
      </form>
      <button type="button" class="link-button" onClick=${() => {
        setMode(mode === 'password' ? 'token' : 'password');
        setError(undefined);
      }}>${mode === 'password' ? t('login.useToken') : t('login.usePassword')}</button>
    </main>
  </div>`;
}
