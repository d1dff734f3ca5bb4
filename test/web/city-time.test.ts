import { describe, expect, it } from 'vitest';
import { cityDate, cityWallString, cityWallToMs, zoneOffsetMs } from '../../web/src/lib/city-time.js';

/** The replay's "a day in the city" is a UTC range that depends on the city's zone, not the browser's. */
describe('city wall time', () => {
  it('Shanghai is UTC+8 all year', () => {
    expect(zoneOffsetMs(Date.UTC(2025, 0, 1), 'Asia/Shanghai')).toBe(8 * 3600_000);
    expect(cityWallToMs('2025-03-10', '00:00', 'Asia/Shanghai')).toBe(Date.UTC(2025, 2, 9, 16, 0));
    expect(cityDate(Date.UTC(2025, 2, 9, 16, 0), 'Asia/Shanghai')).toBe('2025-03-10');
    expect(cityDate(Date.UTC(2025, 2, 9, 15, 59), 'Asia/Shanghai')).toBe('2025-03-09');
  });

  it('follows daylight saving where the zone has it (Paris, last Sunday of March)', () => {
    expect(cityWallToMs('2025-03-29', '12:00', 'Europe/Paris')).toBe(Date.UTC(2025, 2, 29, 11, 0));
    expect(cityWallToMs('2025-03-31', '12:00', 'Europe/Paris')).toBe(Date.UTC(2025, 2, 31, 10, 0));
  });

  it('round-trips a datetime-local value', () => {
    const ms = cityWallToMs('2025-11-30', '21:45', 'Asia/Shanghai');
    expect(cityWallString(ms, 'Asia/Shanghai')).toBe('2025-11-30T21:45');
  });
});
