import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestService } from '../helpers/service.js';
import { describeWith } from '../helpers/servers.js';
import { checkLayoutAndAxe, demoServiceAndBrowser, openAs, phoneAndDesktop, text } from './app.js';

/**
 * The dispatcher's plan page (issue 12 item 8) in real Chromium against the whole service with
 * the demo city and its road network: a dispatcher plans the demo district with a small
 * budget, watches the progress bar, sees the plan (figures, routes on the map, a timeline per
 * vehicle, unserved items), publishes it, re-plans after a breakdown at 10:00 and sees the
 * difference before publishing; the phone in zh-CN; a driver cannot open the page; axe.
 */
const DATE = '2026-12-01';

describeWith('chromium', 'plans page', () => {
  let svc: TestService;
  let browser: Browser;
  let desktop: Page;
  let phone: Page;
  let dispatcher: string;
  let driver: string;
  let planId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ svc, browser } = await demoServiceAndBrowser());
    dispatcher = svc.roleToken('dispatcher');
    driver = svc.roleToken('driver');
    ({ phone, desktop } = await phoneAndDesktop(browser, svc.url, pageErrors));
  });

  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  it('a dispatcher plans the demo district on a desktop in en: progress, then the plan with its routes, timeline and figures', async () => {
    await openAs(desktop, svc.url, `/plans?date=${DATE}`, dispatcher, 'en');
    await desktop.locator('#plans-empty').waitFor({ timeout: 30_000 });
    expect(await desktop.locator('h1').textContent()).toBe(text('en', 'page.plans.title'));
    await checkLayoutAndAxe(desktop, 'desktop en, no plan');
    await desktop.fill('#plan-create input[name="district"]', 'Fontvieille');
    await desktop.fill('#plan-create input[name="iterations"]', '100');
    await desktop.click('#plan-create button[type="submit"]');
    await desktop.locator('#plan-progress').waitFor({ timeout: 15_000 });
    // the job's progress reaches the page (socket plan:progress, or the job read back), then the plan opens
    await expect.poll(() => desktop.locator('#plan-job [role="status"]').textContent(), { timeout: 600_000, interval: 500 }).toBe(text('en', 'plans.progress.done'));
    expect(await desktop.locator('#plan-progress').evaluate((el) => (el as HTMLProgressElement).value)).toBe(1);
    await desktop.locator('#plan-view[data-status="draft"]').waitFor({ timeout: 30_000 });
    planId = (await desktop.locator('#plan-view').getAttribute('data-plan'))!;
    const plan = (await svc.call('GET', `/api/v1/plans/${planId}`, { token: dispatcher })).body;
    const routes = plan.solution.routes.length;
    expect(routes).toBeGreaterThan(0);
    expect(await desktop.locator('#plans-table tbody tr').count()).toBe(1);
    expect(await desktop.locator('#plans-table tbody tr').textContent()).toContain(text('en', 'plans.status.draft'));
    // figures as the API states them
    expect(await desktop.locator('#plan-figures [data-fig="vehicles"] dd').textContent()).toBe(String(plan.figures.vehicles));
    expect(await desktop.locator('#plan-figures [data-fig="valid"] dd').textContent()).toBe(text('en', 'plans.fig.valid'));
    // one path per vehicle along the roads, in its own colour, stops drawn; one timeline row per vehicle
    await expect.poll(() => desktop.locator('path.route-path').count(), { timeout: 15_000 }).toBe(routes);
    const colours = await desktop.locator('path.route-path').evaluateAll((ps) => new Set(ps.map((p) => p.getAttribute('stroke'))).size);
    expect(colours).toBe(Math.min(routes, 12));
    expect(await desktop.locator('path.route-stop-marker').count()).toBeGreaterThan(routes);
    expect(await desktop.locator('#plan-gantt .gantt-row[data-vehicle]').count()).toBe(routes);
    expect(await desktop.locator('#plan-gantt .g-travel').count()).toBeGreaterThan(0);
    expect(await desktop.locator('#plan-gantt .g-service').count()).toBeGreaterThan(0);
    // items to act on are listed with their reasons; hand-swept segments are counted apart
    const byDesign = plan.unserved.filter((u: any) => u.reason === 'manual_only' || u.reason === 'not_required').length;
    expect(await desktop.locator('#plan-unserved tbody tr').count()).toBe(plan.unserved.length - byDesign);
    if (byDesign) expect(await desktop.locator('#plan-not-routed summary').textContent()).toBe(text('en', 'plans.unserved.notRouted', { n: byDesign }));
    await checkLayoutAndAxe(desktop, 'desktop en, plan');
  });

  it('publishes the draft; the buttons follow the status', async () => {
    await desktop.click('#plan-publish');
    await desktop.locator('#plan-view[data-status="published"]').waitFor({ timeout: 15_000 });
    expect(await desktop.locator('#plan-publish').count()).toBe(0);
    expect(await desktop.locator('#plan-start').count()).toBe(1);
    expect(await desktop.locator('#plan-replan').count()).toBe(1);
    expect((await svc.call('GET', `/api/v1/plans/${planId}`, { token: dispatcher })).body.status).toBe('published');
  });

  it('re-plans after a breakdown at 10:00 and shows the difference before it is published', async () => {
    const plan = (await svc.call('GET', `/api/v1/plans/${planId}`, { token: dispatcher })).body;
    const broken = [...plan.solution.routes].sort((a: any, b: any) => b.stops.filter((s: any) => s.startS >= 36000).length - a.stops.filter((s: any) => s.startS >= 36000).length)[0].vehicleId;
    await desktop.click('#plan-replan');
    await desktop.selectOption('#replan-form select[name="vehicleId"]', broken);
    await desktop.fill('#replan-form input[name="at"]', '10:00');
    await desktop.fill('#replan-form input[name="iterations"]', '100');
    await desktop.click('#replan-form button[type="submit"]');
    await desktop.locator('#plan-view[data-status="draft"]').waitFor({ timeout: 600_000 });
    await desktop.locator('#plan-diff-summary').waitFor({ timeout: 15_000 });
    const newId = (await desktop.locator('#plan-view').getAttribute('data-plan'))!;
    expect(newId).not.toBe(planId);
    const diff = (await svc.call('GET', `/api/v1/plans/${newId}/diff`, { token: dispatcher })).body;
    expect(await desktop.locator('#plan-diff-summary').textContent()).toBe(text('en', 'plans.diff.summary', {
      event: text('en', 'plans.diff.breakdown', { vehicle: broken }), done: diff.done.length, moved: diff.moved, movedOther: diff.movedOther, unserved: diff.unserved,
    }));
    expect(await desktop.locator(`#plan-diff tr[data-vehicle="${broken}"]`).count()).toBe(1);
    // the plan in force is still the first one until the dispatcher publishes
    expect((await svc.call('GET', `/api/v1/plans/${planId}`, { token: dispatcher })).body.status).toBe('published');
    await checkLayoutAndAxe(desktop, 'desktop en, re-planned');
  });

  it('shows the plan on a phone in zh-CN', async () => {
    await openAs(phone, svc.url, `/plans?date=${DATE}&plan=${planId}`, dispatcher, 'zh-CN');
    await phone.locator('#plan-view').waitFor({ timeout: 30_000 });
    expect(await phone.locator('h1').textContent()).toBe(text('zh-CN', 'page.plans.title'));
    expect(await phone.locator('#plan-view-title').textContent()).toContain(text('zh-CN', 'plans.status.published'));
    expect(await phone.locator('#plans-table tbody tr').count()).toBe(2);
    await expect.poll(() => phone.locator('path.route-path').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await phone.locator('#plan-gantt .gantt-row[data-vehicle]').count()).toBeGreaterThan(0);
    await checkLayoutAndAxe(phone, 'phone zh-CN, plan');
  });

  it('plans a snow day (清雪除冰): the plan clears snow and is marked so in the list, in en and zh-CN', async () => {
    const SNOW_DATE = '2026-12-02';
    await openAs(desktop, svc.url, `/plans?date=${SNOW_DATE}`, dispatcher, 'en');
    await desktop.locator('#plans-empty').waitFor({ timeout: 30_000 });
    await desktop.fill('#plan-create input[name="district"]', 'Fontvieille');
    await desktop.fill('#plan-create input[name="iterations"]', '100');
    await desktop.check('#plan-create input[name="snow"]');
    await desktop.click('#plan-create button[type="submit"]');
    await desktop.locator('#plan-view[data-status="draft"]').waitFor({ timeout: 600_000 });
    const snowId = (await desktop.locator('#plan-view').getAttribute('data-plan'))!;
    const plan = (await svc.call('GET', `/api/v1/plans/${snowId}`, { token: dispatcher })).body;
    expect(plan).toMatchObject({ date: SNOW_DATE, valid: true, options: { mode: 'snow' } });
    expect(await desktop.locator(`#plans-table tr[data-plan="${snowId}"] [data-mode="snow"]`).textContent()).toBe(text('en', 'plans.snow'));
    await checkLayoutAndAxe(desktop, 'desktop en, snow plan');
    await openAs(phone, svc.url, `/plans?date=${SNOW_DATE}&plan=${snowId}`, dispatcher, 'zh-CN');
    await phone.locator('#plan-view').waitFor({ timeout: 30_000 });
    expect(await phone.locator(`#plans-table tr[data-plan="${snowId}"] [data-mode="snow"]`).textContent()).toBe(text('zh-CN', 'plans.snow'));
    await checkLayoutAndAxe(phone, 'phone zh-CN, snow plan');
  });

  it('a driver cannot open the plans', async () => {
    await openAs(phone, svc.url, '/plans', driver, 'en');
    await expect.poll(() => phone.locator('h1').textContent(), { timeout: 15_000 }).toBe(text('en', 'denied.title'));
    expect((await svc.call('GET', '/api/v1/plans', { token: driver })).status).toBe(403);
    expect(pageErrors).toEqual([]);
  });
});
