import { afterAll, beforeAll } from 'vitest';
import pino, { type Logger } from 'pino';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import type { ScryptParams } from '../../src/auth/passwords.js';
import { startService, type Service } from '../../src/service.js';
import { createTestDatabase, type Backend } from './backends.js';
import { TEST_PGLITE_SHARED_BUFFERS } from './store-root.js';

export interface TestService extends Service {
  adminToken: string;
  /** The first-start token of a role (the demo city creates one per role); throws when there is none. */
  roleToken(role: string): string;
  /** fetch against the service with an optional bearer token */
  call(method: string, path: string, options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/**
 * The cheapest scrypt cost a stored hash may record (passwords.ts): the suites log people in
 * hundreds of times, and at production cost that was most of their CPU. A suite whose subject
 * is the production cost asks for it (productionPasswordCost).
 */
export const TEST_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };

export async function startTestService(opts: { backend?: Backend; demo?: boolean; env?: Record<string, string>; dataDir?: string; roadNetwork?: boolean; logger?: Logger; actualClock?: () => number; demoFleetClock?: () => number; productionPasswordCost?: boolean } = {}): Promise<TestService> {
  const testDb = await createTestDatabase(opts.backend ?? 'pglite', { migrated: true });
  // PGlite runs on the suite's own copy of the migrated store (backends.ts), unless the caller brings a directory.
  if (!opts.dataDir && testDb.dataDir) opts = { ...opts, dataDir: testDb.dataDir };
  const config = loadConfig({
    PORT: '0', HOST: '127.0.0.1', ADMIN_TOKEN: TEST_ADMIN_TOKEN, DEMO_CITY: opts.demo ? 'always' : 'never',
    JT808_PORT: '0', LOG_LEVEL: 'silent', PGLITE_SHARED_BUFFERS: TEST_PGLITE_SHARED_BUFFERS,
    // the demo city's fleet only where a test asks for it: it plans and drives today
    DEMO_FLEET: 'off',
    // Most suites need no road network; those that do share one cache directory.
    OSM_FILE: opts.roadNetwork ? '' : 'none', NETWORK_CACHE_DIR: join(tmpdir(), 'sanifleet-test-network-cache'),
    ...(testDb.url ? { DATABASE_URL: testDb.url } : {}),
    ...(opts.dataDir ? { DATA_DIR: opts.dataDir } : {}),
    ...opts.env,
  });
  const service = await startService(config, opts.logger ?? pino({ level: 'silent' }), {
    inMemory: !opts.dataDir && !testDb.url,
    actualClock: opts.actualClock,
    demoFleetClock: opts.demoFleetClock,
    ...(opts.productionPasswordCost ? {} : { passwordHashParams: TEST_SCRYPT_PARAMS }),
  });
  const call: TestService['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${service.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    ...service,
    adminToken: TEST_ADMIN_TOKEN,
    roleToken: (role) => {
      const found = service.firstStartTokens.find((t) => t.role === role);
      if (!found) throw new Error(`no first-start token for the role ${role}`);
      return found.token;
    },
    call,
    stop: async () => {
      await service.close();
      await testDb.drop();
    },
  };
}

/** A file's demo city: the service and a dispatcher's token, set once its beforeAll has run. */
export interface DemoCityForFile {
  svc: TestService;
  dispatcher: string;
}

/**
 * The demo city's service on its road network for the tests of one file (or describe block):
 * started before them, stopped after them.
 */
export function demoCityForFile(opts: { backend?: Backend } = {}): DemoCityForFile {
  const city = {} as DemoCityForFile;
  beforeAll(async () => {
    city.svc = await startTestService({ ...opts, demo: true, roadNetwork: true });
    await city.svc.network;
    city.dispatcher = city.svc.roleToken('dispatcher');
  }, 600_000);
  afterAll(async () => {
    await city.svc?.stop();
  });
  return city;
}
