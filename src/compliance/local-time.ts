import type { TimeWindow } from '../domain/time-of-day.js';
import { windowMinutes } from '../domain/time-of-day.js';
import { localDayStartMs, zoneOffsetMs } from '../tracking/local-day.js';

/**
 * Local time of a fix in the city's zone, as the rules need it: seconds into the local day
 * (a window's start is inclusive to the second) and the local date of a night (a fix at 02:00
 * in a 22:00-06:00 window belongs to the night that began the day before).
 */
export interface LocalTime {
  dayStartMs: number;
  secondOfDay: number;
  /** YYYY-MM-DD of the local day. */
  date: string;
}

const dates = new Map<string, string>();

export function localTime(ms: number, timeZone: string): LocalTime {
  const dayStartMs = localDayStartMs(ms, timeZone);
  const cacheKey = `${timeZone}|${dayStartMs}`;
  let date = dates.get(cacheKey);
  if (date === undefined) {
    date = new Date(dayStartMs + zoneOffsetMs(dayStartMs, timeZone)).toISOString().slice(0, 10);
    if (dates.size > 1000) dates.clear();
    dates.set(cacheKey, date);
  }
  return { dayStartMs, secondOfDay: (ms - dayStartMs) / 1000, date };
}

/** Windows as [start, end) seconds of day, end past 86,400 across midnight (asked for every fix: parsed once). */
const windowSeconds = new WeakMap<TimeWindow, [number, number]>();

function secondsOf(w: TimeWindow): [number, number] {
  let s = windowSeconds.get(w);
  if (!s) {
    const [start, end] = windowMinutes(w);
    windowSeconds.set(w, (s = [start * 60, end * 60]));
  }
  return s;
}

/** Inside [from, to) of a window that may cross midnight. */
export function inWindow(t: LocalTime, w: TimeWindow): boolean {
  const [start, end] = secondsOf(w);
  const s = t.secondOfDay;
  return (s >= start && s < end) || (s + 86_400 >= start && s + 86_400 < end);
}

/**
 * The local date the night of a window that crosses midnight began on: inside the window, the
 * evening's date; outside it, the nearer night's (07:00 after a 22:00-06:00 night belongs to that
 * night, 20:00 to the coming one). A window within one day: the day's date.
 */
export function nightDate(t: LocalTime, w: TimeWindow): string {
  const [start, end] = secondsOf(w);
  if (end <= 86_400) return t.date;
  const morningEnd = end - 86_400;
  const gapMiddle = (morningEnd + start) / 2;
  return t.secondOfDay < gapMiddle ? previousDate(t.date) : t.date;
}

function previousDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}
