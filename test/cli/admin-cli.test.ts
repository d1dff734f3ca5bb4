import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgliteDataDir } from '../helpers/backends.js';
import { describeWith } from '../helpers/servers.js';
import { TokenStore } from '../../src/auth/api-tokens.js';
import { runAdminCli } from '../../src/cli/admin.js';
import { lockPathFor } from '../../src/store/data-dir-lock.js';
import { openDb } from '../../src/store/db.js';
import { createScratchDatabase, type ScratchDatabase } from '../../src/store/scratch-database.js';
import { startTestService } from '../helpers/service.js';
import { childBundle } from '../helpers/child-bundles.js';
import { TEST_PGLITE_SHARED_BUFFERS } from '../helpers/store-root.js';

/**
 * `npm run admin -- token ...` against a scratch store: issues a working token (printed
 * once), lists and revokes; refuses bad usage with exit 2; and on PGlite refuses to open
 * a data directory the service holds (exit 1, the store untouched).
 */
/** These tests create an embedded store on disk and start processes: minutes on a loaded 2-core machine, not a speed test. */
const SLOW_MS = 300_000;

const run = async (argv: string[], env: Record<string, string>) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdminCli(argv, { LOG_LEVEL: 'silent', OSM_FILE: 'none', PGLITE_SHARED_BUFFERS: TEST_PGLITE_SHARED_BUFFERS, ...env }, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err: err.join('\n') };
};

const verifyIn = async (opts: { dataDir?: string; databaseUrl?: string }, token: string) => {
  const db = await openDb({ ...opts, pgliteSharedBuffers: TEST_PGLITE_SHARED_BUFFERS });
  try {
    return await new TokenStore(db).verify(token);
  } finally {
    await db.close();
  }
};

describe('admin CLI on an embedded store (PGlite)', () => {
  let dir: string;
  let dataDir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sanifleet-cli-'));
    // The run's empty store (copied: the same one PGlite's initdb would make in an empty directory).
    dataDir = freshPgliteDataDir() ?? join(dir, 'store');
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates an admin token that works, shows it once, lists and revokes it', async () => {
    const created = await run(['token', 'create', '--role', 'admin', '--label', 'rescue', '--expires-in-days', '2'], { DATA_DIR: dataDir });
    expect(created.err).toBe('');
    expect(created.code).toBe(0);
    const secret = created.out.at(-1)!;
    expect(secret).toMatch(/^sf_/);
    const tokenId = /token (tok_\S+)/.exec(created.out[0]!)![1]!;
    const principal = await verifyIn({ dataDir }, secret);
    expect(principal).toMatchObject({ tokenId, role: 'admin', label: 'rescue' });
    const days = (principal!.expiresAtMs! - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(1.99);
    expect(days).toBeLessThanOrEqual(2);
    expect(existsSync(lockPathFor(dataDir))).toBe(false);

    const listed = await run(['token', 'list'], { DATA_DIR: dataDir });
    expect(listed.code).toBe(0);
    const row = listed.out.find((l) => l.startsWith(tokenId))!.split('\t');
    expect(row[1]).toBe('admin');
    expect(row[7]).toBe('active');
    expect(listed.out.join('\n')).not.toContain(secret);

    expect((await run(['token', 'revoke', tokenId], { DATA_DIR: dataDir })).code).toBe(0);
    expect(await verifyIn({ dataDir }, secret)).toBeNull();
    const again = await run(['token', 'revoke', tokenId], { DATA_DIR: dataDir });
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/no active token/);
  }, SLOW_MS);

  it('refuses bad usage and configuration with exit 2, naming the problem', async () => {
    expect((await run([], { DATA_DIR: dataDir })).code).toBe(2);
    const role = await run(['token', 'create', '--role', 'boss'], { DATA_DIR: dataDir });
    expect(role.code).toBe(2);
    expect(role.err).toMatch(/--role/);
    const driver = await run(['token', 'create', '--role', 'driver'], { DATA_DIR: dataDir });
    expect(driver.code).toBe(2);
    expect(driver.err).toMatch(/--vehicle: a driver token is bound to one vehicle/);
    const flag = await run(['token', 'create', '--role', 'admin', '--colour', 'red'], { DATA_DIR: dataDir });
    expect(flag.code).toBe(2);
    const days = await run(['token', 'create', '--role', 'admin', '--expires-in-days', '0'], { DATA_DIR: dataDir });
    expect(days.code).toBe(2);
    expect(days.err).toMatch(/--expires-in-days/);
    const config = await run(['token', 'list'], { DATA_DIR: dataDir, DATABASE_URL: 'mysql://x' });
    expect(config.code).toBe(2);
    expect(config.err).toMatch(/DATABASE_URL/);
    const vehicle = await run(['token', 'create', '--role', 'driver', '--vehicle', 'no-such-vehicle'], { DATA_DIR: dataDir });
    expect(vehicle.code).toBe(1);
    expect(vehicle.err).toMatch(/no vehicle with id "no-such-vehicle"/);
  });

  it('refuses a data directory the running service holds, and writes nothing', async () => {
    const svc = await startTestService({ dataDir });
    try {
      const before = (await svc.tokens.list()).length;
      const res = await run(['token', 'create', '--role', 'admin'], { DATA_DIR: dataDir });
      expect(res.code).toBe(1);
      expect(res.err).toMatch(/in use by process \d+ .*the sanifleet service.*stop that process first/s);
      expect(res.out).toEqual([]);
      // The service keeps its store and its lock.
      expect((await svc.tokens.list()).length).toBe(before);
      expect(existsSync(lockPathFor(dataDir))).toBe(true);
      expect((await svc.call('GET', '/api/v1/health')).status).toBe(200);
    } finally {
      await svc.stop();
    }
    expect(existsSync(lockPathFor(dataDir))).toBe(false);
    expect((await run(['token', 'list'], { DATA_DIR: dataDir })).code).toBe(0);
  }, SLOW_MS);

  it('runs as `npm run admin` in its own process, and is refused there too while the store is held', async () => {
    const exec = promisify(execFile);
    const env = { ...process.env, DATA_DIR: dataDir, OSM_FILE: 'none', DATABASE_URL: '', PGLITE_SHARED_BUFFERS: TEST_PGLITE_SHARED_BUFFERS };
    const ok = await exec('npm', ['run', '--silent', 'admin', '--', 'token', 'create', '--role', 'dispatcher', '--label', 'from npm'], { env });
    const secret = ok.stdout.trim().split('\n').at(-1)!;
    expect((await verifyIn({ dataDir }, secret))?.role).toBe('dispatcher');
    const held = await openDb({ dataDir, purpose: 'this test' });
    try {
      // The program npm runs, started directly (bundled once per run): npm's own way was shown just above.
      const refused = await exec(process.execPath, [childBundle('admin'), 'token', 'list'], { env }).then(() => undefined, (e: { code: number; stderr: string }) => e);
      expect(refused?.code).toBe(1);
      expect(refused?.stderr).toMatch(/in use by process .*this test/);
    } finally {
      await held.close();
    }
  }, SLOW_MS);

  it('takes over the lock of a process that died without releasing it', async () => {
    const exec = promisify(execFile);
    // A child opens the store and is killed before it can release the lock.
    const script = join(dir, 'open-and-die.mts');
    writeFileSync(script, `import { openDb } from ${JSON.stringify(join(process.cwd(), 'src/store/db.ts'))};
await openDb({ dataDir: ${JSON.stringify(dataDir)} });
process.kill(process.pid, 'SIGKILL');
`);
    const died = await exec(process.execPath, ['--import', 'tsx', script]).then(() => undefined, (e: { signal?: string }) => e);
    expect(died?.signal).toBe('SIGKILL');
    expect(existsSync(lockPathFor(dataDir))).toBe(true);
    const res = await run(['token', 'list'], { DATA_DIR: dataDir });
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
  }, SLOW_MS);
});

const serverUrl = process.env.TEST_DATABASE_URL;
describeWith('postgres', 'admin CLI on a PostgreSQL server', () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchDatabase(serverUrl!, 'sanifleet_test');
  });
  afterAll(() => scratch?.drop());

  it('issues a token while the service runs on the same database (a server takes many clients)', async () => {
    const svc = await startTestService({ env: { DATABASE_URL: scratch.url } });
    try {
      const res = await run(['token', 'create', '--role', 'admin', '--label', 'beside the service'], { DATABASE_URL: scratch.url });
      expect(res.err).toBe('');
      expect(res.code).toBe(0);
      const secret = res.out.at(-1)!;
      expect((await svc.call('GET', '/api/v1/tokens', { token: secret })).status).toBe(200);
    } finally {
      await svc.stop();
    }
  }, SLOW_MS);
});
