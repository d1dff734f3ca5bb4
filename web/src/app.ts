import { html } from 'htm/preact';
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { Redirect } from './components/redirect.js';
import { Shell } from './components/shell.js';
import { forgetCity, loadCity } from './lib/city.js';
import { useLang, useSession } from './lib/hooks.js';
import { initI18n, t } from './lib/i18n.js';
import { homePath, mayOpen, pageFor } from './lib/roles.js';
import { currentQuery, navigate, usePath } from './lib/router.js';
import { restoreSession, session } from './lib/session.js';
import { AccountPage } from './pages/account.js';
import { AdminPage } from './pages/admin/index.js';
import { CityPage } from './pages/city.js';
import { DispatchPage } from './pages/dispatch.js';
import { DriverPage } from './pages/driver.js';
import { IncidentsPage } from './pages/incidents.js';
import { LoginPage } from './pages/login.js';
import { NotFoundPage, NotPermittedPage } from './pages/shells.js';
import { ReportsPage } from './pages/reports.js';
import { SimulationsPage } from './pages/simulations.js';
import { PlansPage } from './pages/plans.js';

/**
 * The operators' web app: one shell, a page per role. The role check here mirrors the
 * server's (which stays the authority): the navigation lists only permitted pages, and
 * a URL typed by hand to another page shows "not permitted" instead of a broken page.
 */
const views: Record<string, (props: { path: string }) => unknown> = {
  dispatch: DispatchPage,
  city: CityPage,
  driver: DriverPage,
  plans: PlansPage,
  incidents: IncidentsPage,
  reports: ReportsPage,
  simulations: SimulationsPage,
  admin: AdminPage,
  account: AccountPage,
};
const mapPages = new Set(['dispatch', 'city']);

function App() {
  const path = usePath();
  const s = useSession();
  useLang();
  useEffect(() => {
    if (s) void loadCity();
    else forgetCity();
  }, [s?.token]);

  if (!s) {
    if (path !== '/login') {
      const next = path === '/' ? '' : `?next=${encodeURIComponent(path + window.location.search)}`;
      return html`<${Redirect} to=${`/login${next}`} />`;
    }
    return html`<${LoginPage} onSignedIn=${() => {
      const next = currentQuery().get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : homePath(session()!.user.role), { replace: true });
    }} />`;
  }
  const home = homePath(s.user.role);
  if (path === '/' || path === '/login') return html`<${Redirect} to=${home} />`;
  const page = pageFor(path);
  if (!page) return html`<${Shell} session=${s}><${NotFoundPage} home=${home} /></${Shell}>`;
  if (!mayOpen(page, s.user.role)) {
    return html`<${Shell} session=${s} page=${page}><${NotPermittedPage} title=${t(`page.${page.id}.title`)} home=${home} /></${Shell}>`;
  }
  const View = views[page.id]!;
  return html`<${Shell} session=${s} page=${page} fullBleed=${mapPages.has(page.id)}><${View} path=${path} /></${Shell}>`;
}

async function main(): Promise<void> {
  await initI18n();
  await restoreSession();
  const root = document.getElementById('app')!;
  // The boot placeholder goes: render() adds to what is there.
  root.replaceChildren();
  render(html`<${App} />`, root);
}

void main();
