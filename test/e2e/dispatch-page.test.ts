import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestService, type TestService } from '../helpers/service.js';
import { SimTerminal } from '../../simulations/jt808-terminal.js';
import { buildWeb, launchChromium } from './browser.js';
import { describeWith } from '../helpers/servers.js';

/**
 * The dispatch page in real Chromium against the whole service: a JT/T 808 terminal
 * reports over TCP and the dispatcher sees the truck appear and move on the map.
 */
describeWith('chromium', 'dispatch page', () => {
  let svc: TestService;
  let browser: Browser;
  let page: Page;
  let terminal: SimTerminal | undefined;
  let vehicle: { id: string; plate: string; kind: string; terminalId: string };
  const pageErrors: string[] = [];

  beforeAll(async () => {
    buildWeb();
    [svc, browser] = await Promise.all([startTestService({ demo: true }), launchChromium()]);
    const list = await svc.call('GET', '/api/v1/vehicles?kind=muck_truck&limit=5', { token: svc.adminToken });
    vehicle = list.body.items.find((v: { terminalId?: string }) => v.terminalId);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // The page must work with no internet: anything not from our service is refused.
    await page.route((url) => !url.href.startsWith(svc.url), (route) => route.abort());
  });

  afterAll(async () => {
    await terminal?.close();
    await browser?.close();
    await svc?.stop();
  });

  const dispatcherToken = () => svc.firstStartTokens.find((t) => t.role === 'dispatcher')!.token;
  const marker = () => page.locator(`.vehicle-marker [data-vehicle-id="${vehicle.id}"]`);

  it('asks for a token first, and says so when the token is wrong', async () => {
    await page.goto(`${svc.url}/`);
    await expect.poll(() => page.locator('#status').textContent()).toContain('令牌');
    await page.fill('#token', 'not-a-token');
    await page.click('#token-form button[type=submit]');
    await expect.poll(() => page.locator('#status').textContent()).toContain('invalid token');
  });

  it('draws the demo roads offline with the OSM attribution, then goes live with a dispatcher token from ?token=', async () => {
    await page.goto(`${svc.url}/?token=${encodeURIComponent(dispatcherToken())}`);
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 15_000 }).toBe('实时 live');
    // The token left the address bar and stayed in localStorage.
    expect(page.url()).not.toContain('token=');
    expect(await page.evaluate(() => localStorage.getItem('sanifleet.token'))).toBe(dispatcherToken());
    expect(await page.locator('.leaflet-control-attribution').textContent()).toContain('Map data © OpenStreetMap contributors, ODbL');
    // Roads are drawn on the canvas; no tile images were asked for.
    expect(await page.locator('.leaflet-overlay-pane canvas').count()).toBe(1);
    expect(await page.locator('img.leaflet-tile').count()).toBe(0);
    await expect.poll(() => page.locator('#filter-kind label').allTextContents()).toContain('扫路车 sweeper');
  });

  it("shows the truck once its terminal reports over JT/T 808, with its state in the popup, and moves it on the next fix", async () => {
    expect(await marker().count()).toBe(0);
    terminal = await SimTerminal.connect(svc.jt808Port!, vehicle.terminalId);
    await terminal.login();
    const nowMs = Math.floor(Date.now() / 1000) * 1000;
    expect((await terminal.ack(terminal.sendLocation({ fixTimeMs: nowMs - 20_000, lat: 43.7336, lon: 7.4190, speedKmh: 18, headingDeg: 90 }))).result).toBe(0);

    await marker().waitFor({ state: 'visible', timeout: 10_000 });
    const before = (await marker().boundingBox())!;
    await marker().click();
    const popup = page.locator(`.vehicle-popup[data-vehicle-id="${vehicle.id}"]`);
    await popup.waitFor();
    const text = (await popup.textContent())!;
    expect(text).toContain(vehicle.plate);
    expect(text).toContain('渣土车 muck truck');
    expect(text).toContain('建筑垃圾 construction');
    expect(text).toContain('18 km/h');
    expect(text).toContain('43.73360, 7.41900');
    // The fix time in the city's zone (Asia/Shanghai), not the browser's.
    const cityTime = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(new Date(nowMs - 20_000));
    expect(text).toContain(cityTime);

    // The next fix, ~400 m east: the open popup and the marker follow.
    expect((await terminal.ack(terminal.sendLocation({ fixTimeMs: nowMs - 5_000, lat: 43.7336, lon: 7.4240, speedKmh: 25, headingDeg: 90 }))).result).toBe(0);
    await expect.poll(() => popup.textContent(), { timeout: 10_000 }).toContain('43.73360, 7.42400');
    const after = (await marker().boundingBox())!;
    expect(after.x - before.x).toBeGreaterThan(20);
    expect(Math.abs(after.y - before.y)).toBeLessThan(3);
    await page.screenshot({ path: '/tmp/dispatch-page.png' });
  });

  it('lists the fleet beside the map; a click on the truck\'s row opens its popup', async () => {
    await page.locator('.leaflet-popup-close-button').click();
    await page.locator('.leaflet-popup').waitFor({ state: 'detached' });
    const row = page.locator(`#vehicle-list li[data-vehicle-id="${vehicle.id}"]`);
    expect(await row.textContent()).toContain('25 km/h');
    const vehicles = await svc.call('GET', '/api/v1/vehicles?limit=1000', { token: svc.adminToken });
    expect(await page.locator('#vehicle-list li').count()).toBe(vehicles.body.total);
    await row.click();
    await page.locator(`.vehicle-popup[data-vehicle-id="${vehicle.id}"]`).waitFor();
    await page.screenshot({ path: '/tmp/dispatch-page-list.png' });
  });

  it('hides the truck when the dispatcher unticks its kind, and shows it again', async () => {
    await page.locator('#filter-kind input[value="muck_truck"]').uncheck();
    await marker().waitFor({ state: 'detached', timeout: 5000 });
    expect(await page.locator('#vehicle-list li[data-vehicle-id]').allTextContents()).not.toContain(expect.stringContaining(vehicle.plate));
    await page.locator('#filter-kind input[value="muck_truck"]').check();
    await marker().waitFor({ state: 'visible', timeout: 5000 });
    expect(pageErrors).toEqual([]);
  });
});
