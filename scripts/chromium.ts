/**
 * Debian's Chromium, driven by playwright-core, for the browser tests and the first-paint bench
 * (never a downloaded browser), and the web build they run against.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium`);
  // Loaded here: every suite reads CHROMIUM_PATH (servers.ts), few drive a browser.
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** Builds web/src into web/dist, so the page under test is the page in the sources. */
export function buildWeb(): void {
  const script = fileURLToPath(new URL('./build-web.mjs', import.meta.url));
  execFileSync(process.execPath, [script], { stdio: 'inherit' });
}
