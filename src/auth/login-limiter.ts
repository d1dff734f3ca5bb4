/**
 * Failed login attempts, counted per login name and per client address in a sliding
 * window. Once a key reaches its limit, further attempts are refused until its oldest
 * failure in the window ages out (that wait is the Retry-After). Success clears the
 * name's count but not the address's: one valid account must not reset an address
 * that guesses at others. Counts live in this process (several instances each count
 * their own share).
 */
export interface LoginLimits {
  windowMs: number;
  maxFailuresPerName: number;
  maxFailuresPerAddress: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, maxFailuresPerName: 5, maxFailuresPerAddress: 20 };
const MAX_KEYS = 100_000;

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS, private readonly now: () => number = Date.now) {}

  /** Milliseconds until an attempt for this name from this address is allowed; 0 = now. */
  retryAfterMs(name: string, address: string): number {
    return Math.max(
      this.waitMs(`name:${name}`, this.limits.maxFailuresPerName),
      this.waitMs(`addr:${address}`, this.limits.maxFailuresPerAddress),
    );
  }

  recordFailure(name: string, address: string): void {
    for (const key of [`name:${name}`, `addr:${address}`]) {
      const list = this.recent(key);
      list.push(this.now());
      if (!this.failures.has(key) && this.failures.size >= MAX_KEYS) {
        // Bounded memory under a flood of names: the oldest key goes first.
        const oldest = this.failures.keys().next().value;
        if (oldest !== undefined) this.failures.delete(oldest);
      }
      this.failures.set(key, list);
    }
  }

  recordSuccess(name: string): void {
    this.failures.delete(`name:${name}`);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.limits.windowMs;
    return (this.failures.get(key) ?? []).filter((t) => t > since);
  }

  private waitMs(key: string, max: number): number {
    const list = this.recent(key);
    if (list.length < max) return 0;
    // The attempt is allowed again once enough failures have left the window.
    return list[list.length - max]! + this.limits.windowMs - this.now();
  }
}
