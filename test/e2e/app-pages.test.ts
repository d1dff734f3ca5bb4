import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestService, type TestService } from '../helpers/service.js';
import { layoutFacts, openAs, seriousViolations, text, type Lang } from './app.js';
import { describeWith } from '../helpers/servers.js';
import { buildWeb, launchChromium } from './browser.js';

/**
 * Every page of the web app in real Chromium against the whole service (demo city):
 * both languages, a desktop and a 390x844 phone, the role rules, and axe-core with no
 * serious or critical violations. One browser for the file; pages are reused.
 */
describeWith('chromium', 'web app pages', () => {
  let svc: TestService;
  let browser: Browser;
  let desktop: BrowserContext;
  let phone: BrowserContext;
  let page: Page;
  let phonePage: Page;
  const pageErrors: string[] = [];
  let tokens: Record<string, string>;
  let driverPlate: string;

  beforeAll(async () => {
    buildWeb();
    [svc, browser] = await Promise.all([startTestService({ demo: true }), launchChromium()]);
    tokens = { admin: svc.adminToken };
    for (const t of svc.firstStartTokens) tokens[t.role] = t.token;
    const driverVehicle = svc.firstStartTokens.find((t) => t.role === 'driver')!.vehicleId!;
    driverPlate = (await svc.call('GET', `/api/v1/vehicles/${driverVehicle}`, { token: svc.adminToken })).body.plate;
    desktop = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    for (const ctx of [desktop, phone]) {
      // No internet: anything not from our service is refused.
      await ctx.route((url) => !url.href.startsWith(svc.url), (route) => route.abort());
    }
    page = await desktop.newPage();
    phonePage = await phone.newPage();
    for (const p of [page, phonePage]) p.on('pageerror', (e) => pageErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  const h1 = (p: Page) => p.locator('main h1').first();

  describe('signing in', () => {
    it('sends a visitor to the login page, in Chinese first; the English switch is remembered', async () => {
      await page.goto(`${svc.url}/dispatch`);
      await page.waitForURL(/\/login\?next=%2Fdispatch$/);
      expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
      expect(await page.locator('.login-form button[type=submit]').textContent()).toBe(text('zh-CN', 'login.signIn'));
      await page.locator('.lang-switch').click();
      await expect.poll(() => page.locator('.login-form button[type=submit]').textContent()).toBe(text('en', 'login.signIn'));
      await page.reload();
      expect(await page.locator('.login-form button[type=submit]').textContent()).toBe(text('en', 'login.signIn'));
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      await page.locator('.lang-switch').click();
      await expect.poll(() => page.getAttribute('html', 'lang')).toBe('zh-CN');
    });

    it('translates the login refusals by their code: wrong password, then too many attempts (Retry-After)', async () => {
      let answer = { status: 401, headers: {} as Record<string, string>, body: { error: 'invalid credentials', code: 'auth.invalid_credentials', details: [] } };
      await page.route('**/api/v1/auth/login', (route) => route.fulfill({ status: answer.status, headers: answer.headers, contentType: 'application/json', body: JSON.stringify(answer.body) }));
      await page.fill('input[name=name]', 'wang');
      await page.fill('input[name=password]', 'wrong');
      await page.click('.login-form button[type=submit]');
      await expect.poll(() => page.locator('.form-error').textContent()).toBe(text('zh-CN', 'errors.auth.invalid_credentials'));
      answer = { status: 429, headers: { 'retry-after': '30' }, body: { error: 'too many attempts', code: 'auth.rate_limited', details: [] } };
      await page.click('.login-form button[type=submit]');
      await expect.poll(() => page.locator('.form-error').textContent()).toBe(text('zh-CN', 'errors.auth.rate_limited', { seconds: 30 }));
      expect(await page.locator('.login-form button[type=submit]').isDisabled()).toBe(true);
      await page.unroute('**/api/v1/auth/login');
    });

    it('a person signs in with name and password, sees their name, and signs out (session ended on the server)', async () => {
      const calls: string[] = [];
      await page.route('**/api/v1/auth/login', (route) => {
        calls.push(`login ${route.request().postData()}`);
        return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ token: svc.adminToken, expiresAt: new Date(Date.now() + 3600_000).toISOString(), user: { id: 'u1', name: 'wang', displayName: '王调度', role: 'dispatcher' } }) });
      });
      await page.route('**/api/v1/auth/logout', (route) => {
        calls.push('logout');
        return route.fulfill({ status: 204 });
      });
      await page.reload();
      await page.fill('input[name=name]', 'wang');
      await page.fill('input[name=password]', 'secret-pass');
      await page.click('.login-form button[type=submit]');
      await page.waitForURL(/\/dispatch$/);
      expect(await page.locator('.user-name').textContent()).toBe('王调度');
      expect(await page.locator('.user-role').textContent()).toBe(text('zh-CN', 'role.dispatcher'));
      // A dispatcher's navigation: no simulations; admin holds the city records only.
      expect(await page.locator('#app-nav ul a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['/dispatch', '/plans', '/incidents', '/reports', '/admin']);
      await page.click('.sign-out');
      await page.waitForURL(/\/login$/);
      expect(calls).toEqual([`login ${JSON.stringify({ name: 'wang', password: 'secret-pass' })}`, 'logout']);
      expect(await page.evaluate(() => localStorage.getItem('sanifleet.session'))).toBeNull();
      await page.unroute('**/api/v1/auth/**');
    });

    it('signs in with an API token (integrations), refusing a wrong one', async () => {
      await page.locator('button.link-button', { hasText: text('zh-CN', 'login.useToken') }).click();
      await page.fill('input[name=token]', 'not-a-token');
      await page.click('.login-form button[type=submit]');
      await expect.poll(() => page.locator('.form-error').textContent()).toBe(text('zh-CN', 'login.invalidToken'));
      await page.fill('input[name=token]', tokens.enforcement!);
      await page.click('.login-form button[type=submit]');
      // An enforcement officer starts on the dispatch map (read-only fleet view).
      await page.waitForURL(/\/dispatch$/);
      expect(await page.locator('.user-role').textContent()).toBe(text('zh-CN', 'role.enforcement'));
    });
  });

  describe('role rules', () => {
    const navOf = async (role: string) => {
      await openAs(page, svc.url, '/account', tokens[role]!, 'zh-CN');
      await h1(page).waitFor();
      return page.locator('#app-nav ul a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    };

    it('the navigation lists only the pages each role may open', async () => {
      expect(await navOf('admin')).toEqual(['/dispatch', '/plans', '/incidents', '/reports', '/simulations', '/admin']);
      expect(await navOf('dispatcher')).toEqual(['/dispatch', '/plans', '/incidents', '/reports', '/admin']);
      expect(await navOf('enforcement')).toEqual(['/dispatch', '/incidents', '/reports']);
      expect(await navOf('driver')).toEqual(['/driver']);
      expect(await navOf('planner')).toEqual(['/city', '/plans', '/reports', '/simulations']);
    });

    for (const [role, path] of [['planner', '/dispatch'], ['dispatcher', '/city'], ['driver', '/city'], ['driver', '/dispatch'], ['driver', '/admin/records'], ['enforcement', '/admin/records'], ['enforcement', '/plans'], ['dispatcher', '/admin/users'], ['dispatcher', '/simulations'], ['admin', '/driver']] as const) {
      it(`a ${role} typing ${path} sees "not permitted" (the server answers the path with the app)`, async () => {
        await openAs(page, svc.url, path, tokens[role]!, 'en');
        await page.locator('.not-permitted').waitFor();
        expect(await h1(page).textContent()).toBe(text('en', 'denied.title'));
        expect(page.url()).toContain(path);
        expect(await page.locator('#map').count()).toBe(0);
      });
    }

    it('each role lands on its own start page', async () => {
      await openAs(page, svc.url, '/', tokens.driver!, 'zh-CN');
      await page.waitForURL(/\/driver$/);
      await openAs(page, svc.url, '/', tokens.admin!, 'zh-CN');
      await page.waitForURL(/\/dispatch$/);
    });

    it('an unknown path says so', async () => {
      await openAs(page, svc.url, '/no-such-page', tokens.admin!, 'en');
      await expect.poll(() => h1(page).textContent()).toBe(text('en', 'notFound.title'));
    });
  });

  // Every page: its heading in the language, no horizontal scroll, a one-line header,
  // sign-out reachable, no page errors, and axe with no serious/critical violations.
  const allPages: Array<{ path: string; role: string; title: (lang: Lang) => string; ready: string }> = [
    { path: '/dispatch', role: 'admin', title: (l) => text(l, 'page.dispatch.title'), ready: 'body[data-first-paint="done"]' },
    { path: '/plans', role: 'admin', title: (l) => text(l, 'page.plans.title'), ready: '#plans-table, #plans-empty' },
    { path: '/incidents', role: 'admin', title: (l) => text(l, 'page.incidents.title'), ready: '.replay-form select option:nth-child(2)' },
    { path: '/reports', role: 'admin', title: (l) => text(l, 'page.reports.title'), ready: '#report-days' },
    { path: '/simulations', role: 'admin', title: (l) => text(l, 'page.simulations.title'), ready: '#sim-runs, #sim-create' },
    { path: '/admin/records', role: 'admin', title: (l) => text(l, 'page.admin.title'), ready: '#records-table tbody tr' },
    { path: '/admin/profile', role: 'admin', title: (l) => text(l, 'page.admin.title'), ready: '#f-timeZone' },
    { path: '/admin/users', role: 'admin', title: (l) => text(l, 'page.admin.title'), ready: '#users-table, .page-notice' },
    { path: '/admin/tokens', role: 'admin', title: (l) => text(l, 'page.admin.title'), ready: '#tokens-table tbody tr' },
    { path: '/account', role: 'admin', title: (l) => text(l, 'page.account.title'), ready: '.facts' },
    { path: '/driver', role: 'driver', title: () => driverPlate, ready: 'body[data-first-paint="done"]' },
    { path: '/city', role: 'planner', title: (l) => text(l, 'page.city.title'), ready: 'body[data-first-paint="done"]' },
  ];

  // Two combinations cover both languages and both screens: the desktop in Chinese and the
  // phone in English (the longer words, so the narrow layout's harder case). The other two
  // pairings repeated the same checks on the same pages at about a tenth of the file's time.
  for (const [device, lang] of [['desktop', 'zh-CN'], ['phone', 'en']] as const) {
    it(`every page on the ${device} in ${lang}: heading, layout, sign-out, accessibility`, async () => {
      const p = device === 'desktop' ? page : phonePage;
      const problems: string[] = [];
      let signedInAs: string | undefined;
      for (const spec of allPages) {
        if (signedInAs !== spec.role) {
          await openAs(p, svc.url, spec.path, tokens[spec.role]!, lang);
          signedInAs = spec.role;
        } else {
          // In-app navigation, as a person clicking the menu does (no reload).
          await p.evaluate((path) => {
            delete document.body.dataset.firstPaint;
            history.pushState(null, '', path);
            dispatchEvent(new PopStateEvent('popstate'));
          }, spec.path);
        }
        await p.locator(spec.ready).first().waitFor({ state: 'attached', timeout: 15_000 });
        await expect.poll(() => h1(p).textContent(), { timeout: 10_000 }).toContain(spec.title(lang));
        expect(await p.getAttribute('html', 'lang')).toBe(lang);
        const f = await layoutFacts(p);
        if (f.scrollWidth > f.innerWidth) problems.push(`${spec.path}: page ${f.scrollWidth}px wide on a ${f.innerWidth}px screen`);
        if (f.headerHeight > 56) problems.push(`${spec.path}: header ${f.headerHeight}px high`);
        if (device === 'phone') {
          // The navigation folds into the menu; sign-out is one tap away.
          expect(await p.locator('.sign-out').isVisible()).toBe(false);
          await p.locator('.menu-button').click();
          if (!(await p.locator('.sign-out').isVisible())) problems.push(`${spec.path}: sign-out not reachable from the menu`);
          await p.locator('.menu-button').click();
        } else if (!(await p.locator('.sign-out').isVisible())) {
          problems.push(`${spec.path}: sign-out not visible`);
        }
        if (spec.path === '/dispatch' || spec.path === '/city') {
          const box = (await p.locator('#map').boundingBox())!;
          if (device === 'phone' && (box.width < 389 || box.height < 780)) problems.push(`${spec.path}: the map is ${box.width}x${box.height} on the phone`);
          if (device === 'desktop' && box.width < 900) problems.push(`${spec.path}: the map is only ${box.width}px wide`);
        }
        for (const v of await seriousViolations(p)) problems.push(`${spec.path}: ${v}`);
      }
      expect(problems).toEqual([]);
      expect(pageErrors).toEqual([]);
    });
  }

  describe('city map and scopes', () => {
    it("a planner's city map shows the city's layers with their counts and roads, and no live fleet", async () => {
      const sockets: string[] = [];
      const listen = (ws: { url(): string }) => sockets.push(ws.url());
      page.on('websocket', listen);
      try {
        await openAs(page, svc.url, '/city', tokens.planner!, 'en');
        await page.locator('body[data-first-paint="done"]').waitFor();
        const depots = (await svc.call('GET', '/api/v1/depots?limit=1', { token: svc.adminToken })).body.total;
        const label = (value: string) => page.locator(`input[name=layer][value="${value}"]`).locator('xpath=..');
        await expect.poll(() => label('depots').locator('.check-count').textContent()).toBe(String(depots));
        expect(Number((await label('roads').textContent())!.match(/\d+/)?.[0])).toBeGreaterThan(0);
        expect(await page.locator('.leaflet-overlay-pane canvas').count()).toBeGreaterThan(0);
        expect(await page.locator('input[name=layer][value=vehicles]').count()).toBe(0);
        expect(await page.locator('#vehicle-list, .vehicle-marker').count()).toBe(0);
        // Switching a layer off is remembered for the next visit.
        await label('depots').locator('input').uncheck();
        await page.reload();
        await page.locator('body[data-first-paint="done"]').waitFor();
        expect(await label('depots').locator('input').isChecked()).toBe(false);
        await label('depots').locator('input').check();
      } finally {
        page.off('websocket', listen);
      }
      expect(sockets).toEqual([]);
    });

    it("a district dispatcher's page names the scope and offers only that district, with only its vehicles", async () => {
      const config = (await svc.call('GET', '/api/v1/map/config', { token: svc.adminToken })).body;
      const district = config.districts[0] as string;
      const created = await svc.call('POST', '/api/v1/users', { token: svc.adminToken, body: { name: 'scoped.web', displayName: 'Scoped', role: 'dispatcher', district, password: 'correct horse 1' } });
      expect(created.status).toBe(201);
      const login = await svc.call('POST', '/api/v1/auth/login', { body: { name: 'scoped.web', password: 'correct horse 1' } });
      const inDistrict = (await svc.call('GET', '/api/v1/fleet/state', { token: svc.adminToken })).body.items.filter((v: { district?: string }) => v.district === district).length;
      expect(inDistrict).toBeGreaterThan(0);
      for (const lang of ['en', 'zh-CN'] as const) {
        await openAs(page, svc.url, '/dispatch', login.body.token, lang);
        await expect.poll(() => page.locator('#fleet-scope').textContent()).toBe(text(lang, 'dispatch.scopeDistrict', { district }));
        await expect.poll(() => page.locator('input[name=district]').evaluateAll((xs) => xs.map((x) => (x as HTMLInputElement).value))).toEqual([district]);
        await expect.poll(() => page.locator('#vehicle-list li').count()).toBe(inDistrict);
      }
    });
  });

  it('the login page passes axe and fits the phone, in both languages', async () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      await phonePage.goto(`${svc.url}/favicon.svg`);
      await phonePage.evaluate((l) => {
        localStorage.clear();
        localStorage.setItem('sanifleet.lang', l);
      }, lang);
      await phonePage.goto(`${svc.url}/login`);
      await phonePage.locator('.login-form').waitFor();
      expect(await phonePage.locator('h1').textContent()).toContain(text(lang, 'login.title'));
      expect(await seriousViolations(phonePage)).toEqual([]);
      const f = await layoutFacts(phonePage);
      expect(f.scrollWidth).toBeLessThanOrEqual(f.innerWidth);
    }
  });

  it("the replay's day is the city's today, even when the browser's zone is on another date", async () => {
    // 20:00 UTC on 1 January is 04:00 on 2 January in Shanghai.
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'UTC' });
    const p = await ctx.newPage();
    await p.clock.setFixedTime(new Date('2025-01-01T20:00:00Z'));
    await openAs(p, svc.url, '/incidents', tokens.admin!, 'en');
    await expect.poll(() => p.locator('.replay-form input[name=date]').inputValue()).toBe('2025-01-02');
    await ctx.close();
  });

  describe('admin', () => {
    it('creates, edits and deletes a depot with the form; a refused field is named under it', async () => {
      await openAs(page, svc.url, '/admin/records?type=depots', tokens.admin!, 'en');
      await page.locator('#records-table tbody tr').first().waitFor();
      await page.getByRole('button', { name: text('en', 'records.new') }).click();
      await page.fill('#f-name', 'Test depot');
      await page.click('.record-form button[type=submit]');
      // No location: the server names body.location and the form shows it.
      await page.locator('.field-point .field-error').waitFor();
      await page.getByLabel(text('en', 'fields.lat')).fill('43.7350');
      await page.getByLabel(text('en', 'fields.lon')).fill('7.4200');
      await page.fill('#f-id', 'depot-test');
      await page.click('.record-form button[type=submit]');
      await page.locator('tr[data-id="depot-test"]').waitFor();
      expect((await svc.call('GET', '/api/v1/depots/depot-test', { token: svc.adminToken })).body).toMatchObject({ name: 'Test depot', location: { coordinates: [7.42, 43.735] } });

      await page.locator('tr[data-id="depot-test"] button', { hasText: text('en', 'common.edit') }).click();
      await page.fill('#f-name', 'Renamed depot');
      await page.click('.record-form button[type=submit]');
      await expect.poll(() => page.locator('tr[data-id="depot-test"]').textContent()).toContain('Renamed depot');

      page.once('dialog', (d) => void d.accept());
      await page.locator('tr[data-id="depot-test"] button', { hasText: text('en', 'common.delete') }).click();
      await page.locator('tr[data-id="depot-test"]').waitFor({ state: 'detached' });
      expect((await svc.call('GET', '/api/v1/depots/depot-test', { token: svc.adminToken })).status).toBe(404);
    });

    it('edits a vehicle with its form (the record keeps the fields the form does not show)', async () => {
      const before = (await svc.call('GET', '/api/v1/vehicles?kind=muck_truck&limit=1', { token: svc.adminToken })).body.items[0];
      await openAs(page, svc.url, '/admin/records?type=vehicles', tokens.dispatcher!, 'zh-CN');
      await page.locator(`tr[data-id="${before.id}"] button`, { hasText: text('zh-CN', 'common.edit') }).click();
      await page.fill('#f-contractor', '城西环卫公司');
      await page.click('.record-form button[type=submit]');
      await expect.poll(() => page.locator(`tr[data-id="${before.id}"]`).textContent()).toContain('城西环卫公司');
      const after = (await svc.call('GET', `/api/v1/vehicles/${before.id}`, { token: svc.adminToken })).body;
      expect(after).toEqual({ ...before, contractor: '城西环卫公司' });
    });

    it('issues a device token (secret shown once) and revokes it', async () => {
      await openAs(page, svc.url, '/admin/tokens', tokens.admin!, 'en');
      await page.locator('#tokens-table tbody tr').first().waitFor();
      await page.fill('#f-label', 'gate camera');
      await page.getByRole('button', { name: text('en', 'tokens.issueButton') }).click();
      const secret = (await page.locator('#new-token-secret').textContent())!;
      expect(secret).toMatch(/^sf_/);
      const row = page.locator('#tokens-table tbody tr', { hasText: 'gate camera' });
      await row.waitFor();
      page.once('dialog', (d) => void d.accept());
      await row.getByRole('button', { name: text('en', 'tokens.revoke') }).click();
      await row.waitFor({ state: 'detached' });
      const listed = (await svc.call('GET', '/api/v1/tokens', { token: svc.adminToken })).body.items.find((t: { label?: string }) => t.label === 'gate camera');
      expect(listed.revokedAt).toBeTruthy();
    });

    it('manages user accounts: a driver is bound to a vehicle; the server\'s field message shows under the field (accounts API as in issue 11, answered in the browser)', async () => {
      // The accounts API is built on another branch: its contract is answered here so
      // that the page is tested on its own; the role test of the service covers the routes.
      const users: Array<Record<string, unknown>> = [{ id: 'u1', name: 'admin', displayName: '管理员', role: 'admin' }];
      const bodies: string[] = [];
      await page.route('**/api/v1/users**', async (route) => {
        const req = route.request();
        const id = new URL(req.url()).pathname.split('/')[4];
        const json = (status: number, body: unknown) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
        if (req.method() === 'GET') return json(200, { items: users });
        if (req.method() === 'DELETE') {
          users.splice(users.findIndex((u) => u.id === id), 1);
          return route.fulfill({ status: 204 });
        }
        const body = JSON.parse(req.postData() ?? '{}') as Record<string, unknown>;
        bodies.push(`${req.method()} ${JSON.stringify(body)}`);
        if (String(body.password ?? 'long enough').length < 8) return json(400, { error: 'invalid request', code: 'validation.invalid', details: [{ path: 'body.password', message: 'at least 8 characters' }] });
        if (req.method() === 'POST') {
          users.push({ id: 'u2', ...body, password: undefined });
          return json(201, users.at(-1));
        }
        Object.assign(users.find((u) => u.id === id)!, body);
        return json(200, users.find((u) => u.id === id));
      });
      const driverVehicle = svc.firstStartTokens.find((t) => t.role === 'driver')!.vehicleId!;
      await openAs(page, svc.url, '/admin/users', tokens.admin!, 'zh-CN');
      await page.locator('#users-table tr[data-id="u1"]').waitFor();
      await page.getByRole('button', { name: text('zh-CN', 'users.new') }).click();
      await page.fill('#f-name', 'li.si');
      await page.fill('#f-displayName', '李四');
      await page.selectOption('#f-role', 'driver');
      await page.selectOption('#f-vehicleId', driverVehicle);
      await page.fill('#f-password', 'short');
      await page.click('.record-form button[type=submit]');
      await expect.poll(() => page.locator('.field-error').textContent()).toBe('at least 8 characters');
      await page.fill('#f-password', 'a-long-password');
      await page.click('.record-form button[type=submit]');
      await page.locator('#users-table tr[data-id="u2"]').waitFor();
      expect(await page.locator('#users-table tr[data-id="u2"]').textContent()).toContain(driverPlate);
      expect(bodies.at(-1)).toBe(`POST ${JSON.stringify({ role: 'driver', name: 'li.si', displayName: '李四', vehicleId: driverVehicle, password: 'a-long-password' })}`);

      // Made a dispatcher: the vehicle binding goes; an empty password keeps the old one.
      await page.locator('#users-table tr[data-id="u2"] button', { hasText: text('zh-CN', 'common.edit') }).click();
      await page.selectOption('#f-role', 'dispatcher');
      await page.click('.record-form button[type=submit]');
      await expect.poll(() => page.locator('#users-table tr[data-id="u2"]').textContent()).toContain(text('zh-CN', 'role.dispatcher'));
      expect(JSON.parse(bodies.at(-1)!.slice(4))).toEqual({ name: 'li.si', displayName: '李四', role: 'dispatcher' });

      page.once('dialog', (d) => void d.accept());
      await page.locator('#users-table tr[data-id="u2"] button', { hasText: text('zh-CN', 'common.delete') }).click();
      await page.locator('#users-table tr[data-id="u2"]').waitFor({ state: 'detached' });
      await page.unroute('**/api/v1/users**');
    });

    it('a person changes their password on the account page (wrong current password translated)', async () => {
      await page.route('**/api/v1/auth/login', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ token: tokens.dispatcher, expiresAt: new Date(Date.now() + 3600_000).toISOString(), user: { id: 'u3', name: 'zhao', role: 'dispatcher' } }) }));
      const sent: string[] = [];
      await page.route('**/api/v1/auth/password', (route) => {
        sent.push(route.request().postData()!);
        const wrong = JSON.parse(route.request().postData()!).currentPassword !== 'old-password';
        return wrong
          ? route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ error: 'wrong password', code: 'auth.wrong_password', details: [{ path: 'body.currentPassword', message: 'does not match' }] }) })
          : route.fulfill({ status: 204 });
      });
      await page.goto(`${svc.url}/favicon.svg`);
      await page.evaluate(() => localStorage.removeItem('sanifleet.session'));
      await page.goto(`${svc.url}/account`);
      await page.fill('input[name=name]', 'zhao');
      await page.fill('input[name=password]', 'old-password');
      await page.click('.login-form button[type=submit]');
      await page.waitForURL(/\/account$/);
      await page.fill('input[name=currentPassword]', 'not-it');
      await page.fill('input[name=newPassword]', 'new-password-1');
      await page.fill('input[name=repeat]', 'new-password-1');
      await page.click('form button[type=submit]');
      await expect.poll(() => page.locator('.form-error').textContent()).toBe(text('zh-CN', 'errors.auth.wrong_password'));
      await page.fill('input[name=currentPassword]', 'old-password');
      await page.click('form button[type=submit]');
      await expect.poll(() => page.locator('.form-ok').textContent()).toBe(text('zh-CN', 'account.changed'));
      expect(JSON.parse(sent.at(-1)!)).toEqual({ currentPassword: 'old-password', newPassword: 'new-password-1' });
      await page.unroute('**/api/v1/auth/**');
    });

    it('saves the city profile; a bad time zone is refused with the field named', async () => {
      await openAs(page, svc.url, '/admin/profile', tokens.admin!, 'en');
      await page.locator('#f-timeZone').waitFor();
      await page.fill('#f-timeZone', 'Mars/Olympus');
      await page.click('form button[type=submit]');
      await page.locator('.field-error').first().waitFor();
      expect(await page.locator('.form-error').textContent()).toContain('timeZone');
      await page.fill('#f-timeZone', 'Asia/Shanghai');
      await page.fill('#f-name', 'Test city');
      await page.click('form button[type=submit]');
      await page.locator('.form-ok').waitFor();
      await expect.poll(() => page.locator('.brand-city').textContent()).toBe('Test city');
      expect((await svc.call('GET', '/api/v1/city-profile', { token: svc.adminToken })).body.name).toBe('Test city');
    });
  });
});
