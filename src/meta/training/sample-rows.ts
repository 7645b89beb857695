/**
 * `n` rows of row-major `rows` (`count × dim`) drawn without replacement (with replacement when
 * the task has fewer than `n`), using `random` so runs repeat with the seed.
 */
export function sampleRows(
  rows: Float32Array,
  count: number,
  dim: number,
  n: number,
  random: () => number,
): Float32Array {
  const out = new Float32Array(n * dim);
  const pool = Int32Array.from({ length: count }, (_, i) => i);
  for (let k = 0; k < n; k++) {
    let i: number;
    if (count >= n) {
      // Partial Fisher–Yates: the first n slots become a uniform sample without replacement.
      const j = k + Math.floor(random() * (count - k));
      i = pool[j]!;
      pool[j] = pool[k]!;
      pool[k] = i;
    } else {
      i = Math.floor(random() * count);
    }
    out.set(rows.subarray(i * dim, (i + 1) * dim), k * dim);
  }
  return out;
}
