/** The figures of a study: how sure a share of cleared days is, and which fleet to recommend. */

/** Wilson score interval of `successes` of `n` at z (1.96: 95 %); honest near 0 and 1 and for few days. */
export function wilson(successes: number, n: number, z = 1.96): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface ConfigShare {
  label: string;
  fleet: Record<string, number>;
  days: number;
  cleared: number;
}

/**
 * The smallest fleet whose share of cleared days reaches the target: fewest vehicles over
 * the sizes tried, ties to the first configuration given. null when none does.
 */
export function recommend<T extends ConfigShare>(configs: readonly T[], targetShare: number): T | null {
  let best: T | null = null;
  const size = (c: ConfigShare) => Object.values(c.fleet).reduce((a, b) => a + b, 0);
  for (const c of configs) {
    if (c.days === 0 || c.cleared / c.days < targetShare) continue;
    if (!best || size(c) < size(best)) best = c;
  }
  return best;
}
