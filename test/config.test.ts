import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { openDb } from '../src/store/db.js';

describe('configuration', () => {
  it('takes defaults from nothing', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, dataDir: './data/store', demoCity: 'auto', jt808Port: 5015 });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.positionQueueMaxRows).toBe(200_000);
  });

  it("bounds the position writer's queue by POSITION_QUEUE_MAX_ROWS", () => {
    expect(loadConfig({ POSITION_QUEUE_MAX_ROWS: '20000' }).positionQueueMaxRows).toBe(20_000);
    expect(() => loadConfig({ POSITION_QUEUE_MAX_ROWS: '10' })).toThrow(/POSITION_QUEUE_MAX_ROWS="10"/);
    expect(() => loadConfig({ POSITION_QUEUE_MAX_ROWS: 'lots' })).toThrow(/POSITION_QUEUE_MAX_ROWS="lots"/);
  });

  it('stops with a message naming each bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', DEMO_CITY: 'maybe' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', ADMIN_TOKEN: 'short' });
    } catch (err) {
      const msg = (err as Error).message;
      expect(msg).toMatch(/PORT="eighty"/);
      expect(msg).toMatch(/DATABASE_URL="mysql:\/\/x": must be a postgres:\/\/ URL/);
      expect(msg).toMatch(/ADMIN_TOKEN/);
    }
  });

  it("sizes the embedded store's buffer cache from PGLITE_SHARED_BUFFERS, refusing what PostgreSQL would", async () => {
    expect(loadConfig({}).pgliteSharedBuffers).toBeUndefined();
    expect(loadConfig({ PGLITE_SHARED_BUFFERS: '16MB' }).pgliteSharedBuffers).toBe('16MB');
    expect(() => loadConfig({ PGLITE_SHARED_BUFFERS: '16' })).toThrow(/PGLITE_SHARED_BUFFERS="16": must be a size such as 16MB/);
    expect(() => loadConfig({ PGLITE_SHARED_BUFFERS: '64kB' })).toThrow(/PGLITE_SHARED_BUFFERS="64kB": must be at least 128kB/);
    const db = await openDb({ pgliteSharedBuffers: '8MB' });
    try {
      expect((await db.query<{ shared_buffers: string }>('show shared_buffers')).rows).toEqual([{ shared_buffers: '8MB' }]);
    } finally {
      await db.close();
    }
  });

  it('validates the city-profile file and names the bad value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sanifleet-cfg-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ name: 'Hangzhou', muckTruckHours: { from: '21:00', to: '06:00' } }));
    const c = loadConfig({ CITY_PROFILE: good });
    expect(c.cityProfile?.muckTruckHours).toEqual({ from: '21:00', to: '06:00' });
    expect(c.cityProfile?.collectionWindows).toHaveLength(3);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ corridor: { defaultWidthM: 'wide' }, speedLimitz: {} }));
    expect(() => loadConfig({ CITY_PROFILE: bad })).toThrow(/corridor\.defaultWidthM: .*\n.*speedLimitz/s);
    const notJson = join(dir, 'x.json');
    writeFileSync(notJson, '{');
    expect(() => loadConfig({ CITY_PROFILE: notJson })).toThrow(/cannot read it as JSON/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('terminal-model profiles file', () => {
  it('loads the demo profiles by default and names a bad entry', () => {
    expect(loadConfig({}).terminalProfiles['muck-generic']?.coverClosed).toMatchObject({ from: 'item', itemId: 225 });
    const dir = mkdtempSync(join(tmpdir(), 'sanifleet-tp-'));
    const bad = join(dir, 'tp.json');
    writeFileSync(bad, JSON.stringify({ models: { m1: { name: 'm1', coverClosed: { from: 'status', bit: 40 } } } }));
    expect(() => loadConfig({ TERMINAL_PROFILES: bad })).toThrow(/TERMINAL_PROFILES=.*models\.m1: .*coverClosed\.bit/);
    rmSync(dir, { recursive: true, force: true });
  });
});
