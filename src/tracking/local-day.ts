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

export function localDayStartMs(ms: number, timeZone: string): number {
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
