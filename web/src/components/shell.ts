import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useCity } from '../lib/hooks.js';
import { lang, setLang, t } from '../lib/i18n.js';
import { roleLabel } from '../lib/labels.js';
import { mayOpen, pages, type PageDef } from '../lib/roles.js';
import { navigate } from '../lib/router.js';
import { signOut, type Session } from '../lib/session.js';

/** The language switch: shows the other language's name in that language. */
export function LangSwitch() {
  const next = lang() === 'zh-CN' ? 'en' : 'zh-CN';
  return html`<button type="button" class="lang-switch" lang=${next} onClick=${() => setLang(next)}
    aria-label=${t('shell.switchLanguage')}>${next === 'en' ? 'English' : '中文'}</button>`;
}

/**
 * Header with the pages this role may open, the language switch and the user's menu.
 * On a phone the navigation folds into a menu button so the header stays one line.
 */
export function Shell(props: { session: Session; page?: PageDef; children: ComponentChildren; fullBleed?: boolean }) {
  const { session, page } = props;
  const city = useCity();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [page?.id]);
  const role = session.user.role;
  const navPages = pages.filter((p) => p.nav && mayOpen(p, role));
  const who = session.user.displayName ?? session.user.name ?? t('shell.apiToken');
  useEffect(() => {
    document.title = `${page ? t(`page.${page.id}.title`) : 'sanifleet'} · ${city?.city ?? 'sanifleet'}`;
  });
  return html`
    <a class="skip-link" href="#main">${t('shell.skipToContent')}</a>
    <header class="app-header">
      <button type="button" class="menu-button" aria-expanded=${menuOpen} aria-controls="app-nav"
        aria-label=${t('shell.menu')} onClick=${() => setMenuOpen(!menuOpen)}>
        <span aria-hidden="true">☰</span>
      </button>
      <a class="brand" href="/">
        <img src="/favicon.svg" alt="" width="22" height="22" />
        <span class="brand-name">${t('shell.brand')}</span>
        ${city ? html`<span class="brand-city">${city.city}</span>` : null}
      </a>
      <nav id="app-nav" class=${menuOpen ? 'app-nav open' : 'app-nav'} aria-label=${t('shell.navigation')}>
        <ul>
          ${navPages.map((p) => html`<li key=${p.id}>
            <a href=${p.path} aria-current=${page?.id === p.id ? 'page' : undefined}>${t(`page.${p.id}.nav`)}</a>
          </li>`)}
        </ul>
        <div class="nav-user">
          <a href="/account" class="user-link" aria-current=${page?.id === 'account' ? 'page' : undefined}>
            <span class="user-name">${who}</span> <span class="user-role">${roleLabel(role)}</span>
          </a>
          <button type="button" class="sign-out" onClick=${async () => {
            await signOut();
            navigate('/login');
          }}>${t('shell.signOut')}</button>
        </div>
      </nav>
      <${LangSwitch} />
    </header>
    <main id="main" class=${props.fullBleed ? 'app-main full-bleed' : 'app-main'} tabIndex="-1">
      ${props.children}
    </main>`;
}

/** A page that later issues fill: its route and role check are real, and it says plainly what is missing. */
export function ShellNotice(props: { id: string; children?: ComponentChildren }) {
  return html`<section class="page-notice" aria-labelledby="notice-title">
    <h2 id="notice-title">${t(`page.${props.id}.noticeTitle`)}</h2>
    <p>${t(`page.${props.id}.notice`)}</p>
    ${props.children}
  </section>`;
}

export function PageTitle(props: { id: string; children?: ComponentChildren }) {
  return html`<div class="page-head"><h1>${t(`page.${props.id}.title`)}</h1>${props.children}</div>`;
}
