import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { IncidentEvent } from '../../src/compliance/incident-event.js';
import { fixId } from '../../src/compliance/fix-id.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { smallCity } from '../helpers/city-fixture.js';
import { describeWith } from '../helpers/servers.js';
import { layoutFacts, openAs, seriousViolations, text } from './app.js';
import { buildWeb, launchChromium } from './browser.js';

/**
 * The incident list on /incidents in real Chromium: incidents arrive live from the enforcement
 * room, an officer opens one's evidence into the replay, acknowledges and closes it with a
 * disposition and a note; a dispatcher reads without actions. zh-CN and en, desktop and phone, axe.
 */
describeWith('chromium', 'enforcement desk on /incidents', () => {
  let svc: TestService;
  let browser: Browser;
  let page: Page;
  const tokens: Record<string, string> = {};
  const pageErrors: string[] = [];
  const T0 = Date.now() - 3_600_000;

  const event = (key: string, type: IncidentEvent['type'], startMs: number): IncidentEvent => ({
    key, phase: 'open', type, vehicleId: 'muck-1', permitId: 'permit-1', startMs, atMs: startMs + 60_000, level: 1,
    fixIds: [fixId('muck-1', startMs), fixId('muck-1', startMs + 10_000)], thresholds: { corridorWidthM: 30 }, details: { distanceOutsideM: 40 },
  });

  beforeAll(async () => {
    buildWeb();
    [svc, browser] = await Promise.all([startTestService(), launchChromium()]);
    const city = smallCity() as any;
    city.vehicles.find((v: any) => v.id === 'muck-1').contractor = 'Acme Haulage';
    expect((await svc.call('POST', '/api/v1/import', { token: svc.adminToken, body: city })).status).toBe(200);
    // The detectors judge the fixes posted below as well; this suite raises its incidents through
    // the sink itself, so the rules those fixes would break wait longer than the track lasts.
    const profile = (await svc.call('GET', '/api/v1/city-profile', { token: svc.adminToken })).body;
    profile.corridor.offRouteAfterS = 3600;
    profile.compliance.outsideHoursAfterS = 3600;
    profile.compliance.noPermitAfterS = 3600;
    expect((await svc.call('PUT', '/api/v1/city-profile', { token: svc.adminToken, body: profile })).status).toBe(200);
    const positions = Array.from({ length: 20 }, (_, k) => ({
      vehicleId: 'muck-1', fixTime: T0 + k * 10_000, lat: 43.7351 + k * 0.0001, lon: 7.4301 + k * 0.0002, speedKmh: 30, loadState: 'full', coverClosed: true,
    }));
    expect((await svc.call('POST', '/api/v1/positions', { token: svc.adminToken, body: { positions } })).body.accepted).toBe(20);
    for (const role of ['enforcement', 'dispatcher'] as const) tokens[role] = (await svc.tokens.issue({ role, label: `desk ${role}` })).token;
    await svc.incidentSink.emit(event(`off_route:muck-1:${T0 + 30_000}`, 'off_route', T0 + 30_000));
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.route((url) => !url.href.startsWith(svc.url), (route) => route.abort());
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  const rows = () => page.locator('#incident-table tbody tr');

  it('lists incidents and shows a new one as the enforcement room pushes it', async () => {
    await openAs(page, svc.url, '/incidents', tokens.enforcement!, 'zh-CN');
    await expect.poll(() => rows().count(), { timeout: 15_000 }).toBe(1);
    expect(await rows().first().locator('td').nth(1).textContent()).toBe(text('zh-CN', 'incidentType.off_route'));
    // once the page is in the enforcement room, raise another
    await page.locator('.incident-desk[data-live="on"]').waitFor();
    await svc.incidentSink.emit(event(`speeding:muck-1:${T0 + 100_000}`, 'speeding', T0 + 100_000));
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(2);
    expect(await rows().first().locator('td').nth(1).textContent()).toBe(text('zh-CN', 'incidentType.speeding'));
  });

  it('opens an incident\'s evidence into the replay: its fixes on the time slider', async () => {
    const offRoute = page.locator('#incident-table tbody tr', { hasText: text('zh-CN', 'incidentType.off_route') });
    await offRoute.getByRole('button', { name: text('zh-CN', 'desk.evidence') }).click();
    await expect.poll(() => page.locator('#evidence-title').textContent()).toBe(text('zh-CN', 'desk.evidenceOf', { type: text('zh-CN', 'incidentType.off_route'), vehicle: '沪A00003' }));
    // 30 s..90 s plus two minutes either side: all 20 fixes
    expect(await page.locator('.replay-controls input[type=range]').getAttribute('max')).toBe('19');
    // the printable record opens in a new tab
    const [printed] = await Promise.all([page.waitForEvent('popup'), offRoute.getByRole('button', { name: text('zh-CN', 'desk.print') }).click()]);
    await printed.waitForURL(/^blob:/);
    await expect.poll(() => printed.locator('h1').textContent()).toContain('执法全过程记录');
    expect(await printed.locator('svg').count()).toBe(1);
    await printed.close();
    expect(pageErrors).toEqual([]);
  });

  it('lets the officer acknowledge, then close with a disposition and a note', async () => {
    const offRoute = () => page.locator('#incident-table tbody tr', { hasText: text('zh-CN', 'incidentType.off_route') });
    await offRoute().getByRole('button', { name: text('zh-CN', 'desk.acknowledge') }).click();
    await expect.poll(() => offRoute().locator('.incident-status').textContent()).toBe(text('zh-CN', 'incidentStatus.acknowledged'));
    await offRoute().getByRole('button', { name: text('zh-CN', 'desk.close') }).click();
    await offRoute().locator('select[name=disposition]').selectOption('penalised');
    await offRoute().locator('input[name=note]').fill('罚款 2000 元');
    await offRoute().getByRole('button', { name: text('zh-CN', 'desk.confirmClose') }).click();
    await expect.poll(() => offRoute().locator('.incident-status').textContent()).toBe(text('zh-CN', 'incidentStatus.closed'));
    const id = await offRoute().getAttribute('data-incident-id');
    const stored = (await svc.call('GET', `/api/v1/incidents/${id}`, { token: svc.adminToken })).body;
    expect(stored.log.map((e: any) => e.action)).toEqual(['acknowledge', 'close']);
    expect(stored.log[1]).toMatchObject({ disposition: 'penalised', note: '罚款 2000 元', actorRole: 'enforcement' });
    // this month's figures as the server counts them (the city's month)
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
    const figures = (await svc.call('GET', `/api/v1/incidents/figures?month=${month}`, { token: svc.adminToken })).body;
    await expect.poll(() => page.locator('#figure-total').textContent()).toBe(String(figures.total));
    if (figures.total > 0) expect(await page.locator('#contractor-ranking tbody tr').first().textContent()).toContain('Acme Haulage');
  });

  it('shows the incidents not yet closed on the dispatch map, live', async () => {
    await openAs(page, svc.url, '/dispatch', tokens.dispatcher!, 'zh-CN');
    const label = page.locator('label.check', { has: page.locator('input[name=layer][value="incidents"]') });
    // the off-route one is closed: the speeding one is left
    await expect.poll(() => label.textContent(), { timeout: 15_000 }).toBe(`${text('zh-CN', 'layers.incidents')}1`);
    await expect.poll(() => page.locator('.live-status .status').textContent(), { timeout: 15_000 }).toBe(text('zh-CN', 'live.live'));
    await svc.incidentSink.emit(event(`uncovered:muck-1:${T0 + 150_000}`, 'uncovered', T0 + 150_000));
    await expect.poll(() => label.textContent(), { timeout: 10_000 }).toBe(`${text('zh-CN', 'layers.incidents')}2`);
    expect(pageErrors).toEqual([]);
  });

  it('shows a dispatcher the list without actions; passes axe and fits a phone in English', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await openAs(page, svc.url, '/incidents', tokens.dispatcher!, 'en');
    await expect.poll(() => rows().count(), { timeout: 15_000 }).toBe(3);
    expect(await page.getByRole('button', { name: text('en', 'desk.acknowledge') }).count()).toBe(0);
    expect(await page.getByRole('button', { name: text('en', 'desk.close') }).count()).toBe(0);
    expect(await rows().first().locator('td').nth(1).textContent()).toBe(text('en', 'incidentType.uncovered'));
    const f = await layoutFacts(page);
    expect(f.scrollWidth).toBeLessThanOrEqual(f.innerWidth);
    expect(await seriousViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("opens a sweeping gap's evidence as plan against track: the street drawn, the vehicle's fixes from its planned time to its deadline", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const at = T0 + 60_000;
    await svc.incidentSink.emit({
      key: `sweeping_gap:plan-1:segment:sweep:seg-1`, phase: 'open', type: 'sweeping_gap', vehicleId: 'muck-1', startMs: at, atMs: at, level: 1, fixIds: [],
      thresholds: { deadline: new Date(at).toISOString(), requiredPasses: 1, minCoverage: 0.7, segmentToleranceM: 20 },
      details: { planId: 'plan-1', segmentId: 'seg-1', plannedStart: new Date(T0).toISOString(), deadline: new Date(T0 + 190_000).toISOString(), passes: 0, requiredPasses: 1, partialShare: 0.3, lengthM: 137 },
    });
    await svc.incidentSink.settle();
    await openAs(page, svc.url, '/incidents', tokens.enforcement!, 'en');
    const gap = page.locator('#incident-table tbody tr', { hasText: text('en', 'incidentType.sweeping_gap') });
    await expect.poll(() => gap.count(), { timeout: 15_000 }).toBe(1);
    await gap.getByRole('button', { name: text('en', 'desk.evidence') }).click();
    await expect.poll(() => page.locator('#evidence-title').textContent()).toContain(text('en', 'incidentType.sweeping_gap'));
    // the street under the track (the plan's colour), and every fix of the window on the slider
    await expect.poll(() => page.locator('path.evidence-street').count()).toBe(1);
    expect(await page.locator('.replay-controls input[type=range]').getAttribute('max')).toBe('19');
    expect(pageErrors).toEqual([]);
  });
});
