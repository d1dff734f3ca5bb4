import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

import { CHROMIUM_PATH } from '../helpers/servers.js';

/** Debian's Chromium (CI installs it); never a downloaded browser. Suites using it: describeWith('chromium', …). */
export { CHROMIUM_PATH };

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** Builds web/src into web/dist, so the page under test is the page in the sources. */
export function buildWeb(): void {
  const script = fileURLToPath(new URL('../../scripts/build-web.mjs', import.meta.url));
  execFileSync(process.execPath, [script], { stdio: 'inherit' });
}
