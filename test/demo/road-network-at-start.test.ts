import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestService } from '../helpers/service.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'sanifleet-netcache-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('road network at start', () => {
  it('imports the demo extract, then loads it from the cache well under a second', async () => {
    const first = await startTestService({ roadNetwork: true, env: { NETWORK_CACHE_DIR: cacheDir } });
    try {
      const loaded = await first.network!;
      expect(loaded.fromCache).toBe(false);
      const health = await first.call('GET', '/api/v1/health');
      expect(health.body.roadNetwork).toMatchObject({ status: 'ready', fromCache: false });
      expect(health.body.roadNetwork.segments).toBeGreaterThan(2000);
    } finally {
      await first.stop();
    }
    const second = await startTestService({ roadNetwork: true, env: { NETWORK_CACHE_DIR: cacheDir } });
    try {
      const loaded = await second.network!;
      expect(loaded.fromCache).toBe(true);
      expect(loaded.timingsMs.total).toBeLessThan(1000);
      // A truck route between two real addresses, on the network the service holds.
      const leg = loaded.network.route({ lon: 7.4196, lat: 43.7315 }, { lon: 7.4276, lat: 43.7398 }, { vehicleKind: 'truck' });
      expect(leg).not.toBeNull();
      expect(leg!.distanceM).toBeGreaterThan(1000);
    } finally {
      await second.stop();
    }
  });
});
