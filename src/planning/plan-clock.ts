import { z } from 'zod';
import { localDayStartMs, zoneOffsetMs } from '../tracking/local-day.js';
import { minutesOfDay, windowMinutes, type TimeWindow } from '../domain/time-of-day.js';

/** A calendar date "YYYY-MM-DD" that exists (2026-02-30 does not). */
export const planDate = z.iso.date();

/**
 * The plan day's clock: the solver counts seconds from the local midnight that starts the
 * plan's date (night work runs past 86,400); the API speaks UTC instants and local HH:MM.
 * Local times are wall-clock times, so a window "22:00-06:00" is 79,200-108,000 whatever the
 * zone; on a day with a DST change the instants still come out right (offset re-read).
 */
export class PlanClock {
  /** UTC epoch ms of the local midnight starting `date`. */
  readonly midnightMs: number;
  private readonly midnightOffsetMs: number;

  constructor(readonly date: string, readonly timeZone: string) {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const noonUtc = Date.UTC(y, m - 1, d, 12);
    this.midnightMs = localDayStartMs(noonUtc - zoneOffsetMs(noonUtc, timeZone), timeZone);
    this.midnightOffsetMs = zoneOffsetMs(this.midnightMs, timeZone);
  }

  /** Seconds from midnight of a local "HH:MM" on the plan day (+86,400 for the next day). */
  static wallS(hhmm: string, nextDay = false): number {
    return minutesOfDay(hhmm) * 60 + (nextDay ? 86_400 : 0);
  }

  /** A local window as solver seconds; one that crosses midnight ends on the next day. */
  static windowS(w: TimeWindow): { startS: number; endS: number } {
    const [startMin, endMin] = windowMinutes(w);
    return { startS: startMin * 60, endS: endMin * 60 };
  }

  /** UTC epoch ms of solver second `s`. */
  epochMs(s: number): number {
    const guess = this.midnightMs + Math.round(s * 1000);
    return guess - (zoneOffsetMs(guess, this.timeZone) - this.midnightOffsetMs);
  }

  iso(s: number): string {
    return new Date(this.epochMs(s)).toISOString();
  }

  /** Local "HH:MM" of solver second `s` ("+1" appended past midnight). */
  static local(s: number): string {
    // to the ms first, as the instant is: 57,599.9999 s is 16:00 in both
    const whole = Math.floor(Math.round(s * 1000) / 60_000);
    const day = Math.floor(whole / 1440);
    const min = whole - day * 1440;
    const hhmm = `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
    return day === 0 ? hhmm : `${hhmm}${day > 0 ? '+' : ''}${day}`;
  }

  /** The local date following `date`. */
  static nextDate(date: string): string {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  }

  /** The local date before `date`. */
  static previousDate(date: string): string {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
  }

  /** Today's local date at `nowMs`. */
  static localDate(nowMs: number, timeZone: string): string {
    return new Date(nowMs + zoneOffsetMs(nowMs, timeZone)).toISOString().slice(0, 10);
  }
}
