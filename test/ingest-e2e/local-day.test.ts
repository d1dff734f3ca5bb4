import { describe, expect, it } from 'vitest';
import { localDayStartMs } from '../../src/tracking/local-day.js';

/**
 * The tracker asks for the local day of every fix, so day starts are remembered per zone.
 * Remembered answers must equal fresh ones, across DST switches and in any order of asking.
 */
const referenceFormats = new Map<string, Intl.DateTimeFormat>();

/** The reference: local date and time by Intl (one formatter per zone: creating one costs far more than formatting). */
function localParts(ms: number, timeZone: string) {
  let f = referenceFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    referenceFormats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}` };
}

describe('local day start, remembered per zone', () => {
  const zones = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/Santiago'];
  // Weeks around the 2026 DST switches (March/April and October/November in both hemispheres).
  const windows = [Date.UTC(2026, 2, 5), Date.UTC(2026, 2, 26), Date.UTC(2026, 3, 2), Date.UTC(2026, 9, 22), Date.UTC(2026, 10, 1)];

  it.each(zones)('%s: every answer is the local midnight of the same local date, whatever the order of asking', (zone) => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (const from of windows) {
      const times = Array.from({ length: 400 }, () => from + Math.floor(random() * 8 * 86_400_000));
      for (const ms of times) {
        const start = localDayStartMs(ms, zone);
        expect(start).toBeLessThanOrEqual(ms);
        expect(localParts(start, zone)).toEqual({ date: localParts(ms, zone).date, time: '00:00:00' });
        // A millisecond earlier is the previous local date: start is the first instant of the day.
        expect(localParts(start - 1, zone).date).not.toBe(localParts(ms, zone).date);
      }
    }
  });
});
