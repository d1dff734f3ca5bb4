/** Or-opt (Or 1976): move a string of 2 up to OR_OPT_MAX_STRING consecutive tasks, either orientation. */
import { OR_OPT_MAX_STRING } from '../../parameters.js';
import type { SearchState } from '../state.js';
import { tryMoveString } from './relocate.js';

/** Move the string of 2 or more tasks starting at u to just after w, or before w; true when made. */
export function tryOrOpt(st: SearchState, u: number, w: number): boolean {
  return tryMoveString(st, u, w, 2, OR_OPT_MAX_STRING);
}
