import { Episode, type IncidentOut } from '../episode.js';
import type { Detector, Rule } from '../detector.js';
import type { Judged } from '../vehicle-context.js';

/**
 * speeding (超速): above the vehicle's limit for `compliance.speedingFixes` consecutive fixes
 * (a one-fix spike raises nothing). The limit is the lowest that applies: muck trucks
 * `speedLimitsKmh.muckTruckInTown` (in town: the city's whole area), collectors `.collector`,
 * `.coverOpen` while the cover is reported open on a loaded (or unknown) truck, and a restricted zone's speed limit for the
 * vehicle's kind in its hours. Closes after `speedingBackUnderFixes` consecutive fixes at or under it.
 */
export function speedLimit(j: Judged): { limitKmh: number; source: string; zoneId?: string } | undefined {
  const s = j.profile.speedLimitsKmh;
  let best: { limitKmh: number; source: string; zoneId?: string } | undefined =
    j.vehicle.kind === 'muck_truck' ? { limitKmh: s.muckTruckInTown, source: 'muckTruckInTown' }
      : j.vehicle.kind === 'collector' ? { limitKmh: s.collector, source: 'collector' } : undefined;
  // The cover-open limit keeps a load from blowing off: an empty truck is not held to it.
  if (j.coverOpen && j.loaded !== false && (!best || s.coverOpen < best.limitKmh)) best = { limitKmh: s.coverOpen, source: 'coverOpen' };
  for (const z of j.city.zonesAt(j.fix.lon, j.fix.lat, j.vehicle.kind, j.local, 'speed_limit')) {
    if (z.speedLimitKmh !== undefined && (!best || z.speedLimitKmh < best.limitKmh)) best = { limitKmh: z.speedLimitKmh, source: `zone`, zoneId: z.id };
  }
  return best;
}

class SpeedingDetector implements Detector {
  private readonly episode = new Episode('speeding');
  private over: Judged[] = [];
  private underRun = 0;
  private firstUnderMs = 0;
  private maxSpeedKmh = 0;

  step(j: Judged, out: IncidentOut): void {
    const c = j.profile.compliance;
    const limit = speedLimit(j);
    const isOver = limit !== undefined && j.fix.speedKmh > limit.limitKmh;
    if (this.episode.isOpen) {
      this.episode.add(j);
      if (isOver) {
        this.underRun = 0;
        if (j.fix.speedKmh > this.maxSpeedKmh) this.episode.add(j, { maxSpeedKmh: (this.maxSpeedKmh = j.fix.speedKmh) });
        return;
      }
      if (this.underRun === 0) this.firstUnderMs = j.atMs;
      if (++this.underRun >= c.speedingBackUnderFixes) {
        this.episode.close(out, j, this.firstUnderMs, { durationS: Math.round((this.firstUnderMs - this.episode.startMs!) / 1000) });
        this.underRun = 0;
        this.over = [];
      }
      return;
    }
    const last = this.over[this.over.length - 1];
    if (!isOver || (last && j.atMs - last.atMs > c.maxGapS * 1000)) this.over = [];
    if (!isOver) return;
    this.over.push(j);
    if (this.over.length < c.speedingFixes) return;
    this.maxSpeedKmh = Math.max(...this.over.map((f) => f.fix.speedKmh));
    this.underRun = 0;
    this.episode.open(out, j, {
      startMs: this.over[0]!.atMs, fixIds: this.over.map((f) => f.id), zoneId: limit.zoneId,
      permitId: j.trip?.permit?.permit.id,
      thresholds: { limitKmh: limit.limitKmh, limitSource: limit.source, speedingFixes: c.speedingFixes, speedingBackUnderFixes: c.speedingBackUnderFixes },
      details: { maxSpeedKmh: this.maxSpeedKmh, speedsKmh: this.over.map((f) => f.fix.speedKmh) },
    });
    this.over = [];
  }
}

export const speeding: Rule = {
  type: 'speeding',
  // Every kind: sweepers and washers have no limit of their own here, but zone limits apply to them.
  appliesTo: () => true,
  create: () => new SpeedingDetector(),
};
