import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('takes defaults from nothing', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, dataDir: './data/store', demoCity: 'auto', jt808Port: 5015 });
    expect(c.databaseUrl).toBeUndefined();
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
