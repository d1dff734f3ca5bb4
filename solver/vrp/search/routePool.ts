/** The routes of good solutions, kept for set partitioning (lp/setPartition.ts). */
import type { Model } from '../model.js';
import { ROUTE_POOL_MAX } from '../parameters.js';

/** Routes seen in good solutions, keyed by vehicle type and node sequence. */
export class RoutePool {
  readonly routes = new Map<string, { veh: number; nodes: number[]; cost: number }>();
  constructor(readonly maxSize = ROUTE_POOL_MAX) {}
  add(m: Model, veh: number, nodes: number[], cost: number): void {
    if (this.routes.size >= this.maxSize) return;
    const key = poolKey(m, veh, nodes);
    if (!this.routes.has(key)) this.routes.set(key, { veh, nodes: nodes.slice(), cost });
  }
}

/** A route's identity in the pool: interchangeable vehicles (one type) and the node sequence. */
export function poolKey(m: Model, veh: number, nodes: readonly number[]): string {
  return m.vehType[veh] + ':' + nodes.join(',');
}
