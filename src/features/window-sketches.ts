/** 2^−r for every register value a 32-bit hash can produce. */
const INVERSE_POWERS = Float64Array.from({ length: 34 }, (_, r) => 2 ** -r);
/**
 * A bucket's set registers are listed while they are at most m/8 of all: a sliding window's buckets mostly
 * hold a handful of flows, and clearing or retracting one should cost the registers it set, not a pass over
 * all m. Past m/8 a full pass is cheap relative to the inserts behind it.
 */
const SPARSE_SHARE = 8;
/** `#setCounts` value of a bucket sketch whose set registers outgrew its list. */
const UNLISTED = -1;

/**
 * The distinct-count sketches of a sliding window's ring: for each of `buckets` buckets, `counts`
 * HyperLogLog sketches (Flajolet et al., AofA 2007) over 32-bit hashes, and per count a "live" sketch, the
 * union of all buckets, which is what the window reads. Only the live sketches keep the harmonic sum
 * Σ 2^−M[j] and the number of empty registers, up to date on every insert, so {@link estimate} is O(1);
 * the sum stays exact because it only ever adds powers of two that fit in a double's mantissa. Standard
 * error ≈ 1.04/√m with m = 2^precision; the small-range linear-counting correction (E ≤ 5m/2) applies.
 *
 * Sketches cannot subtract, so expiring a bucket ({@link expire}) recomputes only the live registers
 * where that bucket held the maximum, as the maximum over the other buckets. Every register lives in one
 * flat array, bucket-major (`(bucket · counts + count) · m + j`, the layout of {@link registers}), so that
 * maximum is a strided read with no per-bucket objects to visit. Hashes must be well mixed (e.g. fmix32
 * output): the top `precision` bits pick the register.
 */
export class WindowSketches {
  readonly buckets: number;
  readonly counts: number;
  readonly precision: number;
  readonly #m: number;
  readonly #alphaMM: number;
  readonly #registers: Uint8Array;
  readonly #live: Uint8Array;
  readonly #inverseSums: Float64Array;
  readonly #zeros: Int32Array;
  /** Per bucket sketch, the indices of the registers set since its last clear, while listed. */
  readonly #setIndices: Uint16Array;
  /** Per bucket sketch, how many of `#setIndices` are in use, or {@link UNLISTED}. */
  readonly #setCounts: Int32Array;
  readonly #listSize: number;

  constructor(buckets: number, counts: number, precision = 11) {
    if (!Number.isInteger(precision) || precision < 4 || precision > 16) {
      throw new RangeError(`HyperLogLog precision: expected an integer 4..16, got ${precision}`);
    }
    this.buckets = buckets;
    this.counts = counts;
    this.precision = precision;
    const m = 1 << precision;
    this.#m = m;
    this.#alphaMM = (0.7213 / (1 + 1.079 / m)) * m * m;
    this.#registers = new Uint8Array(buckets * counts * m);
    this.#live = new Uint8Array(counts * m);
    this.#inverseSums = new Float64Array(counts).fill(m);
    this.#zeros = new Int32Array(counts).fill(m);
    this.#listSize = m / SPARSE_SHARE;
    this.#setIndices = new Uint16Array(buckets * counts * this.#listSize);
    this.#setCounts = new Int32Array(buckets * counts);
  }

  /** Adds one 32-bit hash to count `k` of bucket `bucket` (and so to the live union). */
  add(bucket: number, k: number, hash: number): void {
    const p = this.precision;
    const index = hash >>> (32 - p);
    const rest = hash << p;
    // Rank = position of the first 1 bit after the index bits; all zeros give the maximum.
    const rank = rest === 0 ? 33 - p : Math.clz32(rest) + 1;
    const sketch = bucket * this.counts + k;
    const at = sketch * this.#m + index;
    const held = this.#registers[at];
    if (rank <= held) return;
    this.#registers[at] = rank;
    if (held === 0) this.#noteSet(sketch, index);
    const liveAt = k * this.#m + index;
    const old = this.#live[liveAt];
    if (rank <= old) return;
    this.#live[liveAt] = rank;
    this.#inverseSums[k] += INVERSE_POWERS[rank] - INVERSE_POWERS[old];
    if (old === 0) this.#zeros[k]--;
  }

  /** Estimated number of distinct hashes of count `k` over all buckets. */
  estimate(k: number): number {
    const m = this.#m;
    const raw = this.#alphaMM / this.#inverseSums[k];
    const zeros = this.#zeros[k];
    if (raw <= 2.5 * m && zeros > 0) return m * Math.log(m / zeros);
    return raw;
  }

  /**
   * Removes bucket `bucket` from every live union, then empties it. Only registers the bucket set can
   * change, and of those only where it held the live maximum.
   */
  expire(bucket: number): void {
    const m = this.#m;
    for (let k = 0; k < this.counts; k++) {
      const sketch = bucket * this.counts + k;
      const listed = this.#setCounts[sketch];
      if (listed === UNLISTED) {
        for (let j = 0; j < m; j++) this.#retractRegister(bucket, k, j);
      } else {
        const from = sketch * this.#listSize;
        for (let i = 0; i < listed; i++) this.#retractRegister(bucket, k, this.#setIndices[from + i]);
      }
    }
    this.#clearBucket(bucket);
  }

  #clearBucket(bucket: number): void {
    const m = this.#m;
    for (let k = 0; k < this.counts; k++) {
      const sketch = bucket * this.counts + k;
      const listed = this.#setCounts[sketch];
      const base = sketch * m;
      if (listed === UNLISTED) this.#registers.fill(0, base, base + m);
      else {
        const from = sketch * this.#listSize;
        for (let i = 0; i < listed; i++) this.#registers[base + this.#setIndices[from + i]] = 0;
      }
      this.#setCounts[sketch] = 0;
    }
  }

  /** Empties every bucket and live union. */
  clear(): void {
    for (let b = 0; b < this.buckets; b++) this.#clearBucket(b);
    this.#live.fill(0);
    this.#inverseSums.fill(this.#m);
    this.#zeros.fill(this.#m);
  }

  /** A copy of every bucket's registers, bucket-major, `counts` sketches per bucket. */
  registers(): Uint8Array {
    return this.#registers.slice();
  }

  /** Replaces every bucket's registers (a {@link registers} copy) and rebuilds the live unions. */
  loadRegisters(registers: Uint8Array): void {
    if (registers.length !== this.#registers.length) {
      throw new RangeError(
        `window sketches: expected ${this.#registers.length} registers, got ${registers.length}`,
      );
    }
    this.#registers.set(registers);
    const m = this.#m;
    this.#live.fill(0);
    for (let sketch = 0; sketch < this.buckets * this.counts; sketch++) {
      this.#setCounts[sketch] = 0;
      const live = (sketch % this.counts) * m;
      for (let j = 0, at = sketch * m; j < m; j++, at++) {
        const r = registers[at];
        if (r === 0) continue;
        this.#noteSet(sketch, j);
        if (r > this.#live[live + j]) this.#live[live + j] = r;
      }
    }
    for (let k = 0; k < this.counts; k++) {
      let sum = 0;
      let zeros = 0;
      for (let j = k * m; j < (k + 1) * m; j++) {
        sum += INVERSE_POWERS[this.#live[j]];
        if (this.#live[j] === 0) zeros++;
      }
      this.#inverseSums[k] = sum;
      this.#zeros[k] = zeros;
    }
  }

  #retractRegister(bucket: number, k: number, j: number): void {
    const m = this.#m;
    const liveAt = k * m + j;
    const old = this.#live[liveAt];
    const stride = this.counts * m;
    const registers = this.#registers;
    if (old === 0 || registers[bucket * stride + k * m + j] !== old) return;
    let max = 0;
    for (let b = 0, at = k * m + j; b < this.buckets; b++, at += stride) {
      if (b === bucket) continue;
      const r = registers[at];
      if (r > max) max = r;
    }
    if (max === old) return;
    this.#live[liveAt] = max;
    this.#inverseSums[k] += INVERSE_POWERS[max] - INVERSE_POWERS[old];
    if (max === 0) this.#zeros[k]++;
  }

  #noteSet(sketch: number, index: number): void {
    const listed = this.#setCounts[sketch];
    if (listed === UNLISTED) return;
    if (listed < this.#listSize) {
      this.#setIndices[sketch * this.#listSize + listed] = index;
      this.#setCounts[sketch] = listed + 1;
    } else this.#setCounts[sketch] = UNLISTED;
  }
}
