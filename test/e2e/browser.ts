/** Suites using Chromium declare it: describeWith('chromium', …) (test/helpers/servers.ts). */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { buildWeb as buildWebNow, launchChromium as launchChromiumNow } from '../../scripts/chromium.js';

export { CHROMIUM_PATH } from '../../scripts/chromium.js';

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

let shared: Promise<Browser> | undefined;

/**
 * A suite's Chromium: one browser per test process, shared by the page suites it runs one after
 * another (a launch costs about half a second of CPU and a second of wall time). Each suite sees
 * it through its own handle: its pages live in browser contexts of their own (no cookie, storage
 * or route of one suite reaches another), and `close()` closes those contexts, not the browser,
 * which playwright ends with the process.
 */
export async function launchChromium(): Promise<Browser> {
  if (shared && !(await shared.catch(() => undefined))?.isConnected()) shared = undefined;
  shared ??= launchChromiumNow();
  const browser = await shared;
  const contexts: BrowserContext[] = [];
  const newContext = async (options?: BrowserContextOptions): Promise<BrowserContext> => {
    const context = await browser.newContext(options);
    contexts.push(context);
    return context;
  };
  const handle: Partial<Browser> = {
    newContext,
    // as Browser.newPage: a page in a context of its own
    newPage: async (options?: BrowserContextOptions): Promise<Page> => (await newContext(options)).newPage(),
    contexts: () => [...contexts],
    isConnected: () => browser.isConnected(),
    version: () => browser.version(),
    close: async () => {
      await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => undefined)));
    },
  };
  return handle as Browser;
}
