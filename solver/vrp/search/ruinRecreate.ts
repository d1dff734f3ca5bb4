/**
 * Ruin and recreate of Slack Induction by String Removals (SISR, Christiaens & Vanden Berghe
 * 2020): remove strings of consecutive tasks from routes near a random seed task (sometimes
 * keeping a substring in place, the "split string"), then reinsert the removed tasks one by
 * one, in one of four orders, each at its cheapest position with a few positions skipped at
 * random ("blinks"). Every route changed is logged in the state's undo log.
 */
import {
  GRANULAR_INSERTION_TASKS, SISR_AVG_REMOVED, SISR_MAX_STRING, SISR_ORDER_WEIGHTS, SISR_SPLIT_BETA, SISR_SPLIT_SHARE,
} from '../parameters.js';
import { cleanRoute } from './facilityTrips.js';
import { applyInsertion, findInsertion } from './insertion.js';
import { taskLoc } from './neighbours.js';
import type { SearchState } from './state.js';

export function ruin(st: SearchState): number[] {
  const m = st.m;
  const cBar = SISR_AVG_REMOVED, lMax = SISR_MAX_STRING;
  const used = st.vehiclesUsed();
  let assigned = 0;
  assigned = m.nTasks - st.unassigned.length;
  if (assigned === 0) return [];
  const avgLen = assigned / Math.max(1, used);
  const lsMax = Math.min(lMax, avgLen);
  const ksMax = (4 * cBar) / (1 + lsMax) - 1;
  const ks = Math.floor(st.rng.next() * ksMax) + 1;
  const seed = randomAssignedTask(st);
  const ruined = new Set<number>();
  const removed: number[] = [];
  const visit = (c: number): boolean => {
    const v = st.taskVeh[c];
    if (v < 0 || ruined.has(v)) return false;
    ruined.add(v);
    st.touch(v);
    const taskPos: number[] = [];
    st.nodes[v].forEach((n) => { if (m.nodeTask[n] >= 0) taskPos.push(m.nodeTask[n]); });
    const card = taskPos.length;
    const lmaxT = Math.min(card, lsMax);
    const l = Math.floor(st.rng.next() * lmaxT) + 1;
    const k = taskPos.indexOf(c);
    let start = k - st.rng.int(l);
    start = Math.max(0, Math.min(start, card - l));
    // "split string": keep a random substring inside the removed string (SISR's second variant)
    let keepFrom = -1, keepLen = 0;
    if (l > 1 && l < card && st.rng.next() < SISR_SPLIT_SHARE) {
      keepLen = 1;
      while (l + keepLen < card && st.rng.next() > SISR_SPLIT_BETA) keepLen++;
      keepLen = Math.min(keepLen, card - l);
      keepFrom = start + 1 + st.rng.int(l - 1);
    }
    for (let i = 0; i < l + (keepFrom >= 0 ? keepLen : 0); i++) {
      const idx = start + i;
      if (idx >= card) break;
      if (keepFrom >= 0 && idx >= keepFrom && idx < keepFrom + keepLen) continue;
      const t = taskPos[idx];
      removeTask(st, t);
      removed.push(t);
    }
    return true;
  };
  visit(seed);
  for (const c of st.adj[seed]) {
    if (ruined.size >= ks) break;
    visit(c);
  }
  for (const v of ruined) cleanRoute(st, v);
  return removed;
}

/**
 * A cluster ruin: a random assigned task and its `count` nearest assigned tasks, whatever
 * routes they are on (the cost phase's escape from a stalled walk on large problems, where
 * SISR's strings of at most 10 tasks keep putting tasks back where they were).
 */
export function radialRuin(st: SearchState, count: number): number[] {
  const m = st.m;
  if (m.nTasks - st.unassigned.length === 0) return [];
  const seed = randomAssignedTask(st);
  const removed: number[] = [];
  const ruined = new Set<number>();
  const take = (t: number) => {
    const v = st.taskVeh[t];
    if (v < 0) return;
    if (!ruined.has(v)) { ruined.add(v); st.touch(v); }
    removeTask(st, t);
    removed.push(t);
  };
  take(seed);
  for (const c of st.adj[seed]) {
    if (removed.length > count) break;
    take(c);
  }
  for (const v of ruined) cleanRoute(st, v);
  return removed;
}

/** A task on some route, drawn at random (the caller has checked that one is). */
function randomAssignedTask(st: SearchState): number {
  let t = st.rng.int(st.m.nTasks);
  while (st.taskVeh[t] < 0) t = st.rng.int(st.m.nTasks);
  return t;
}

function removeTask(st: SearchState, t: number): void {
  const v = st.taskVeh[t];
  const ns = st.nodes[v];
  const i = ns.findIndex((n) => st.m.nodeTask[n] === t);
  ns.splice(i, 1);
  st.taskVeh[t] = -1;
  // positions after i shift; keep taskPos exact without a full update
  for (let k = i; k < ns.length; k++) { const u = st.m.nodeTask[ns[k]]; if (u >= 0) st.taskPos[u] = k; }
}

export function recreate(st: SearchState, tasks: number[], blink: number, stillOut: Set<number> | null = null): void {
  sortRemoved(st, tasks);
  const left: number[] = [];
  for (const t of tasks) {
    // tasks that were already out get only the granular look, or large problems crawl
    findInsertion(st, t, blink, !stillOut?.has(t));
    if (st.bestV >= 0) applyInsertion(st, t);
    else left.push(t);
  }
  st.unassigned = left;
}

function sortRemoved(st: SearchState, tasks: number[]): void {
  const m = st.m;
  const w = SISR_ORDER_WEIGHTS;
  const r = st.rng.next() * (w.random + w.demand + w.far + w.close);
  if (r < w.random) {
    for (let i = tasks.length - 1; i > 0; i--) { const j = st.rng.int(i + 1); [tasks[i], tasks[j]] = [tasks[j], tasks[i]]; }
  } else if (r < w.random + w.demand) {
    const dem = (t: number) => m.nodeKg[m.taskNodes[t][0]] + m.nodeM3[m.taskNodes[t][0]];
    tasks.sort((a, b) => dem(b) - dem(a));
  } else {
    const d = m.profileDist[0];
    const far = (t: number) => d[st.depotLoc * m.nLoc + taskLoc(st.m, t)];
    if (r < w.random + w.demand + w.far) tasks.sort((a, b) => far(b) - far(a));
    else tasks.sort((a, b) => far(a) - far(b));
  }
}
