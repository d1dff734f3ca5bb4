import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userRoles } from '../../src/domain/principal.js';
import { freshPgliteDataDir } from '../helpers/backends.js';
import { startTestService } from '../helpers/service.js';

/** The demo city's first start creates one user per role with a random password, once, hashed at production cost. */
describe('demo users', () => {
  let dir: string;
  let cleanup = () => {};
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sanifleet-demo-users-'));
  });
  afterAll(() => {
    cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates one user per role at the demo city\'s first start; each logs in; a later start creates none', async () => {
    // The run's empty store (copied: a start on an empty DATA_DIR makes the same one, after an initdb).
    const dataDir = freshPgliteDataDir() ?? join(dir, 'store');
    cleanup = () => rmSync(dataDir, { recursive: true, force: true });
    // As in production: the suites' cheap scrypt cost is not used here.
    const first = await startTestService({ demo: true, dataDir, productionPasswordCost: true });
    let passwords: Map<string, string>;
    try {
      expect(first.firstStartUsers.map((u) => u.user.role)).toEqual([...userRoles]);
      passwords = new Map(first.firstStartUsers.map((u) => [u.user.name, u.password]));
      expect(new Set(passwords.values()).size).toBe(userRoles.length);
      const driver = first.firstStartUsers.find((u) => u.user.role === 'driver')!.user;
      const vehicle = await first.call('GET', `/api/v1/vehicles/${driver.vehicleId}`, { token: first.adminToken });
      expect(vehicle.status).toBe(200);
      for (const { user, password } of first.firstStartUsers) {
        const res = await first.call('POST', '/api/v1/auth/login', { body: { name: user.name, password } });
        expect(res.status, user.name).toBe(200);
        expect(res.body.user.role).toBe(user.role);
        expect((await first.users.findForLogin(user.name))!.passwordHash).toMatch(/^scrypt\$N=32768,r=8,p=1\$/);
      }
      const made = await first.call('POST', '/api/v1/users', { token: first.adminToken, body: { name: 'made', displayName: 'Made', role: 'planner', password: 'made-by-admin' } });
      expect(made.status).toBe(201);
      expect((await first.users.findForLogin('made'))!.passwordHash).toMatch(/^scrypt\$N=32768,r=8,p=1\$/);
    } finally {
      await first.stop();
    }
    const again = await startTestService({ dataDir, env: { DEMO_CITY: 'auto' } });
    try {
      expect(again.firstStartUsers).toEqual([]);
      const res = await again.call('POST', '/api/v1/auth/login', { body: { name: 'dispatcher', password: passwords.get('dispatcher')! } });
      expect(res.status).toBe(200);
    } finally {
      await again.stop();
    }
    // Two starts on an embedded store on disk (demo import, scrypt at full cost): not a speed test.
  }, 300_000);

  it('creates no user outside the demo city', async () => {
    const svc = await startTestService();
    try {
      expect(svc.firstStartUsers).toEqual([]);
      expect(await svc.users.count()).toBe(0);
    } finally {
      await svc.stop();
    }
  });
});
