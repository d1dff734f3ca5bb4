import type { ActualStatus } from './plan-actual.js';

/**
 * The day's collection figures per contractor (the contractor of the vehicle a stop was planned
 * on; vehicles without one count under null), and the month's ranking (月排名). Points the plans
 * could not serve belong to no vehicle, so they count in the district's figures only.
 */
export interface ContractorDay {
  contractor: string | null;
  vehicles: number;
  stops: { planned: number; done: number; late: number; missed: number; pending: number };
  clearanceRate: number | null;
  onTimeRate: number | null;
}

export interface ContractorRank {
  rank: number;
  contractor: string | null;
  days: number;
  stops: ContractorDay['stops'];
  clearanceRate: number | null;
  onTimeRate: number | null;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);
const emptyStops = (): ContractorDay['stops'] => ({ planned: 0, done: 0, late: 0, missed: 0, pending: 0 });

/** clearance: done or late of the planned stops; on time: done of those judged (done, late, missed) */
function rates(s: ContractorDay['stops']): { clearanceRate: number | null; onTimeRate: number | null } {
  return { clearanceRate: ratio(s.done + s.late, s.planned), onTimeRate: ratio(s.done, s.done + s.late + s.missed) };
}

export function contractorDay(statuses: readonly ActualStatus[], contractorOf: (vehicleId: string) => string | null): ContractorDay[] {
  const by = new Map<string | null, { stops: ContractorDay['stops']; vehicles: Set<string> }>();
  for (const s of statuses) {
    if (s.kind !== 'stop') continue;
    const vehicleId = s.vehicleIds[0]!;
    const c = contractorOf(vehicleId);
    const x = by.get(c) ?? by.set(c, { stops: emptyStops(), vehicles: new Set() }).get(c)!;
    x.vehicles.add(vehicleId);
    x.stops.planned++;
    x.stops[s.status]++;
  }
  return [...by.entries()]
    .sort(([a], [b]) => String(a ?? '').localeCompare(String(b ?? '')))
    .map(([contractor, x]) => ({ contractor, vehicles: x.vehicles.size, stops: x.stops, ...rates(x.stops) }));
}

/**
 * The month's ranking: each contractor's stops summed over the days, ranked by clearance rate,
 * then on-time rate (higher first; a contractor with nothing judged last); equal figures share a rank.
 */
export function rankContractors(days: ReadonlyArray<readonly ContractorDay[]>): ContractorRank[] {
  const by = new Map<string | null, { days: number; stops: ContractorDay['stops'] }>();
  for (const day of days) {
    for (const c of day) {
      const x = by.get(c.contractor) ?? by.set(c.contractor, { days: 0, stops: emptyStops() }).get(c.contractor)!;
      x.days++;
      for (const k of Object.keys(x.stops) as Array<keyof ContractorDay['stops']>) x.stops[k] += c.stops[k];
    }
  }
  const key = (r: { clearanceRate: number | null; onTimeRate: number | null }) => [r.clearanceRate ?? -1, r.onTimeRate ?? -1] as const;
  const rows = [...by.entries()].map(([contractor, x]) => ({ contractor, days: x.days, stops: x.stops, ...rates(x.stops) }))
    .sort((a, b) => {
      const [ca, oa] = key(a);
      const [cb, ob] = key(b);
      return cb - ca || ob - oa || String(a.contractor ?? '').localeCompare(String(b.contractor ?? ''));
    });
  const ranked: ContractorRank[] = [];
  rows.forEach((r, i) => {
    const prev = ranked[i - 1];
    const tied = prev && prev.clearanceRate === r.clearanceRate && prev.onTimeRate === r.onTimeRate;
    ranked.push({ rank: tied ? prev.rank : i + 1, ...r });
  });
  return ranked;
}
