// Seeded random numbers for everything in data/ that must repeat exactly for a seed (synthetic
// images, train/valid splits, augmentation): mulberry32 streams keyed by (seed, stream ids), so a
// sample's randomness depends only on its own key, never on which worker drew it or when.

/** 32-bit mix of any number of integer keys (splitmix-style avalanche per key). */
export function hashKeys(...keys: number[]): number {
  let h = 0x9e3779b9;
  for (const k of keys) {
    h = Math.imul(h ^ (k >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    // keys beyond 32 bits (a large seed) contribute their high part too
    const hi = Math.floor(k / 0x100000000);
    if (hi) h = Math.imul(h ^ (hi >>> 0), 0x27d4eb2f);
  }
  return h >>> 0;
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max) (min and max may come in either order, as darknet's rand_uniform_strong). */
  uniform(min: number, max: number): number;
  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
}

export function makeRng(...keys: number[]): Rng {
  let a = hashKeys(...keys);
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    uniform: (min, max) => (min > max ? max + (min - max) * next() : min + (max - min) * next()),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
  };
}

/** Fisher–Yates shuffle of a copy, driven by `rng`. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A `--seed` text as a key: integers as themselves, anything else hashed by its characters. */
export function seedKey(seed: string | number): number {
  if (typeof seed === 'number') return seed;
  if (/^\d+$/.test(seed) && Number(seed) <= Number.MAX_SAFE_INTEGER) return Number(seed);
  return hashKeys(...[...seed].map((c) => c.codePointAt(0)!));
}
