/**
 * A small, fast, seedable PRNG (mulberry32, 32-bit state) returning uniforms in [0, 1). Its quality is ample
 * for weight initialization, minibatch shuffling and synthetic test data, and unlike `Math.random` it makes
 * runs repeatable from the configured seed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws from a uniform source (Box–Muller; the second value of each pair is discarded). */
export function gaussian(random: () => number): () => number {
  return () => {
    // 1 - u keeps the logarithm's argument in (0, 1].
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}
