import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { PlanClock } from '../../src/planning/plan-clock.js';
import { simulatePlanDay } from '../../simulations/plan-day.js';
import { insertPublishedPlan, smallPlan } from '../helpers/actual.js';
import type { TestService } from '../helpers/service.js';
import { describeWith } from '../helpers/servers.js';
import { checkLayoutAndAxe, demoServiceAndBrowser, openAs, phoneAndDesktop, text, type Lang } from './app.js';

/**
 * The report page and the simulations page (issues 12 item 7, 14 item 5) in real Chromium
 * against the whole service: yesterday's published plan in Fontvieille, driven with two stops
 * skipped, read as a table equal to the API's figures and as uPlot charts; a small capacity study
 * started from the page, followed to its end, its shares equal to the API's and its charts drawn;
 * both pages in en on a desktop and zh-CN on a 390x844 phone, axe; a driver refused both.
 */
const PLAN_ID = 'plan-report-page';

describeWith('chromium', 'report and simulations pages', () => {
  let svc: TestService;
  let browser: Browser;
  let desktop: Page;
  let phone: Page;
  let dispatcher: string;
  let planner: string;
  let driver: string;
  let date: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ svc, browser } = await demoServiceAndBrowser());
    dispatcher = svc.roleToken('dispatcher');
    planner = svc.roleToken('planner');
    driver = svc.roleToken('driver');
    date = PlanClock.localDate(Date.now() - 86_400_000, 'Asia/Shanghai');
    const plan = await smallPlan(date);
    const day = simulatePlanDay({ network: plan.network, problem: plan.problem, solution: plan.solution, mapping: plan.mapping, segmentGeometry: (id) => plan.roads.get(id) },
      { seed: 5, skip: new Set(['collector-residual-1#3', 'sweeper-03#7']), delayShare: 0 });
    await insertPublishedPlan(svc.db, PLAN_ID, date, plan);
    await svc.actual.planChanged();
    const all = [...day.fixes].flatMap(([vehicleId, fixes]) => fixes.map((f) => ({ vehicleId, fixTime: f.timeMs, lat: f.lat, lon: f.lon, speedKmh: f.speedKmh, working: f.working })))
      .sort((a, b) => a.fixTime - b.fixTime);
    for (let i = 0; i < all.length; i += 400) {
      const res = await svc.call('POST', '/api/v1/positions', { token: svc.adminToken, body: { positions: all.slice(i, i + 400) } });
      expect(res.status).toBe(200);
    }
    await svc.actual.idle();
    ({ phone, desktop } = await phoneAndDesktop(browser, svc.url, pageErrors));
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  const pct = (lang: Lang, x: number | null) => (x === null ? '–' : `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(x * 100)} %`);

  /** a uPlot canvas of non-zero size inside the chart */
  async function canvasSize(p: Page, id: string): Promise<{ w: number; h: number }> {
    const canvas = p.locator(`#${id} canvas`).first();
    await canvas.waitFor({ timeout: 15_000 });
    return canvas.evaluate((c) => ({ w: (c as HTMLCanvasElement).width, h: (c as HTMLCanvasElement).height }));
  }

  async function checkReport(p: Page, lang: Lang): Promise<void> {
    const from = PlanClock.previousDate(date);
    await openAs(p, svc.url, '/reports', dispatcher, lang);
    await p.locator('#report-days').waitFor({ timeout: 30_000 });
    expect(await p.locator('h1').textContent()).toBe(text(lang, 'page.reports.title'));
    await p.fill('input[name="from"]', from);
    await p.fill('input[name="to"]', date);
    await p.fill('input[name="district"]', 'Fontvieille');
    await p.locator('input[name="district"]').dispatchEvent('change');
    const api = (await svc.call('GET', `/api/v1/reports/daily-range?from=${from}&to=${date}&district=Fontvieille`, { token: dispatcher })).body;
    const d = api.days[1];
    expect(d.clearanceRate).toBeGreaterThan(0);
    expect(d.clearanceRate).toBeLessThan(1);
    const row = p.locator(`#report-days tr[data-date="${date}"]`);
    // the whole city's figures stay on show, marked busy, until the district's arrive; the
    // district's street length is what tells them apart
    expect(d.mechanisedSweepingRate).toBeGreaterThan(0);
    await expect.poll(() => row.locator('[data-k="mechanisedSweepingRate"]').textContent(), { timeout: 30_000 }).toBe(pct(lang, d.mechanisedSweepingRate));
    await p.locator('section[aria-labelledby="reports-days-title"][aria-busy="false"]').waitFor({ timeout: 30_000 });
    expect(await row.locator('[data-k="clearanceRate"]').textContent()).toBe(pct(lang, d.clearanceRate));
    expect(await row.locator('[data-k="onTimeRate"]').textContent()).toBe(pct(lang, d.onTimeRate));
    expect(await row.locator('[data-k="planAdherence"]').textContent()).toBe(pct(lang, d.planAdherence));
    expect(await row.locator('[data-k="dailyClearanceMet"]').textContent()).toBe(text(lang, 'reports.met.no'));
    expect(await p.locator(`#report-days tr[data-date="${from}"] [data-k="clearanceRate"]`).textContent()).toBe('–');
    const driven = d.vehicles.filter((v: any) => v.onDutyH > 0 || v.distanceKm > 0);
    expect(driven.length).toBeGreaterThan(0);
    expect(await p.locator('#report-vehicles tbody tr').count()).toBe(driven.length);
    for (const id of ['chart-rates', 'chart-km', 'chart-hours']) {
      const size = await canvasSize(p, id);
      expect(size.w, id).toBeGreaterThan(0);
      expect(size.h, id).toBeGreaterThan(0);
    }
    const ranking = (await svc.call('GET', `/api/v1/reports/monthly?month=${date.slice(0, 7)}&district=Fontvieille`, { token: dispatcher })).body.ranking;
    expect(ranking.length).toBeGreaterThan(0);
    await p.locator('section[aria-labelledby="reports-ranking-title"][aria-busy="false"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => p.locator('#report-ranking tbody tr').count(), { timeout: 30_000 }).toBe(ranking.length);
    expect(await p.locator('#report-ranking tbody tr').first().locator('[data-k="clearanceRate"]').textContent()).toBe(pct(lang, ranking[0].clearanceRate));
    await checkLayoutAndAxe(p, `reports ${lang}`);
  }

  it('a dispatcher reads two days of Fontvieille on a desktop in en: the table equals the API, the charts are drawn', async () => {
    await checkReport(desktop, 'en');
  });

  it('the same report on a 390x844 phone in zh-CN', async () => {
    await checkReport(phone, 'zh-CN');
  });

  it('a planner starts a small capacity study on a desktop in en, follows it, and reads its shares, charts and recommendation', async () => {
    await openAs(desktop, svc.url, '/simulations', planner, 'en');
    await desktop.locator('#sim-create').waitFor({ timeout: 30_000 });
    expect(await desktop.locator('h1').textContent()).toBe(text('en', 'page.simulations.title'));
    await checkLayoutAndAxe(desktop, 'simulations en, empty');
    await desktop.fill('#sim-create input[name="days"]', '2');
    await desktop.fill('#sim-create input[name="seed"]', '11');
    await desktop.fill('#sim-create input[name="iterations"]', '10');
    await desktop.fill('#sim-create input[name="fleets"]', 'collector=6; collector=17');
    await desktop.uncheck('#sim-create input[value="muck"]');
    await desktop.uncheck('#sim-create input[value="streets"]');
    // the run is followed over the socket: its progress events come in, and the run is read only to start and at the end
    const framesIn: string[] = [];
    const framesOut: string[] = [];
    const runReads: string[] = [];
    const onSocket = (ws: import('playwright-core').WebSocket) => {
      ws.on('framesent', (f) => framesOut.push(String(f.payload)));
      ws.on('framereceived', (f) => framesIn.push(String(f.payload)));
    };
    const onRequest = (r: import('playwright-core').Request) => {
      if (/\/api\/v1\/capacity-runs\/[^/?]+$/.test(new URL(r.url()).pathname)) runReads.push(r.url());
    };
    desktop.on('websocket', onSocket);
    desktop.on('request', onRequest);
    await desktop.click('#sim-create button[type="submit"]');
    await desktop.locator('#sim-recommendation').waitFor({ timeout: 600_000 });
    desktop.off('websocket', onSocket);
    desktop.off('request', onRequest);
    expect(framesOut.some((f) => f.includes('"capacity:follow"'))).toBe(true);
    expect(framesIn.some((f) => f.includes('"capacity:progress"') && f.includes('"status":"done"'))).toBe(true);
    expect(runReads.length).toBeLessThanOrEqual(2);
    const list = (await svc.call('GET', '/api/v1/capacity-runs', { token: planner })).body.items;
    expect(list).toHaveLength(1);
    const run = (await svc.call('GET', `/api/v1/capacity-runs/${list[0].id}`, { token: planner })).body;
    expect(run.status).toBe('done');
    expect(run.scenario).toMatchObject({ days: 2, seed: 11, iterations: 10, work: ['points'], fleets: [{ collector: 6 }, { collector: 17 }] });
    for (const c of run.result.configs) {
      expect(await desktop.locator(`#sim-configs tr[data-fleet="${c.label}"] [data-k="share"]`).textContent()).toBe(pct('en', c.share));
      expect(await desktop.locator(`#sim-configs tr[data-fleet="${c.label}"] [data-k="snow"]`).textContent()).toBe(c.snow.days ? `${c.snow.cleared} / ${c.snow.days}` : '–');
    }
    const rec = run.result.recommended;
    expect(await desktop.locator('#sim-recommendation').textContent()).toBe(rec
      ? text('en', 'sim.recommend', { fleet: rec.label, share: pct('en', rec.share), low: pct('en', rec.interval.low), high: pct('en', rec.interval.high), target: pct('en', 0.99) })
      : text('en', 'sim.recommendNone', { target: pct('en', 0.99) }));
    for (const id of ['chart-share', 'chart-unserved', 'chart-hours']) {
      const size = await canvasSize(desktop, id);
      expect(size.w, id).toBeGreaterThan(0);
      expect(size.h, id).toBeGreaterThan(0);
    }
    await checkLayoutAndAxe(desktop, 'simulations en, a run');
  });

  it('the study on a 390x844 phone in zh-CN: the list, the run opened, its charts', async () => {
    await openAs(phone, svc.url, '/simulations', planner, 'zh-CN');
    await phone.locator('#sim-runs tbody tr').first().waitFor({ timeout: 30_000 });
    expect(await phone.locator('h1').textContent()).toBe(text('zh-CN', 'page.simulations.title'));
    await phone.locator('#sim-runs tbody tr button').first().click();
    await phone.locator('#sim-recommendation').waitFor({ timeout: 30_000 });
    const size = await canvasSize(phone, 'chart-share');
    expect(size.w).toBeGreaterThan(0);
    expect(size.w).toBeLessThanOrEqual(390 * 3);
    await checkLayoutAndAxe(phone, 'simulations zh-CN phone');
  });

  it('a driver cannot open either page; a dispatcher cannot open simulations', async () => {
    for (const [token, path] of [[driver, '/reports'], [driver, '/simulations'], [dispatcher, '/simulations']] as const) {
      await openAs(desktop, svc.url, path, token, 'en');
      await expect.poll(() => desktop.locator('h1').first().textContent(), { timeout: 15_000 }).toBe(text('en', 'denied.title'));
    }
    expect((await svc.call('GET', `/api/v1/reports/daily-range?from=${date}&to=${date}`, { token: driver })).status).toBe(403);
    expect(pageErrors).toEqual([]);
  });
});
