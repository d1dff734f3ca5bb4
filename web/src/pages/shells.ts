import { html } from 'htm/preact';
import { t } from '../lib/i18n.js';

export function NotPermittedPage(props: { title: string; home: string }) {
  return html`<div class="page">
    <section class="page-notice not-permitted" aria-labelledby="np-title">
      <h1 id="np-title">${t('denied.title')}</h1>
      <p>${t('denied.text', { page: props.title })}</p>
      <p><a href=${props.home}>${t('denied.home')}</a></p>
    </section>
  </div>`;
}

export function NotFoundPage(props: { home: string }) {
  return html`<div class="page">
    <section class="page-notice" aria-labelledby="nf-title">
      <h1 id="nf-title">${t('notFound.title')}</h1>
      <p>${t('notFound.text')}</p>
      <p><a href=${props.home}>${t('denied.home')}</a></p>
    </section>
  </div>`;
}
