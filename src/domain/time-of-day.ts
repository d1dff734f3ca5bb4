import { z } from 'zod';

/**
 * Local time of day in the city's time zone, "HH:MM". Windows may cross midnight
 * (a muck-truck night 21:00-06:00), so a window is (from, to) with to < from meaning
 * "to on the next day".
 */
export const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected a time of day "HH:MM" (00:00-24:00)');

export const timeWindow = z.strictObject({
  from: timeOfDay,
  to: timeOfDay,
}).refine((w) => w.from !== w.to, { message: 'a time window must not be empty (from equals to)', path: ['to'] });
export type TimeWindow = z.infer<typeof timeWindow>;

export function minutesOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** A window as local minutes [start, end), the end past 1440 when it crosses midnight. */
export function windowMinutes(w: TimeWindow): [number, number] {
  const start = minutesOfDay(w.from);
  let end = minutesOfDay(w.to);
  if (end <= start) end += 1440;
  return [start, end];
}
