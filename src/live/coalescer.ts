import type { VehicleState } from '../domain/vehicle-state.js';
import { isNewer } from './scope.js';

/**
 * One client's outgoing queue: only the newest state per vehicle since the last send,
 * flushed at most `maxBatchesPerSecond` times a second. The first state after a quiet
 * spell goes out at once (a moving marker should not lag); bursts wait for the interval.
 */
export class Coalescer {
  private pending = new Map<string, VehicleState>();
  private lastSentMs = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  readonly intervalMs: number;

  constructor(maxBatchesPerSecond: number, private readonly send: (batch: VehicleState[]) => void, private readonly now: () => number = Date.now) {
    if (!(maxBatchesPerSecond > 0)) throw new RangeError('maxBatchesPerSecond must be positive');
    this.intervalMs = 1000 / maxBatchesPerSecond;
  }

  push(state: VehicleState): void {
    if (this.closed) return;
    const held = this.pending.get(state.vehicleId);
    if (held && !isNewer(state, held)) return;
    this.pending.set(state.vehicleId, state);
    this.schedule();
  }

  /** Forget what is queued (the client's view was just replaced by a snapshot). */
  clear(): void {
    this.pending.clear();
  }

  close(): void {
    this.closed = true;
    this.pending.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private schedule(): void {
    if (this.timer) return;
    const waitMs = Math.max(0, this.lastSentMs + this.intervalMs - this.now());
    if (waitMs === 0) {
      this.flush();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, Math.ceil(waitMs));
  }

  private flush(): void {
    if (this.closed || this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.lastSentMs = this.now();
    this.send(batch);
  }
}
