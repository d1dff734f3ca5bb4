/**
 * The compiled routing model shared by collectors, muck trucks, sweepers and the
 * benchmark adapters: flat typed arrays, one "node" per way of serving a task.
 *
 * A task (a collection visit, a muck load, one sweeping pass, a Solomon customer) has one
 * or more node variants: an arc task has one node per direction it may be served in, a
 * point with several time windows has one node per window. A solution serves each task by
 * exactly one of its nodes. Intermediate facilities (IF: unload / refill) are nodes with
 * `nodeIsIF = 1` that reset the load; a route of a group that has IF nodes must end with an
 * IF visit (the load is delivered, never carried back to the depot).
 */
export interface Model {
  nLoc: number;
  /** per matrix profile, row-major nLoc * nLoc */
  profileDist: Float64Array[];
  profileDur: Float64Array[];
  nNodes: number;
  nodeStart: Int32Array;
  nodeEnd: Int32Array;
  /** distance driven while serving (arc length, loaded corridor leg), metres */
  nodeDist: Float64Array;
  /** time from service start until leaving nodeEnd, seconds */
  nodeDur: Float64Array;
  /** service start window */
  nodeE: Float64Array;
  nodeL: Float64Array;
  nodeKg: Float64Array;
  nodeM3: Float64Array;
  nodeIsIF: Uint8Array;
  /** task of the node, -1 for IF nodes */
  nodeTask: Int32Array;
  nTasks: number;
  taskNodes: number[][];
  /** group = what a route carries (a waste class, "muck", "sweepings", "water", "deicer"); one per route */
  taskGroup: Int32Array;
  /** nTasks * nVeh, 1 when the vehicle may serve the task */
  taskCompat: Uint8Array;
  groupNames: string[];
  /** IF nodes usable by a route of that group; empty = load ends at the depot */
  groupIF: number[][];
  /** every IF node accepting the group, including facilities the allocation LP left out */
  groupIFAll: number[][];
  /** 1 when a route of the group must unload at an IF before returning (waste); 0 for consumables refilled there (water, deicer) */
  groupEndEmpty: Uint8Array;
  nVeh: number;
  vehProfile: Int32Array;
  vehStart: Int32Array;
  vehEnd: Int32Array;
  vehE: Float64Array;
  /** latest return, already shortened by the break duration when there is a break */
  vehL: Float64Array;
  vehCapKg: Float64Array;
  vehCapM3: Float64Array;
  vehFixed: Float64Array;
  vehCostPerM: Float64Array;
  vehCostPerS: Float64Array;
  /** vehicles with equal type are interchangeable (same profile, capacity, shift, depots, costs, compatibility) */
  vehType: Int32Array;
  /** true: minimise the number of vehicles first */
  vehiclesFirst: boolean;
}

/** Give interchangeable vehicles the same type id. */
export function assignVehicleTypes(m: Model): void {
  const keys = new Map<string, number>();
  for (let v = 0; v < m.nVeh; v++) {
    let compat = '';
    for (let t = 0; t < m.nTasks; t++) compat += m.taskCompat[t * m.nVeh + v];
    const key = [m.vehProfile[v], m.vehStart[v], m.vehEnd[v], m.vehE[v], m.vehL[v], m.vehCapKg[v], m.vehCapM3[v],
      m.vehFixed[v], m.vehCostPerM[v], m.vehCostPerS[v], compat].join('|');
    let id = keys.get(key);
    if (id === undefined) { id = keys.size; keys.set(key, id); }
    m.vehType[v] = id;
  }
}

/**
 * Does any task have a window narrower than the shifts? Without one, time warp can only come
 * from the shift itself: the search need not price it (CVRP, CARP), and neighbours are nearest
 * by distance alone.
 */
export function windowsBind(m: Model): boolean {
  let minE = Infinity, maxL = -Infinity;
  for (let v = 0; v < m.nVeh; v++) { minE = Math.min(minE, m.vehE[v]); maxL = Math.max(maxL, m.vehL[v]); }
  for (let n = 0; n < m.nNodes; n++) {
    if (m.nodeTask[n] >= 0 && (m.nodeE[n] > minE + 1e-6 || m.nodeL[n] + m.nodeDur[n] < maxL - 1e-6)) return true;
  }
  return false;
}
