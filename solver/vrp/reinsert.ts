/**
 * Tasks that fitBreak took off a route get a place on another route of the plan: the
 * cheapest position that keeps the route feasible, leaves room for that driver's break and
 * does not overfill the facility the trip unloads at. Busy vehicles are the only ones that
 * can take a point when no idle vehicle may carry it (a hazardous point, say).
 */
import type { Problem } from '../problem.js';
import type { CompiledModel } from './compile.js';
import type { RouteOut } from './search.js';
import { breakFits } from './plan.js';
import { isFeasible, routeCost, routeSeg } from './segment.js';

/** candidate positions checked for the break per task, cheapest first (a schedule each) */
const MAX_BREAK_CHECKS = 60;

interface Candidate { route: number; nodes: number[]; delta: number; facility: string | null; kg: number }

/** Place what it can of `tasks` into `routes` (changed in place); returns the tasks placed. */
export function reinsertTasks(p: Problem, cm: CompiledModel, routes: RouteOut[], tasks: number[], usedKg: Map<string, number>): Set<number> {
  const m = cm.model;
  const placed = new Set<number>();
  const capOf = new Map(p.facilities.map((f) => [f.id, f.dailyCapacityKg ?? Infinity]));
  for (const t of tasks) {
    const group = m.taskGroup[t];
    const cands: Candidate[] = [];
    routes.forEach((r, ri) => {
      if (!m.taskCompat[t * m.nVeh + r.veh]) return;
      const first = r.nodes.find((n) => m.nodeTask[n] >= 0);
      if (first === undefined || m.taskGroup[m.nodeTask[first]] !== group) return;
      const old = evaluate(cm, r.veh, r.nodes, m.groupEndEmpty[group] === 1);
      if (old === null) return;
      for (const n of m.taskNodes[t]) {
        for (let pos = 0; pos <= r.nodes.length; pos++) {
          const nodes = [...r.nodes.slice(0, pos), n, ...r.nodes.slice(pos)];
          const cost = evaluate(cm, r.veh, nodes, m.groupEndEmpty[group] === 1);
          if (cost === null) continue;
          // the trip's load goes to the next facility on the route
          let facility: string | null = null;
          for (let k = pos + 1; k < nodes.length; k++) if (m.nodeIsIF[nodes[k]]) { facility = p.facilities[cm.nodeRefs[nodes[k]].index].id; break; }
          if (facility !== null && (usedKg.get(facility) ?? 0) + m.nodeKg[n] > (capOf.get(facility) ?? Infinity) + 1e-6) continue;
          cands.push({ route: ri, nodes, delta: cost - old, facility, kg: m.nodeKg[n] });
        }
      }
    });
    cands.sort((a, b) => a.delta - b.delta);
    const pick = cands.slice(0, MAX_BREAK_CHECKS).find((c) => breakFits(p, cm, { veh: routes[c.route].veh, nodes: c.nodes }));
    if (!pick) continue;
    routes[pick.route] = { veh: routes[pick.route].veh, nodes: pick.nodes };
    if (pick.facility !== null) usedKg.set(pick.facility, (usedKg.get(pick.facility) ?? 0) + pick.kg);
    placed.add(t);
  }
  return placed;
}

/** Cost of the route, or null when it breaks a window, the shift or a capacity. */
function evaluate(cm: CompiledModel, veh: number, nodes: number[], ifMode: boolean): number | null {
  const m = cm.model;
  const s = routeSeg(m, veh, nodes);
  return isFeasible(s, m, veh, ifMode) ? routeCost(s, m, veh) : null;
}
