import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestService, type TestService } from '../helpers/service.js';
import { SimTerminal } from '../../simulations/jt808-terminal.js';
import { openAs, text } from './app.js';
import { buildWeb, launchChromium } from './browser.js';
import { describeWith } from '../helpers/servers.js';

/**
 * The dispatch map in real Chromium against the whole service: a JT/T 808 terminal
 * reports over TCP and the dispatcher sees the truck appear and move; the city's layers,
 * clusters, plates at close zoom, filters that lose no vehicle, and the track replay.
 */
describeWith('chromium', 'dispatch map', () => {
  let svc: TestService;
  let browser: Browser;
  let page: Page;
  let terminal: SimTerminal | undefined;
  let vehicle: { id: string; plate: string; kind: string; terminalId: string };
  let total: number;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    buildWeb();
    [svc, browser] = await Promise.all([startTestService({ demo: true }), launchChromium()]);
    const list = await svc.call('GET', '/api/v1/vehicles?kind=muck_truck&limit=5', { token: svc.adminToken });
    vehicle = list.body.items.find((v: { terminalId?: string }) => v.terminalId);
    total = (await svc.call('GET', '/api/v1/vehicles?limit=1', { token: svc.adminToken })).body.total;
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

  const dispatcherToken = () => svc.roleToken('dispatcher');
  const marker = () => page.locator(`.vehicle-marker [data-vehicle-id="${vehicle.id}"]`);
  const count = () => page.locator('#vehicle-count').textContent();
  // A closed popup fades out for 200 ms: name the one to close by its vehicle.
  // Closed means gone: on a loaded machine the fade outlasts the next step, which then finds two popups of the vehicle.
  const closePopupOf = async (id: string) => {
    const popup = page.locator(`.leaflet-popup:has(.vehicle-popup[data-vehicle-id="${id}"])`);
    await popup.locator('.leaflet-popup-close-button').click();
    await popup.waitFor({ state: 'detached' });
  };
  /** The figures of the count line: total, shown, with a position. */
  const numbers = (line: string | null) => (line ?? '').match(/\d+/g)!.map(Number);

  it('goes live with a dispatcher token from ?token=, draws the city offline with the OSM attribution', async () => {
    await openAs(page, svc.url, '/dispatch', dispatcherToken(), 'zh-CN');
    await expect.poll(() => page.locator('.live-status .status').textContent(), { timeout: 15_000 }).toBe(text('zh-CN', 'live.live'));
    // The token left the address bar; the session keeps it.
    expect(page.url()).not.toContain('token=');
    expect(JSON.parse((await page.evaluate(() => localStorage.getItem('sanifleet.session')))!)).toMatchObject({ token: dispatcherToken(), kind: 'token', user: { role: 'dispatcher' } });
    expect(await page.locator('.leaflet-control-attribution').textContent()).toContain('Map data © OpenStreetMap contributors, ODbL');
    await page.locator('body[data-first-paint="done"]').waitFor();
    // Roads are drawn on the canvas; no tile images were asked for.
    expect(await page.locator('.leaflet-overlay-pane canvas').count()).toBe(1);
    expect(await page.locator('img.leaflet-tile').count()).toBe(0);
    await expect.poll(count).toBe(text('zh-CN', 'dispatch.counts', { total, shown: total, positioned: 0 }));
  });

  it('shows every layer of the city with its count, and switches one off and on', async () => {
    const depots = (await svc.call('GET', '/api/v1/depots?limit=1', { token: svc.adminToken })).body.total;
    const permits = (await svc.call('GET', '/api/v1/permits?limit=1', { token: svc.adminToken })).body.total;
    const layer = (id: string) => page.locator(`input[name=layer][value="${id}"]`);
    const labelOf = (id: string) => page.locator('label.check', { has: layer(id) });
    expect(await labelOf('depots').textContent()).toBe(`${text('zh-CN', 'layers.depots')}${depots}`);
    expect(await labelOf('corridors').textContent()).toBe(`${text('zh-CN', 'layers.corridors')}${permits}`);
    for (const id of ['sites', 'zones', 'facility:transfer_station', 'points:food', 'points:residual', 'points:recyclable', 'points:hazardous', 'roads', 'vehicles']) {
      expect(await layer(id).isChecked(), id).toBe(true);
    }
    expect(await page.locator('.city-pin.depot').count()).toBe(depots);
    // Collection points are many: clustered, with counts.
    expect(await page.locator('.point-cluster').count()).toBeGreaterThan(0);
    await layer('depots').uncheck();
    await expect.poll(() => page.locator('.city-pin.depot').count()).toBe(0);
    await layer('depots').check();
    await expect.poll(() => page.locator('.city-pin.depot').count()).toBe(depots);
  });

  it('has a complete legend: moving, stopped, offline, alarm', async () => {
    const legend = await page.locator('#legend').textContent();
    for (const k of ['moving', 'stopped', 'offline', 'alarm']) expect(legend).toContain(text('zh-CN', `motion.${k}`));
  });

  it('shows the truck once its terminal reports over JT/T 808, with its state in the popup, and moves it on the next fix', async () => {
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
    const popupText = (await popup.textContent())!;
    expect(popupText).toContain(vehicle.plate);
    expect(popupText).toContain(text('zh-CN', 'vehicleKind.muck_truck'));
    expect(popupText).toContain(text('zh-CN', 'wasteClass.construction'));
    expect(popupText).toContain('18 km/h');
    expect(popupText).toContain('43.73360, 7.41900');
    // The fix time in the city's zone (Asia/Shanghai), not the browser's.
    const cityTime = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date(nowMs - 20_000));
    expect(popupText).toContain(cityTime);

    // The next fix, ~400 m east: the open popup and the marker follow.
    expect((await terminal.ack(terminal.sendLocation({ fixTimeMs: nowMs - 5_000, lat: 43.7336, lon: 7.4240, speedKmh: 25, headingDeg: 90 }))).result).toBe(0);
    await expect.poll(() => popup.textContent(), { timeout: 10_000 }).toContain('43.73360, 7.42400');
    const after = (await marker().boundingBox())!;
    expect(after.x - before.x).toBeGreaterThan(20);
    expect(Math.abs(after.y - before.y)).toBeLessThan(3);
  });

  it('lists the fleet beside the map; a click on the row zooms in, writes the plate beside the marker and opens its popup', async () => {
    await page.locator('.leaflet-popup-close-button').click();
    await page.locator('.leaflet-popup').waitFor({ state: 'detached' });
    const row = page.locator(`#vehicle-list li[data-vehicle-id="${vehicle.id}"]`);
    expect(await row.textContent()).toContain('25 km/h');
    expect(await page.locator('#vehicle-list li').count()).toBe(total);
    expect(await marker().locator('.vehicle-plate').count()).toBe(0);
    await row.locator('button').click();
    await page.locator(`.vehicle-popup[data-vehicle-id="${vehicle.id}"]`).waitFor();
    expect(await marker().locator('.vehicle-plate').textContent()).toBe(vehicle.plate);
  });

  it('gathers trucks parked at one spot into one cluster; a click lists their plates instead of opening one truck', async () => {
    const parked = (await svc.call('GET', '/api/v1/vehicles?kind=collector&limit=6', { token: svc.adminToken })).body.items as Array<{ id: string; plate: string }>;
    const fixTime = new Date(Date.now() - 10_000).toISOString();
    const res = await svc.call('POST', '/api/v1/positions', {
      token: svc.adminToken,
      body: { positions: parked.map((v, i) => ({ vehicleId: v.id, fixTime, lat: 43.7390 + i * 0.000003, lon: 7.4270, speedKmh: 0, headingDeg: 0 })) },
    });
    expect(res.body.accepted).toBe(parked.length);
    await expect.poll(async () => numbers(await count())[2]).toBe(1 + parked.length);
    // The list takes the map there; the truck is inside a cluster, so its popup opens on its own.
    await page.locator(`#vehicle-list li[data-vehicle-id="${parked[1]!.id}"] button`).click();
    await page.locator(`.vehicle-popup[data-vehicle-id="${parked[1]!.id}"]`).waitFor();
    await closePopupOf(parked[1]!.id);
    const cluster = page.locator('.vehicle-cluster', { hasText: String(parked.length) });
    await cluster.waitFor({ timeout: 10_000 });
    await cluster.click();
    await page.locator('.cluster-list').waitFor();
    const listed = await page.locator('.cluster-list li').allTextContents();
    expect(listed).toHaveLength(parked.length);
    for (const v of parked) expect(listed.join(' ')).toContain(v.plate);
    await page.locator(`.cluster-list button[data-vehicle-id="${parked[0]!.id}"]`).click();
    await page.locator(`.vehicle-popup[data-vehicle-id="${parked[0]!.id}"]`).waitFor();
    await closePopupOf(parked[0]!.id);
  });

  it('filters lose no vehicle: unticking one district keeps the vehicles that have none; "unassigned" is its own choice', async () => {
    const all = (await svc.call('GET', '/api/v1/vehicles?limit=1000', { token: svc.adminToken })).body.items as Array<{ district?: string }>;
    const district = all.find((v) => v.district)!.district!;
    const inDistrict = all.filter((v) => v.district === district).length;
    const unassigned = all.filter((v) => !v.district).length;
    expect(unassigned).toBeGreaterThan(0);
    await page.locator(`input[name=district][value="${district}"]`).uncheck();
    await expect.poll(async () => numbers(await count())[1]).toBe(total - inDistrict);
    await page.locator(`input[name=district][value="${district}"]`).check();
    await page.locator('input[name=district][value="__unassigned"]').uncheck();
    await expect.poll(async () => numbers(await count())[1]).toBe(total - unassigned);
    await page.getByRole('button', { name: text('zh-CN', 'filters.showAll') }).click();
    await expect.poll(async () => numbers(await count())[1]).toBe(total);
  });

  it('hides the truck when the dispatcher unticks its kind, and shows it again', async () => {
    await page.locator(`#vehicle-list li[data-vehicle-id="${vehicle.id}"] button`).click();
    await marker().waitFor({ state: 'attached' });
    await closePopupOf(vehicle.id);
    await page.locator('input[name=kind][value="muck_truck"]').uncheck();
    await marker().waitFor({ state: 'detached', timeout: 30_000 });
    expect(await page.locator(`#vehicle-list li[data-vehicle-id="${vehicle.id}"]`).count()).toBe(0);
    await page.locator('input[name=kind][value="muck_truck"]').check();
    await marker().waitFor({ state: 'attached', timeout: 30_000 });
  });

  it('replays the truck\'s track of today with the time slider', async () => {
    await page.locator(`#vehicle-list li[data-vehicle-id="${vehicle.id}"] button`).click();
    await page.locator(`.vehicle-popup[data-vehicle-id="${vehicle.id}"] .popup-links a`).click();
    await page.waitForURL(/\/incidents\?vehicle=/);
    await page.locator(`.replay-form select option[value="${vehicle.id}"]`).waitFor({ state: 'attached' });
    expect(await page.locator('.replay-form select').inputValue()).toBe(vehicle.id);
    await page.locator('.replay-form button[type=submit]').click();
    await expect.poll(() => page.locator('#replay-summary').textContent()).toBe(text('zh-CN', 'replay.summary', { shown: 2, total: 2 }));
    const slider = page.locator('.slider input[type=range]');
    expect(await slider.getAttribute('max')).toBe('1');
    const first = await page.locator('#replay-now').textContent();
    await slider.fill('1');
    await expect.poll(() => page.locator('#replay-now').textContent()).not.toBe(first);
    expect(await page.locator('#replay-now').textContent()).toContain('25 km/h');
    expect(pageErrors).toEqual([]);
  });
});
