/**
 * 30-bit hash of a canonical flow key (MurmurHash3's 32-bit mixing over the key words). Numbers
 * instead of a key string keep the per-packet lookup free of allocation; the result fits a V8
 * small integer, the cheapest Map key.
 */
export function flowHash(
  a0: number,
  a1: number,
  a2: number,
  a3: number,
  b0: number,
  b1: number,
  b2: number,
  b3: number,
  ports: number,
  protoVlan: number,
): number {
  let h = 0x9747b28c;
  h = mix(h, a0);
  h = mix(h, a1);
  h = mix(h, a2);
  h = mix(h, a3);
  h = mix(h, b0);
  h = mix(h, b1);
  h = mix(h, b2);
  h = mix(h, b3);
  h = mix(h, ports);
  h = mix(h, protoVlan);
  // Final avalanche so keys differing in one low bit spread over the whole range.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x3fffffff;
}

function mix(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  const x = h ^ k;
  return (Math.imul((x << 13) | (x >>> 19), 5) + 0xe6546b64) | 0;
}
