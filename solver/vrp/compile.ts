/**
 * Problem -> routing models. Three independent models share one search: collectors
 * (jobs), muck trucks (muck loads) and street machines (sweep tasks), because no vehicle
 * or task crosses between them. Tasks no vehicle can ever serve are kept out of the model
 * and reported with their reason here.
 */
import type { Problem, Unserved, Vehicle, TimeWindow, CollectionJob } from '../problem.js';
import { isConsumable, streetCarries } from '../problem.js';
import { assignVehicleTypes, type Model } from './model.js';

export type Partition = 'collection' | 'muck' | 'street';

/** What a model node stands for in the Problem. */
export interface NodeRef {
  kind: 'job' | 'muck' | 'sweep' | 'facility';
  /** index into jobs / muckLoads / sweepTasks / facilities */
  index: number;
  /** visit (jobs) or pass (sweep tasks) number */
  visit: number;
  /** sweep tasks: true when served to -> from */
  reversed: boolean;
}

export interface CompiledModel {
  partition: Partition;
  model: Model;
  nodeRefs: NodeRef[];
  /** model vehicle -> problem vehicle index */
  vehicles: number[];
  /** model task -> (kind, index, visit) for reporting */
  taskRefs: NodeRef[];
}

export interface Compiled {
  models: CompiledModel[];
  unserved: Unserved[];
}

export interface CompileOptions {
  /** class -> facility ids it may be unloaded at (from the allocation LP); default: all that accept it */
  facilitiesByClass?: Map<string, Set<string>>;
}


function flatten(rows: number[][]): Float64Array {
  const n = rows.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = rows[i][j];
  return out;
}

function partitionOf(v: Vehicle): Partition {
  return v.kind === 'collector' ? 'collection' : v.kind === 'muck' ? 'muck' : 'street';
}

interface TaskDraft {
  ref: NodeRef;
  group: string;
  nodes: Array<{ start: number; end: number; distM: number; durS: number; e: number; l: number; kg: number; m3: number; reversed: boolean }>;
  compat: (v: Vehicle) => boolean;
  kg: number;
  m3: number;
}

/**
 * The windows of one visit of a point: visits are spread over consecutive slices of its day
 * so that any two starts are at least minGapS apart, whichever vehicles do them.
 */
export function visitWindows(job: CollectionJob, visit: number): TimeWindow[] {
  const k = job.visitsPerDay;
  const e0 = Math.min(...job.windows.map((w) => w.startS));
  const l0 = Math.max(...job.windows.map((w) => w.endS));
  const slice = k === 1 ? l0 - e0 : (l0 - e0 - (k - 1) * job.minGapS) / k;
  if (slice < 0) return [];
  const lo = e0 + visit * (slice + job.minGapS), hi = k === 1 ? l0 : lo + slice;
  return job.windows
    .map((w) => ({ startS: Math.max(w.startS, lo), endS: Math.min(w.endS, hi) }))
    .filter((w) => w.endS >= w.startS);
}

export function compileProblem(p: Problem, opts: CompileOptions = {}): Compiled {
  const profiles = Object.keys(p.matrices);
  const profileDist = profiles.map((k) => flatten(p.matrices[k].distancesM));
  const profileDur = profiles.map((k) => flatten(p.matrices[k].durationsS));
  const nLoc = p.matrices[profiles[0]].distancesM.length;
  const unserved: Unserved[] = [];
  const drafts: Record<Partition, TaskDraft[]> = { collection: [], muck: [], street: [] };
  const accepts = (cls: string) => p.facilities.filter((f) => f.accepts.includes(cls) &&
    (!opts.facilitiesByClass?.has(cls) || opts.facilitiesByClass.get(cls)!.has(f.id)));

  p.jobs.forEach((job, index) => {
    const k = job.visitsPerDay;
    const kg = job.kg / k, m3 = job.m3 / k;
    if (p.facilities.length > 0 && accepts(job.wasteClass).length === 0) {
      for (let visit = 0; visit < k; visit++) unserved.push({ id: job.id, visit, reason: 'facility', detail: `no facility accepts class "${job.wasteClass}"` });
      return;
    }
    for (let visit = 0; visit < k; visit++) {
      const ref: NodeRef = { kind: 'job', index, visit, reversed: false };
      const windows = visitWindows(job, visit);
      if (windows.length === 0) {
        unserved.push({ id: job.id, visit, reason: 'time_window', detail: `${k} visits ${job.minGapS}s apart do not fit in the collection windows` });
        continue;
      }
      drafts.collection.push({
        ref, group: job.wasteClass, kg, m3,
        nodes: windows.map((w) => ({ start: job.location, end: job.location, distM: 0, durS: job.serviceS, e: w.startS, l: w.endS, kg, m3, reversed: false })),
        compat: (v) => v.kind === 'collector' && v.classes.includes(job.wasteClass) && (!job.vehicleIds || job.vehicleIds.includes(v.id)) &&
          (job.wasteClass !== 'food' || (v.sealed && v.coverSensorOk)) &&
          (job.wasteClass !== 'hazardous' || v.hazardousRated),
      });
    }
  });

  p.muckLoads.forEach((load, index) => {
    const fac = p.facilities.find((f) => f.id === load.disposalFacilityId);
    if (!fac || !fac.accepts.includes('muck')) {
      unserved.push({ id: load.id, reason: 'facility', detail: `disposal site "${load.disposalFacilityId}" is not a facility accepting muck` });
      return;
    }
    const pw = load.permit.window;
    const toUnload = load.loadS + load.permit.corridorDurationS;
    const durS = toUnload + fac.unloadS;
    const nodes = fac.windows.map((fw) => ({
      start: load.siteLocation, end: fac.location, distM: load.permit.corridorDistanceM, durS,
      e: Math.max(pw.startS, fw.startS - toUnload), l: Math.min(pw.endS - durS, fw.endS - toUnload), kg: 0, m3: 0, reversed: false,
    })).filter((n) => n.l >= n.e);
    if (nodes.length === 0) {
      unserved.push({ id: load.id, reason: 'time_window', detail: 'the permit hours and the disposal site hours leave no time for the trip' });
      return;
    }
    const permitted = new Set(load.permit.vehicleIds);
    drafts.muck.push({
      ref: { kind: 'muck', index, visit: 0, reversed: false }, group: 'muck', kg: 0, m3: 0, nodes,
      compat: (v) => v.kind === 'muck' && permitted.has(v.id) && v.sealed && v.coverSensorOk && v.capacityKg >= load.kg && v.capacityM3 >= load.m3,
    });
  });

  p.sweepTasks.forEach((task, index) => {
    const passes = Math.min(task.passes, task.mechanicalPasses);
    const group = streetCarries(task.vehicleKind);
    const workS = task.lengthM / (task.workSpeedKmh / 3.6);
    for (let visit = 0; visit < passes; visit++) {
      const mk = (reversed: boolean) => ({
        start: reversed ? task.toLocation : task.fromLocation, end: reversed ? task.fromLocation : task.toLocation,
        distM: task.lengthM, durS: workS, e: task.earliestS, l: task.deadlineS - workS, kg: task.kg, m3: task.m3, reversed,
      });
      const nodes = task.oneWay ? [mk(false)] : [mk(false), mk(true)];
      if (nodes[0].l < nodes[0].e) {
        unserved.push({ id: task.id, visit, reason: 'time_window', detail: 'the segment cannot be swept at work speed before its deadline' });
        continue;
      }
      drafts.street.push({
        ref: { kind: 'sweep', index, visit, reversed: false }, group, kg: task.kg, m3: task.m3, nodes,
        compat: (v) => v.kind === task.vehicleKind && (!task.vehicleIds || task.vehicleIds.includes(v.id)),
      });
    }
  });

  const models: CompiledModel[] = [];
  // street first: sweepings can only go to transfer stations, collection classes have more outlets
  for (const part of ['street', 'muck', 'collection'] as Partition[]) {
    const vehIdx = p.vehicles.map((_, i) => i).filter((i) => partitionOf(p.vehicles[i]) === part);
    const tasks: TaskDraft[] = [];
    for (const d of drafts[part]) {
      const owner = d.ref.kind === 'job' ? p.jobs[d.ref.index].id : d.ref.kind === 'muck' ? p.muckLoads[d.ref.index].id : p.sweepTasks[d.ref.index].id;
      const kindOk = vehIdx.filter((i) => d.compat(p.vehicles[i]));
      if (kindOk.length === 0) {
        unserved.push({ id: owner, visit: d.ref.kind === 'muck' ? undefined : d.ref.visit, reason: 'no_compatible_vehicle',
          detail: d.ref.kind === 'muck' ? 'no permitted, sealed truck with a working cover sensor and enough capacity'
            : `no ${d.ref.kind === 'job' ? 'collector for class "' + d.group + '" (sealed/hazardous rules apply)' : 'vehicle of kind ' + p.sweepTasks[d.ref.index].vehicleKind}` });
        continue;
      }
      if (!kindOk.some((i) => p.vehicles[i].capacityKg >= d.kg && p.vehicles[i].capacityM3 >= d.m3)) {
        unserved.push({ id: owner, visit: d.ref.kind === 'muck' ? undefined : d.ref.visit, reason: 'capacity',
          detail: `${d.kg} kg / ${d.m3} m3 exceeds every compatible vehicle's capacity` });
        continue;
      }
      tasks.push(d);
    }
    if (tasks.length === 0 || vehIdx.length === 0) continue;
    models.push(buildModel(p, part, tasks, vehIdx, profiles, profileDist, profileDur, nLoc, accepts));
  }
  return { models, unserved };
}

function buildModel(p: Problem, partition: Partition, tasks: TaskDraft[], vehIdx: number[], profiles: string[],
  profileDist: Float64Array[], profileDur: Float64Array[], nLoc: number,
  accepts: (cls: string) => Problem['facilities']): CompiledModel {
  const groupNames = [...new Set(tasks.map((t) => t.group))];
  const nodeRefs: NodeRef[] = [];
  const n: TaskDraft['nodes'] = [];
  const nodeTask: number[] = [];
  const nodeIsIF: number[] = [];
  const taskNodes: number[][] = [];
  tasks.forEach((t, ti) => {
    taskNodes.push([]);
    for (const node of t.nodes) {
      taskNodes[ti].push(n.length);
      n.push(node);
      nodeRefs.push({ ...t.ref, reversed: node.reversed });
      nodeTask.push(ti);
      nodeIsIF.push(0);
    }
  });
  const groupIF: number[][] = [];
  const groupIFAll: number[][] = [];
  const groupEndEmpty = new Uint8Array(groupNames.length);
  groupNames.forEach((g, gi) => {
    groupIF.push([]);
    groupIFAll.push([]);
    if (g === 'muck') return;
    const preferred = new Set(accepts(g));
    for (const f of p.facilities.filter((x) => x.accepts.includes(g))) {
      const fi = p.facilities.indexOf(f);
      for (const w of f.windows) {
        if (preferred.has(f)) groupIF[gi].push(n.length);
        groupIFAll[gi].push(n.length);
        n.push({ start: f.location, end: f.location, distM: 0, durS: f.unloadS, e: w.startS, l: w.endS, kg: 0, m3: 0, reversed: false });
        nodeRefs.push({ kind: 'facility', index: fi, visit: 0, reversed: false });
        nodeTask.push(-1);
        nodeIsIF.push(1);
      }
    }
    groupEndEmpty[gi] = groupIF[gi].length > 0 && !isConsumable(g) ? 1 : 0;
  });
  const nVeh = vehIdx.length, nTasks = tasks.length;
  const taskCompat = new Uint8Array(nTasks * nVeh);
  tasks.forEach((t, ti) => vehIdx.forEach((vi, v) => {
    const veh = p.vehicles[vi];
    taskCompat[ti * nVeh + v] = t.compat(veh) && veh.capacityKg >= t.kg && veh.capacityM3 >= t.m3 ? 1 : 0;
  }));
  const vehs = vehIdx.map((i) => p.vehicles[i]);
  const model: Model = {
    nLoc, profileDist, profileDur,
    nNodes: n.length,
    nodeStart: Int32Array.from(n.map((x) => x.start)),
    nodeEnd: Int32Array.from(n.map((x) => x.end)),
    nodeDist: Float64Array.from(n.map((x) => x.distM)),
    nodeDur: Float64Array.from(n.map((x) => x.durS)),
    nodeE: Float64Array.from(n.map((x) => x.e)),
    nodeL: Float64Array.from(n.map((x) => x.l)),
    nodeKg: Float64Array.from(n.map((x) => x.kg)),
    nodeM3: Float64Array.from(n.map((x) => x.m3)),
    nodeIsIF: Uint8Array.from(nodeIsIF),
    nodeTask: Int32Array.from(nodeTask),
    nTasks, taskNodes,
    taskGroup: Int32Array.from(tasks.map((t) => groupNames.indexOf(t.group))),
    taskCompat, groupNames, groupIF, groupIFAll, groupEndEmpty,
    nVeh,
    vehProfile: Int32Array.from(vehs.map((v) => profiles.indexOf(v.profile))),
    vehStart: Int32Array.from(vehs.map((v) => v.startLocation)),
    vehEnd: Int32Array.from(vehs.map((v) => v.endLocation)),
    vehE: Float64Array.from(vehs.map((v) => v.shift.startS)),
    vehL: Float64Array.from(vehs.map((v) => v.shift.endS - (v.break?.durationS ?? 0))),
    vehCapKg: Float64Array.from(vehs.map((v) => v.capacityKg)),
    vehCapM3: Float64Array.from(vehs.map((v) => v.capacityM3)),
    vehFixed: Float64Array.from(vehs.map((v) => v.fixedCost)),
    vehCostPerM: Float64Array.from(vehs.map((v) => v.costPerKm / 1000)),
    vehCostPerS: Float64Array.from(vehs.map((v) => v.costPerHour / 3600)),
    vehType: new Int32Array(nVeh),
    vehiclesFirst: p.objective === 'vehicles-then-cost',
  };
  assignVehicleTypes(model);
  return { partition, model, nodeRefs, vehicles: vehIdx, taskRefs: tasks.map((t) => t.ref) };
}
