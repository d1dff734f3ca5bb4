import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { startTestService, type TestService } from '../helpers/service.js';
import { buildWeb, launchChromium } from './browser.js';

/** Helpers for the web app's browser tests. */
/** Put in the suite name so a skipped run says why. */

const localeDir = fileURLToPath(new URL('../../web/src/locales/', import.meta.url));
const locales = {
  'zh-CN': JSON.parse(readFileSync(`${localeDir}zh-CN.json`, 'utf8')),
  en: JSON.parse(readFileSync(`${localeDir}en.json`, 'utf8')),
} as const;
export type Lang = keyof typeof locales;

/** The text of a locale key, as the page shows it (placeholders filled). */
export function text(lang: Lang, key: string, values: Record<string, string | number> = {}): string {
  const raw = key.split('.').reduce<any>((o, k) => o?.[k], locales[lang]);
  if (typeof raw !== 'string') throw new Error(`no locale key ${key}`);
  return raw.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name] ?? ''));
}

/** Opens a page signed in with an API token, in a language (the app's own switch is tested apart). */
export async function openAs(page: Page, baseUrl: string, path: string, token: string, lang: Lang): Promise<void> {
  if (!page.url().startsWith(baseUrl)) await page.goto(`${baseUrl}/favicon.svg`);
  await page.evaluate((l) => localStorage.setItem('sanifleet.lang', l), lang);
  await page.goto(`${baseUrl}${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`);
}

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core in the page: the serious and critical violations, as "rule: selector" lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.slice(0, 3).map((n) => `${v.id} (${v.help}): ${n.target.join(' ')}`));
}

/**
 * Layout checks a phone needs: nothing wider than the screen, a one-line header. The
 * screen's width is the viewport we set: a mobile browser widens its layout viewport
 * (innerWidth) to fit content that overflows, so innerWidth would hide the overflow.
 */
export async function layoutFacts(page: Page): Promise<{ scrollWidth: number; innerWidth: number; headerHeight: number }> {
  const facts = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    headerHeight: document.querySelector('.app-header')?.getBoundingClientRect().height ?? 0,
  }));
  return { ...facts, innerWidth: page.viewportSize()!.width };
}

/** No horizontal scroll and no serious axe violation: what every page must pass on both screens. */
export async function checkLayoutAndAxe(p: Page, where: string): Promise<void> {
  const f = await layoutFacts(p);
  expect(f.scrollWidth, `${where}: page wider than the screen`).toBeLessThanOrEqual(f.innerWidth);
  expect(await seriousViolations(p), where).toEqual([]);
}

/** A 390x844 phone and a 1280x800 desktop page that reach only the service (no internet) and collect page errors. */
export async function phoneAndDesktop(browser: Browser, serviceUrl: string, pageErrors: string[]): Promise<{ phone: Page; desktop: Page }> {
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const desktop = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  for (const p of [phone, desktop]) {
    p.on('pageerror', (e) => pageErrors.push(e.message));
    await p.route((url) => !url.href.startsWith(serviceUrl), (route) => route.abort());
  }
  return { phone, desktop };
}

/** The demo city's service with its road network and a Chromium, started side by side. */
export async function demoServiceAndBrowser(): Promise<{ svc: TestService; browser: Browser }> {
  buildWeb();
  const [svc, browser] = await Promise.all([startTestService({ demo: true, roadNetwork: true }), launchChromium()]);
  await svc.network;
  return { svc, browser };
}
