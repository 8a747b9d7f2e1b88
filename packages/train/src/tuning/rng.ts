// Seeded randomness for the samplers: every suggestion of a study is a function of (seed, history), so a study
// can be replayed and the algorithm tests are exact.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

// splitmix32 finalizer: spreads nearby seeds (0, 1, 2, ...) over the state space.
function mix(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** The seed of stream `stream` of a study seeded with `seed` (e.g. one per trial), so suggestion i draws the same
 *  numbers whatever other suggestions drew. */
export function streamSeed(seed: number, stream: number): number {
  return mix(mix(seed >>> 0) ^ mix((Math.floor(seed / 2 ** 32) >>> 0) + 0x632be5ab) ^ mix(stream >>> 0));
}

/** sfc32 (Chris Doty-Humphrey's small fast counter PRNG), seeded through splitmix32. */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed: expected an integer, received ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  let a = mix(lo);
  let b = mix(hi ^ 0x6a09e667);
  let c = mix(lo ^ 0xbb67ae85);
  let d = 1;
  const u32 = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) u32();
  const next = () => u32() / 4294967296;
  return {
    next,
    normal() {
      // 1 - u keeps the log argument in (0, 1].
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    int: (n) => Math.floor(next() * n),
  };
}
