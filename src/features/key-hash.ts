/**
 * Numeric keys for the statistics tables. Keys are 52-bit integers held in a double, so a
 * `Map<number, number>` can index them without building a string per flow (concatenating
 * `src + dst` would allocate and hash a fresh string on every lookup).
 *
 * Two keys collide with probability about n^2 / 2^53 for n live keys (~1e-6 at 100,000);
 * a collision merges two keys' statistics, which the damped statistics tolerate.
 */

const TWO_32 = 4294967296;
const HIGH_MASK = 0xfffff;

/** MurmurHash3's 32-bit finalizer (Appleby): full avalanche of a 32-bit word. */
export function fmix32(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** One MurmurHash3 body round mixing word `k` into state `h`. */
function round(h: number, k: number): number {
  let x = Math.imul(k, 0xcc9e2d51);
  x = (x << 15) | (x >>> 17);
  x = Math.imul(x, 0x1b873593);
  let y = h ^ x;
  y = (y << 13) | (y >>> 19);
  return (Math.imul(y, 5) + 0xe6546b64) | 0;
}

/**
 * 52-bit hash of a string (an IP address text): two FNV-1a lanes with different offsets
 * and primes, each finished with {@link fmix32}. The low 32 bits alone are a good 32-bit hash.
 */
export function hashText(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x0100019d);
  }
  return (fmix32(b ^ text.length) & HIGH_MASK) * TWO_32 + fmix32(a);
}

/** 52-bit hash of the ordered pair (`a`, `b`) of 52-bit keys or small integers. */
export function combineKeys(a: number, b: number): number {
  const aLo = a >>> 0;
  const aHi = Math.floor(a / TWO_32);
  const bLo = b >>> 0;
  const bHi = Math.floor(b / TWO_32);
  const lo = round(round(round(round(0x9747b28c, aLo), aHi), bLo), bHi);
  const hi = round(round(round(round(0x3c6ef372, bHi), bLo), aHi), aLo);
  return (fmix32(hi ^ 16) & HIGH_MASK) * TWO_32 + fmix32(lo ^ 16);
}

/** A well-mixed 32-bit hash of a small integer (a port). */
export function hashInt(value: number): number {
  return fmix32(Math.imul(value + 0x61c88647, 0x9e3779b1));
}
