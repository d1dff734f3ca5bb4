/**
 * The project's one seeded PRNG (mulberry32): small, fast, and the same sequence on every
 * machine, so plans, generated cities, demo data and fuzz runs come out the same for a seed.
 * The solver uses it through `Rng`; the rest of the project through `mulberry32`, which
 * src/ takes from solver/index.ts.
 */

/** The mulberry32 step: advances `state` (a uint32) and returns the new state and a uniform [0, 1) value. */
export class Rng {
  private state: number;

  /**
   * The solver's streams start from the seed mixed with the golden-ratio constant; its
   * pinned results and measured figures depend on exactly these sequences.
   */
  constructor(seed: number) {
    this.state = ((seed >>> 0) ^ 0x9e3779b9) >>> 0;
  }

  /** A stream that starts from `state` as given (the sequences of `mulberry32`). */
  static fromState(state: number): Rng {
    const rng = new Rng(0);
    rng.state = state >>> 0;
    return rng;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Uniform in [0, 1) from `seed`: the generators', the demo city's and the fuzzer's random source. */
export function mulberry32(seed: number): () => number {
  const rng = Rng.fromState(seed);
  return () => rng.next();
}
