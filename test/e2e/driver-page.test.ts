import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { PlanClock } from '../../src/planning/plan-clock.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { describeWith } from '../helpers/servers.js';
import { smallCity } from '../helpers/city-fixture.js';
import { insertRoutePlan } from '../helpers/route-plan.js';
import { checkLayoutAndAxe, openAs, phoneAndDesktop, text } from './app.js';
import { buildWeb, launchChromium } from './browser.js';

/**
 * The driver's page in real Chromium against the whole service: "no plan yet", then the
 * route appearing by itself when the dispatcher publishes (next stop highlighted, every stop
 * in order, the path on the map), a stop marked done, a problem reported, a new version
 * replacing the route live; on a 390x844 phone and a desktop, in zh-CN and en, with axe.
 */
describeWith('chromium', 'driver page', () => {
  let svc: TestService;
  let browser: Browser;
  let phone: Page;
  let desktop: Page;
  let driverToken: string;
  let dispatcherToken: string;
  const pageErrors: string[] = [];
  const today = PlanClock.localDate(Date.now(), 'Asia/Shanghai');

  beforeAll(async () => {
    buildWeb();
    [svc, browser] = await Promise.all([startTestService(), launchChromium()]);
    expect((await svc.call('POST', '/api/v1/import', { token: svc.adminToken, body: smallCity() })).status).toBe(200);
    driverToken = (await svc.call('POST', '/api/v1/tokens', { token: svc.adminToken, body: { role: 'driver', vehicleId: 'col-1', label: 'driver' } })).body.token;
    dispatcherToken = (await svc.call('POST', '/api/v1/tokens', { token: svc.adminToken, body: { role: 'dispatcher', label: 'dispatcher' } })).body.token;
    ({ phone, desktop } = await phoneAndDesktop(browser, svc.url, pageErrors));
  });

  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  it('says "no plan yet" on a phone in zh-CN and on a desktop in en', async () => {
    await openAs(phone, svc.url, '/driver', driverToken, 'zh-CN');
    await expect.poll(() => phone.locator('#route-empty').textContent(), { timeout: 15_000 }).toBe(text('zh-CN', 'route.noPlan', { date: today }));
    await phone.locator('body[data-first-paint="done"]').waitFor({ state: 'attached', timeout: 15_000 });
    await checkLayoutAndAxe(phone, 'phone zh-CN, no plan');
    await openAs(desktop, svc.url, '/driver', driverToken, 'en');
    await expect.poll(() => desktop.locator('#route-empty').textContent(), { timeout: 15_000 }).toBe(text('en', 'route.noPlan', { date: today }));
    // both pages listen before anything is published (a page that connects later reads the route on connect)
    await expect.poll(() => phone.locator('.driver-card .status').textContent(), { timeout: 15_000 }).toBe(text('zh-CN', 'live.live'));
    await expect.poll(() => desktop.locator('.driver-card .status').textContent(), { timeout: 15_000 }).toBe(text('en', 'live.live'));
  });

  it('shows the route by itself when it is published: next stop first, stops in order with windows, the path on the map', async () => {
    await insertRoutePlan(svc.db, { id: 'plan-web-1', date: today });
    expect((await svc.call('POST', '/api/v1/plans/plan-web-1/publish', { token: dispatcherToken })).status).toBe(200);
    for (const [p, lang] of [[phone, 'zh-CN'], [desktop, 'en']] as const) {
      // no reload: the socket's route:changed makes the page read the route again
      await p.locator('#next-stop').waitFor({ timeout: 15_000 });
      const collect = text(lang, 'route.action.collect', { class: text(lang, 'wasteClass.residual'), point: 'cp-1', kg: 300 });
      expect(await p.locator('#next-stop').textContent()).toContain(collect);
      expect(await p.locator('#next-stop').textContent()).toContain(text(lang, 'route.window', { start: '04:00', end: '07:00' }));
      expect(await p.locator('.route-note').textContent()).toBe(text(lang, 'route.updated', { change: text(lang, 'route.changes.publish') }));
      const items = p.locator('.route-stops > li');
      expect(await items.count()).toBe(6);
      expect(await items.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-stop')))).toEqual(['col-1.0', 'col-1.1', 'col-1.2', 'col-1.3', 'col-1.4', 'col-1.5']);
      expect(await p.locator('.route-stops > li[aria-current="step"]').getAttribute('data-stop')).toBe('col-1.1');
      expect(await items.nth(2).textContent()).toContain(text(lang, 'route.action.street_work', { work: text(lang, 'route.work.sweep'), segment: 'seg-1', pass: 1, passes: 2, length: 140 }));
      expect(await items.nth(3).textContent()).toContain(text(lang, 'route.action.unload', { class: text(lang, 'wasteClass.residual'), facility: 'inc-1', kg: 310 }));
      expect(await items.nth(4).textContent()).toContain(text(lang, 'route.action.break', { minutes: 30 }));
      expect(await p.locator('.route-break').textContent()).toBe(text(lang, 'route.break', { start: '10:33', end: '11:03' }));
      // the path and one dot per stop, the next one highlighted
      expect(await p.locator('path.route-path').count()).toBe(1);
      expect(await p.locator('path.route-stop-marker').count()).toBe(6);
      expect(await p.locator('path.route-stop-marker.is-next').count()).toBe(1);
    }
    await checkLayoutAndAxe(phone, 'phone zh-CN, route');
    await checkLayoutAndAxe(desktop, 'desktop en, route');
  });

  it('marks the next stop done from the phone; the next one moves on, on the desktop too', async () => {
    await phone.locator('#next-stop button.primary').click();
    await expect.poll(() => phone.locator('.route-stops > li[aria-current="step"]').getAttribute('data-stop'), { timeout: 15_000 }).toBe('col-1.2');
    expect(await phone.locator('li[data-stop="col-1.1"]').getAttribute('class')).toContain('is-done');
    expect(await phone.locator('.route-panel .form-ok[role="status"]').textContent()).toBe(text('zh-CN', 'route.marked', { seq: 1 }));
    await expect.poll(() => desktop.locator('.route-stops > li[aria-current="step"]').getAttribute('data-stop'), { timeout: 15_000 }).toBe('col-1.2');
    const route = await svc.call('GET', '/api/v1/vehicles/col-1/route', { token: dispatcherToken });
    expect(route.body.stops[1].done).toMatchObject({ by: expect.stringMatching(/^driver:/) });
  });

  it('reports a blocked road with a note and a stop; the dispatchers can list it', async () => {
    await desktop.selectOption('#report-form select[name="kind"]', 'blocked_road');
    await desktop.selectOption('#report-form select[name="stopId"]', 'col-1.2');
    await desktop.fill('#report-form textarea[name="note"]', 'Road works, closed until noon');
    await desktop.click('#report-form button[type="submit"]');
    await expect.poll(() => desktop.locator('#report-form .form-ok').textContent(), { timeout: 15_000 }).toBe(text('en', 'report.sent'));
    const list = await svc.call('GET', '/api/v1/driver-reports', { token: dispatcherToken });
    expect(list.body.items).toMatchObject([{ vehicleId: 'col-1', kind: 'blocked_road', stopId: 'col-1.2', note: 'Road works, closed until noon', planId: 'plan-web-1' }]);
  });

  it('replaces the route live when a new version is published', async () => {
    await insertRoutePlan(svc.db, { id: 'plan-web-2', date: today });
    expect((await svc.call('POST', '/api/v1/plans/plan-web-2/publish', { token: dispatcherToken })).status).toBe(200);
    await expect.poll(() => phone.locator('.route-summary').textContent(), { timeout: 15_000 }).toContain('第 2 版');
    // the new version has no stop marked yet: the next stop is the first again
    expect(await phone.locator('.route-stops > li[aria-current="step"]').getAttribute('data-stop')).toBe('col-1.1');
    await expect.poll(() => desktop.locator('.route-summary').textContent(), { timeout: 15_000 }).toContain('Plan version 2');
    expect(pageErrors).toEqual([]);
  });
});
