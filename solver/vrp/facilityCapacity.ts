/**
 * Facility daily capacity is a limit across all routes, so the search (route by route)
 * does not see it. After the search, a trip that would overfill a facility is sent to
 * another facility of its class with room left when the route stays feasible; failing
 * that the whole trip is taken out, latest first, and reported as unserved for
 * "facility_capacity" - never dropped silently.
 */
import type { Problem, Unserved } from '../problem.js';
import type { CompiledModel } from './compile.js';
import type { SearchResult } from './search.js';
import { isFeasible, routeSeg } from './segment.js';

interface Trip { route: number; from: number; to: number; facility: string; kg: number; startOrder: number }

export function enforceFacilityCapacity(p: Problem, cm: CompiledModel, result: SearchResult, usedKg: Map<string, number> = new Map()):
  { result: SearchResult; unserved: Unserved[]; repairedTrips: number } {
  const m = cm.model;
  const unserved: Unserved[] = [];
  const routes = result.routes.map((r) => ({ veh: r.veh, nodes: r.nodes.slice() }));
  const trips: Trip[] = [];
  routes.forEach((r, ri) => {
    let from = 0, kg = 0;
    r.nodes.forEach((n, i) => {
      const ref = cm.nodeRefs[n];
      if (ref.kind === 'muck') {
        const load = p.muckLoads[ref.index];
        trips.push({ route: ri, from: i, to: i, facility: load.disposalFacilityId, kg: load.kg, startOrder: i });
        from = i + 1;
      } else if (m.nodeIsIF[n]) {
        trips.push({ route: ri, from, to: i, facility: p.facilities[ref.index].id, kg, startOrder: i });
        from = i + 1; kg = 0;
      } else kg += m.nodeKg[n];
    });
  });
  const cap = new Map(p.facilities.map((f) => [f.id, f.dailyCapacityKg ?? Infinity]));
  for (const t of trips) usedKg.set(t.facility, (usedKg.get(t.facility) ?? 0) + t.kg);
  const drop = new Set<Trip>();
  let moved = 0;
  const feasible = (veh: number, nodes: number[]) => {
    const s = routeSeg(m, veh, nodes);
    const task = nodes.map((n) => m.nodeTask[n]).find((t) => t >= 0);
    return isFeasible(s, m, veh, task !== undefined && m.groupEndEmpty[m.taskGroup[task]] === 1);
  };
  for (const [fid, used] of usedKg) {
    let over = used - (cap.get(fid) ?? Infinity);
    if (over <= 1e-6) continue;
    const here = trips.filter((t) => t.facility === fid && t.kg > 0).sort((a, b) => b.startOrder - a.startOrder);
    for (const t of here) {
      if (over <= 1e-6) break;
      const r = routes[t.route];
      const ifNode = r.nodes[t.to];
      if (m.nodeIsIF[ifNode]) {
        const task = r.nodes.map((n) => m.nodeTask[n]).find((x) => x >= 0)!;
        const alt = m.groupIFAll[m.taskGroup[task]].find((f) => {
          const other = p.facilities[cm.nodeRefs[f].index].id;
          if (other === fid || (usedKg.get(other) ?? 0) + t.kg > (cap.get(other) ?? Infinity)) return false;
          const nodes = r.nodes.slice();
          nodes[t.to] = f;
          return feasible(r.veh, nodes);
        });
        if (alt !== undefined) {
          const other = p.facilities[cm.nodeRefs[alt].index].id;
          r.nodes[t.to] = alt;
          usedKg.set(other, (usedKg.get(other) ?? 0) + t.kg);
          usedKg.set(fid, (usedKg.get(fid) ?? 0) - t.kg);
          t.facility = other;
          moved++;
          over -= t.kg;
          continue;
        }
      }
      drop.add(t);
      over -= t.kg;
      usedKg.set(fid, (usedKg.get(fid) ?? 0) - t.kg);
    }
  }
  if (drop.size === 0) return { result: { ...result, routes }, unserved, repairedTrips: moved };
  const remove = routes.map(() => new Set<number>());
  for (const t of drop) {
    for (let i = t.from; i <= t.to; i++) {
      const n = routes[t.route].nodes[i];
      remove[t.route].add(i);
      const task = m.nodeTask[n];
      if (task < 0) continue;
      const ref = cm.taskRefs[task];
      const id = ref.kind === 'job' ? p.jobs[ref.index].id : ref.kind === 'muck' ? p.muckLoads[ref.index].id : p.sweepTasks[ref.index].id;
      unserved.push({ id, visit: ref.kind === 'muck' ? undefined : ref.visit, reason: 'facility_capacity', detail: `facility ${t.facility} has no daily capacity left for this load` });
    }
  }
  const kept = routes.map((r, ri) => ({ veh: r.veh, nodes: r.nodes.filter((_, i) => !remove[ri].has(i)) }))
    .filter((r) => r.nodes.some((n) => m.nodeTask[n] >= 0));
  return { result: { ...result, routes: kept }, unserved, repairedTrips: moved + drop.size };
}
