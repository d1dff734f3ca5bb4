/** Suites using Chromium declare it: describeWith('chromium', …) (test/helpers/servers.ts). */
export { buildWeb, CHROMIUM_PATH, launchChromium } from '../../scripts/chromium.js';
