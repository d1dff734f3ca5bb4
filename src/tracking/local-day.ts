/** The start (UTC epoch ms) of the local day containing `ms` in an IANA time zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset of local time from UTC at `ms`, in ms (Asia/Shanghai: +8 h). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * Recent local days per zone as [start, next day's start): the tracker asks for every fix,
 * and Intl formatting costs more than the rest of a fix's handling together.
 */
const recentDays = new Map<string, Array<[number, number]>>();

export function localDayStartMs(ms: number, timeZone: string): number {
  let days = recentDays.get(timeZone);
  if (!days) recentDays.set(timeZone, (days = []));
  for (const [start, end] of days) if (ms >= start && ms < end) return start;
  const start = computeLocalDayStartMs(ms, timeZone);
  // Local days last 23-25 h, so 30 h on is inside the next one.
  const end = computeLocalDayStartMs(start + 30 * 3_600_000, timeZone);
  days.unshift([start, end]);
  if (days.length > 8) days.pop();
  return start;
}

function computeLocalDayStartMs(ms: number, timeZone: string): number {
  const offset = zoneOffsetMs(ms, timeZone);
  const local = ms + offset;
  const dayStartLocal = Math.floor(local / 86_400_000) * 86_400_000;
  // Re-evaluate the offset at midnight itself (a DST change can fall inside the day).
  return dayStartLocal - zoneOffsetMs(dayStartLocal - offset, timeZone);
}

/** Local minute of day (0-1439) at `ms`. */
export function localMinuteOfDay(ms: number, timeZone: string): number {
  const local = ms + zoneOffsetMs(ms, timeZone);
  return Math.floor((((local % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
}
