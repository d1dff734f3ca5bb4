/**
 * Relocate: move task u next to w, in another route or the same one. The string move it is
 * made of also serves or-opt (orOpt.ts: strings of 2 and more, both orientations).
 */
import { Seg, concat } from '../../segment.js';
import { INTRA_RELOCATE_MAX_SPAN } from '../../parameters.js';
import type { SearchState } from '../state.js';
import { commit, evalWith, hasTaskIn, joinCost } from './moveEval.js';

/** Move task u to just after w, or before w; true when it was worth it and made. */
export function tryRelocate(st: SearchState, u: number, w: number): boolean {
  return tryMoveString(st, u, w, 1, 1);
}

/**
 * Move a string of minLen to maxLen tasks starting at u (either orientation) to just after w,
 * or before w: the shortest string first, the first improving move is made. Evaluated on
 * segments only; arrays are built just for the move that is made.
 */
export function tryMoveString(st: SearchState, u: number, w: number, minLen: number, maxLen: number): boolean {
  const m = st.m;
  const vu = st.taskVeh[u], vw = st.taskVeh[w];
  const iu = st.taskPos[u], iw = st.taskPos[w];
  const nsU = st.nodes[vu];
  const sF = st.sFwd, sR = st.sRev;
  if (vu !== vw && (st.rgroup[vw] !== st.rgroup[vu])) return false;
  for (let len = 1; len <= maxLen; len++) {
    if (iu + len > nsU.length) break;
    const n = nsU[iu + len - 1];
    if (m.nodeIsIF[n]) break;
    if (vu !== vw && !m.taskCompat[m.nodeTask[n] * m.nVeh + vw]) break;
    if (len === 1) { sF.copyFrom(st.nodeSegs[n]); sR.copyFrom(st.nodeSegs[n]); }
    else { concat(sF, sF, st.nodeSegs[n], m, vw); concat(sR, st.nodeSegs[n], sR, m, vw); }
    if (len < minLen) continue;
    if (vu !== vw) {
      const oldCost = st.rcost[vu] + st.rcost[vw];
      const uKeeps = hasTaskIn(st, vu, 0, iu) || hasTaskIn(st, vu, iu + len, nsU.length);
      let costU = -1;
      for (let k = 0; k < 2; k++) {
        const at = k === 0 ? iw + 1 : iw;
        for (let o = 0; o < (len > 1 ? 2 : 1); o++) {
          const str = o === 0 ? sF : sR;
          if (st.distanceBound) {
            // distances alone, plus the time warp route w keeps (an insertion cannot remove any),
            // already lose: skip the segment work
            const lb = (uKeeps ? joinCost(st, vu, st.pre[vu][iu], null, st.suf[vu][iu + len]) : 0) +
              joinCost(st, vw, st.pre[vw][at], str, st.suf[vw][at]) + st.twWeight * st.rtw[vw];
            if (lb >= oldCost - 1e-7) continue;
          }
          if (costU < 0) costU = uKeeps ? evalWith(st, vu, iu, null, iu + len) : 0;
          if (costU === Infinity) break;
          const costW = evalWith(st, vw, at, str, at);
          if (costW + costU < oldCost - 1e-7) {
            const str = nsU.slice(iu, iu + len);
            if (o === 1) str.reverse();
            const newU = nsU.slice(); newU.splice(iu, len);
            const newW = st.nodes[vw].slice(); newW.splice(at, 0, ...str);
            commit(st, vu, newU);
            commit(st, vw, newW);
            return true;
          }
        }
        if (costU === Infinity) break;
      }
    } else {
      if (iw >= iu && iw < iu + len) continue;
      for (let k = 0; k < 2; k++) {
        const at = k === 0 ? iw + 1 : iw;
        // only the stretch between the old and new place changes
        const lo = Math.min(iu, at), hi = Math.max(iu + len, at);
        if (hi - lo > INTRA_RELOCATE_MAX_SPAN || (at >= iu && at <= iu + len)) continue;
        for (let o = 0; o < (len > 1 ? 2 : 1); o++) {
          const str = o === 0 ? sF : sR;
          if (st.distanceBound) {
            const d = m.profileDist[m.vehProfile[vu]], nl = m.nLoc;
            const P = st.pre[vu][iu].last, N = st.suf[vu][iu + len].first;
            const A = st.pre[vu][at].last, B = st.suf[vu][at].first;
            const dist = st.rdist[vu] - (d[P * nl + sF.first] + sF.distM + d[sF.last * nl + N] - d[P * nl + N]) +
              (d[A * nl + str.first] + str.distM + d[str.last * nl + B] - d[A * nl + B]);
            if (m.vehFixed[vu] + m.vehCostPerM[vu] * dist >= st.rcost[vu] - 1e-7) continue;
          }
          // at < iu: pre[at] + str + nodes[at..iu) + suf[iu+len]; else pre[iu] + nodes[iu+len..at) + str + suf[at]
          let x: Seg;
          if (at < iu) {
            x = concat(st.tMid, st.pre[vu][at], str, m, vu);
            for (let q = at; q < iu; q++) x = concat(st.tMid, x, st.nodeSegs[nsU[q]], m, vu);
            concat(st.tB, x, st.suf[vu][iu + len], m, vu);
          } else {
            x = st.pre[vu][iu];
            for (let q = iu + len; q < at; q++) x = concat(st.tMid, x, st.nodeSegs[nsU[q]], m, vu);
            x = concat(st.tMid, x, str, m, vu);
            concat(st.tB, x, st.suf[vu][at], m, vu);
          }
          const c = st.lsCost(st.tB, vu, st.ifMode(vu));
          if (c < st.rcost[vu] - 1e-7) {
            const s = nsU.slice(iu, iu + len);
            if (o === 1) s.reverse();
            const mid = at < iu ? [...s, ...nsU.slice(at, iu)] : [...nsU.slice(iu + len, at), ...s];
            commit(st, vu, [...nsU.slice(0, lo), ...mid, ...nsU.slice(hi)]);
            return true;
          }
        }
      }
    }
  }
  return false;
}
