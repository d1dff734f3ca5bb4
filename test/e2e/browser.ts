/** Suites using Chromium declare it: describeWith('chromium', …) (test/helpers/servers.ts). */
import { buildWeb as buildWebNow } from '../../scripts/chromium.js';

export { CHROMIUM_PATH, launchChromium } from '../../scripts/chromium.js';

let built = false;
/**
 * Builds web/src into web/dist once per test process: the sources do not change during a run,
 * and the page suites of one vitest worker run one after another in the same process.
 */
export function buildWeb(): void {
  if (built) return;
  buildWebNow();
  built = true;
}
