/**
 * Transportation model: each class's daily amount (kg) to the facilities that accept it,
 * within their remaining daily capacity, at least haul distance (from the amount's centre
 * of gravity, approximated by the mean distance from its points). Its result restricts
 * which facilities the routes of each class may unload at.
 */
import type { Problem } from '../problem.js';
import { solveLp, type LinearModel, type LpBackend } from './lp.js';

export interface Allocation {
  feasible: boolean;
  /** kg of each class sent to each facility */
  flows: Array<{ wasteClass: string; facilityId: string; kg: number }>;
  facilitiesByClass: Map<string, Set<string>>;
  /** classes whose amount exceeds what their facilities can take today */
  shortKg: Map<string, number>;
}

export function buildAllocationModel(p: Problem): { model: LinearModel; arcs: Array<{ cls: string; fac: string }>; classes: string[] } {
  const profile = Object.keys(p.matrices)[0];
  const dist = p.matrices[profile].distancesM;
  // collection classes plus the sweepers' hopper contents, which share the transfer stations
  const sources = [
    ...p.jobs.map((j) => ({ cls: j.wasteClass, kg: j.kg, location: j.location })),
    ...p.sweepTasks.filter((t) => t.vehicleKind === 'sweeper' && t.kg > 0)
      .map((t) => ({ cls: 'sweepings', kg: t.kg * Math.min(t.passes, t.mechanicalPasses), location: t.fromLocation })),
  ];
  const classes = [...new Set(sources.map((j) => j.cls))];
  const model: LinearModel = { vars: [], rows: [] };
  const arcs: Array<{ cls: string; fac: string }> = [];
  const demand = new Map<string, number>();
  for (const j of sources) demand.set(j.cls, (demand.get(j.cls) ?? 0) + j.kg);
  const classRows = new Map<string, number>();
  for (const c of classes) { classRows.set(c, model.rows.length); model.rows.push({ name: `demand_${c}`, terms: [], equal: demand.get(c) }); }
  p.facilities.forEach((f) => {
    const row = f.dailyCapacityKg !== undefined ? model.rows.push({ name: `cap_${f.id}`, terms: [], max: f.dailyCapacityKg }) - 1 : -1;
    for (const c of classes) {
      if (!f.accepts.includes(c)) continue;
      const pts = sources.filter((j) => j.cls === c);
      const meanM = pts.reduce((a, j) => a + dist[j.location][f.location], 0) / Math.max(1, pts.length);
      const j = model.vars.push({ name: `${c}->${f.id}`, cost: meanM / 1000 }) - 1;
      arcs.push({ cls: c, fac: f.id });
      model.rows[classRows.get(c)!].terms.push([j, 1]);
      if (row >= 0) model.rows[row].terms.push([j, 1]);
    }
  });
  // unmet demand, priced far above any haul, so the LP stays feasible and reports the shortage
  for (const c of classes) {
    const j = model.vars.push({ name: `short_${c}`, cost: 1e6 }) - 1;
    model.rows[classRows.get(c)!].terms.push([j, 1]);
  }
  return { model, arcs, classes };
}

export async function allocateFacilities(p: Problem, backend: LpBackend = 'jslp'): Promise<Allocation> {
  const { model, arcs, classes } = buildAllocationModel(p);
  const res = await solveLp(model, backend);
  const flows = arcs.map((a, j) => ({ wasteClass: a.cls, facilityId: a.fac, kg: res.values[j] }));
  const facilitiesByClass = new Map<string, Set<string>>();
  for (const c of classes) {
    const used = flows.filter((f) => f.wasteClass === c && f.kg > 1e-6).map((f) => f.facilityId);
    // with no flow anywhere (e.g. zero demand) keep every accepting facility open to the routes
    facilitiesByClass.set(c, new Set(used.length ? used : arcs.filter((a) => a.cls === c).map((a) => a.fac)));
  }
  const shortKg = new Map<string, number>();
  classes.forEach((c, k) => { const s = res.values[arcs.length + k]; if (s > 1e-6) shortKg.set(c, s); });
  return { feasible: res.feasible, flows, facilitiesByClass, shortKg };
}
