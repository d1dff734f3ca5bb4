import { describe, expect, it } from 'vitest';
import type { Fix } from '../../src/domain/fix.js';
import { validateFix } from '../../src/tracking/fix-validation.js';

const NOW = Date.UTC(2026, 10, 23, 2, 0, 0);
const fix = (extra: Partial<Fix> = {}): Fix => ({
  deviceId: '13800000001', fixTimeMs: NOW - 10_000, lat: 43.73, lon: 7.42, speedKmh: 10, headingDeg: 0, altitudeM: 0,
  positioned: true, alarms: [], source: 'jt808', ...extra,
});

describe('fix validation', () => {
  it('keeps a NUL (U+0000) in any string of a fix from the store, whatever protocol brought it', () => {
    expect(validateFix(fix(), NOW, 3_600_000)).toBeNull();
    expect(validateFix(fix({ attributes: { note: 'fine', level: 3 } }), NOW, 3_600_000)).toBeNull();
    const bads: Array<Partial<Fix>> = [
      { deviceId: '138\u0000' }, { vehicleId: 'v\u00001' }, { alarms: ['sos', 'over\u0000speed'] },
      { attributes: { note: 'a\u0000b' } }, { attributes: { ['n\u0000']: 1 } },
    ];
    for (const bad of bads) {
      expect(validateFix(fix(bad), NOW, 3_600_000), JSON.stringify(bad)).toBe('nul_text');
    }
  });
});
