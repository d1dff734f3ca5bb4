/**
 * Fleet-size lower bound per vehicle kind and class: an integer programme that gives each
 * class enough vehicle-hours for its service and unloading work (travel ignored, so it is
 * a true lower bound), each vehicle working for one class, at most the vehicles we have.
 */
import type { Problem } from '../problem.js';
import { streetKinds } from '../problem.js';
import { solveLp, type LinearModel, type LpBackend } from './lp.js';

export interface FleetBound {
  /** "collector:food", "muck", "sweeper:sweepings", ... -> minimum vehicles */
  byKindAndClass: Record<string, number>;
  total: number;
  feasible: boolean;
}

interface Need { key: string; workS: number; vehicles: number[] }

function needs(p: Problem): Need[] {
  const out: Need[] = [];
  const classes = [...new Set(p.jobs.map((j) => j.wasteClass))];
  for (const c of classes) {
    const jobs = p.jobs.filter((j) => j.wasteClass === c);
    const vehicles = p.vehicles.map((v, i) => (v.kind === 'collector' && v.classes.includes(c) ? i : -1)).filter((i) => i >= 0);
    const capKg = Math.max(1, ...vehicles.map((i) => p.vehicles[i].capacityKg));
    const unloadS = Math.min(...p.facilities.filter((f) => f.accepts.includes(c)).map((f) => f.unloadS), Infinity);
    const kg = jobs.reduce((a, j) => a + j.kg, 0);
    const trips = Math.ceil(kg / capKg);
    out.push({ key: `collector:${c}`, workS: jobs.reduce((a, j) => a + j.serviceS * j.visitsPerDay, 0) + (Number.isFinite(unloadS) ? trips * unloadS : 0), vehicles });
  }
  if (p.muckLoads.length) {
    const vehicles = p.vehicles.map((v, i) => (v.kind === 'muck' ? i : -1)).filter((i) => i >= 0);
    out.push({ key: 'muck', workS: p.muckLoads.reduce((a, l) => a + l.loadS + l.permit.corridorDurationS, 0), vehicles });
  }
  for (const kind of streetKinds) {
    const tasks = p.sweepTasks.filter((t) => t.vehicleKind === kind);
    if (!tasks.length) continue;
    const vehicles = p.vehicles.map((v, i) => (v.kind === kind ? i : -1)).filter((i) => i >= 0);
    out.push({ key: kind, workS: tasks.reduce((a, t) => a + Math.min(t.passes, t.mechanicalPasses) * t.lengthM / (t.workSpeedKmh / 3.6), 0), vehicles });
  }
  return out;
}

export function buildFleetBoundModel(p: Problem): { model: LinearModel; vars: Array<{ need: string; vehicle: number }> } {
  const model: LinearModel = { vars: [], rows: [] };
  const vars: Array<{ need: string; vehicle: number }> = [];
  const perVehicle = new Map<number, Array<number>>();
  for (const need of needs(p)) {
    const row = model.rows.push({ name: `work_${need.key}`, terms: [], min: need.workS }) - 1;
    for (const i of need.vehicles) {
      const v = p.vehicles[i];
      const j = model.vars.push({ name: `${v.id}:${need.key}`, cost: 1, integer: true, upper: 1 }) - 1;
      vars.push({ need: need.key, vehicle: i });
      model.rows[row].terms.push([j, v.shift.endS - v.shift.startS - (v.break?.durationS ?? 0)]);
      if (!perVehicle.has(i)) perVehicle.set(i, []);
      perVehicle.get(i)!.push(j);
    }
  }
  for (const [i, js] of perVehicle) model.rows.push({ name: `one_class_${i}`, terms: js.map((j) => [j, 1] as [number, number]), max: 1 });
  return { model, vars };
}

export async function fleetLowerBound(p: Problem, backend: LpBackend = 'highs'): Promise<FleetBound> {
  const { model, vars } = buildFleetBoundModel(p);
  const res = await solveLp(model, backend);
  const byKindAndClass: Record<string, number> = {};
  vars.forEach((v, j) => { byKindAndClass[v.need] = (byKindAndClass[v.need] ?? 0) + Math.round(res.values[j]); });
  return { byKindAndClass, total: Object.values(byKindAndClass).reduce((a, b) => a + b, 0), feasible: res.feasible };
}
