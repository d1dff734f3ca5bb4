import { mulberry32 } from '../../solver/index.js';

/** The demo must come out the same for a seed: one seeded PRNG for the whole project. */
export const seededRandom = mulberry32;

export function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

export function between(rand: () => number, lo: number, hi: number): number {
  return lo + rand() * (hi - lo);
}
