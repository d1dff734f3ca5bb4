import { html } from 'htm/preact';
import { PageTitle, ShellNotice } from '../components/shell.js';
import { t } from '../lib/i18n.js';

/**
 * Pages that later issues fill (reports, simulations). Each is a real page with
 * its route and role check; it says plainly that the work is not built yet and shows no
 * made-up figures.
 */
function ShellPage(props: { id: string }) {
  return html`<div class="page">
    <${PageTitle} id=${props.id} />
    <${ShellNotice} id=${props.id}>
      <p class="muted">${t(`page.${props.id}.later`)}</p>
    </${ShellNotice}>
  </div>`;
}

export const ReportsPage = () => html`<${ShellPage} id="reports" />`;
export const SimulationsPage = () => html`<${ShellPage} id="simulations" />`;

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
