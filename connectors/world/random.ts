/**
 * Seeded pseudo-random numbers. Every random choice in the world comes from a `Random` whose seed
 * is derived from the world seed and a stream name (and, for a rep's book, the rep's index), so a
 * rep's records depend only on the seed and that rep — never on Math.random, the wall clock or
 * the order other reps were generated in.
 */

const GOLDEN_GAMMA = 0x9e3779b9;

/** murmur3's 32-bit finaliser: a fast bijective mix with full avalanche. */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function absorb(state: number, word: number): number {
  return mix32((state ^ (word >>> 0)) + GOLDEN_GAMMA);
}

/** A 32-bit seed from an ordered list of integers (any safe integer) and names. */
export function deriveSeed(...parts: ReadonlyArray<number | string>): number {
  let state = GOLDEN_GAMMA;
  for (const part of parts) {
    if (typeof part === 'number') {
      // Both 32-bit halves, so seeds that differ only above bit 32 still differ.
      state = absorb(state, part % 0x1_0000_0000);
      state = absorb(state, Math.floor(part / 0x1_0000_0000));
    } else {
      for (let i = 0; i < part.length; i++) state = absorb(state, part.charCodeAt(i));
      state = absorb(state, part.length);
    }
  }
  return state;
}

/** mulberry32: tiny state, fast, and statistically good enough for synthetic data. */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) | 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor((max - min + 1) * this.next());
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(items.length * this.next())];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  /** Standard normal (Box–Muller; one draw per call keeps the stream easy to reason about). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Log-normal with the given median, clamped to [min, max]. */
  logNormal(median: number, sigma: number, min: number, max: number): number {
    return Math.min(max, Math.max(min, median * Math.exp(sigma * this.normal())));
  }

  /** Poisson-distributed count (Knuth; the means used here are small). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    const limit = Math.exp(-mean);
    let count = 0;
    let product = this.next();
    while (product > limit) {
      count++;
      product *= this.next();
    }
    return count;
  }

  /** `mean` rounded up or down at random so the expected value stays `mean`. */
  round(mean: number): number {
    const floor = Math.floor(mean);
    return floor + (this.next() < mean - floor ? 1 : 0);
  }
}

/** A fixed discrete distribution, precomputed once and sampled in O(n) with n tiny. */
export class Weighted<T> {
  readonly #values: readonly T[];
  readonly #cumulative: readonly number[];

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    let total = 0;
    const cumulative: number[] = [];
    for (const [, weight] of entries) cumulative.push((total += weight));
    this.#values = entries.map(([value]) => value);
    this.#cumulative = cumulative.map((value) => value / total);
  }

  sample(random: Random): T {
    const u = random.next();
    for (let i = 0; i < this.#cumulative.length - 1; i++) {
      if (u < (this.#cumulative[i] ?? 1)) return this.#values[i] as T;
    }
    return this.#values[this.#values.length - 1] as T;
  }
}
