import { describe, expect, it } from 'vitest';
import { localDayStartMs, localMinuteOfDay, zoneOffsetMs } from '../../src/tracking/local-day.js';

describe('local day in the city time zone', () => {
  it('puts Beijing midnight at 16:00 UTC the day before', () => {
    const t = Date.parse('2026-11-23T03:00:00Z'); // 11:00 in Shanghai
    expect(zoneOffsetMs(t, 'Asia/Shanghai')).toBe(8 * 3600_000);
    expect(new Date(localDayStartMs(t, 'Asia/Shanghai')).toISOString()).toBe('2026-11-22T16:00:00.000Z');
    const lateEvening = Date.parse('2026-11-23T17:00:00Z'); // 01:00 next day in Shanghai
    expect(new Date(localDayStartMs(lateEvening, 'Asia/Shanghai')).toISOString()).toBe('2026-11-23T16:00:00.000Z');
    expect(localMinuteOfDay(lateEvening, 'Asia/Shanghai')).toBe(60);
  });

  it('follows daylight saving where a city has it', () => {
    const summer = Date.parse('2026-07-01T12:00:00Z');
    expect(new Date(localDayStartMs(summer, 'Europe/Paris')).toISOString()).toBe('2026-06-30T22:00:00.000Z');
    const winter = Date.parse('2026-01-15T12:00:00Z');
    expect(new Date(localDayStartMs(winter, 'Europe/Paris')).toISOString()).toBe('2026-01-14T23:00:00.000Z');
  });
});
