/** 2^−r for every register value a 32-bit hash can produce. */
const INVERSE_POWERS = Float64Array.from({ length: 34 }, (_, r) => 2 ** -r);
/**
 * Set registers are listed while they are at most m/8 of all: a sliding window's buckets
 * mostly hold a handful of flows, and clearing or retracting one should cost the registers it
 * set, not a pass over all m. Past m/8 a full pass is cheap relative to the inserts behind it.
 */
const SPARSE_SHARE = 8;

/**
 * HyperLogLog distinct counter (Flajolet et al., AofA 2007) over 32-bit hashes, with the
 * linear-counting correction for small cardinalities (the paper's E ≤ 5m/2 case). The
 * harmonic sum Σ 2^−M[j] and the number of empty registers are kept up to date on every
 * insert, so {@link estimate} is O(1); the sum stays exact because it only ever adds
 * powers of two that fit in a double's mantissa. Standard error ≈ 1.04/√m with m = 2^precision.
 *
 * Hashes must be well mixed (e.g. fmix32 output): the top `precision` bits pick the register.
 */
export class HyperLogLog {
  readonly precision: number;
  readonly #registers: Uint8Array;
  readonly #alphaMM: number;
  #inverseSum: number;
  #zeros: number;
  /** Indices of registers set since the last clear, while `#listed` is true (may repeat, see retract). */
  readonly #setIndices: Uint16Array;
  #setCount = 0;
  #listed = true;

  constructor(precision = 11) {
    if (!Number.isInteger(precision) || precision < 4 || precision > 16) {
      throw new RangeError(`HyperLogLog precision: expected an integer 4..16, got ${precision}`);
    }
    this.precision = precision;
    const m = 1 << precision;
    this.#registers = new Uint8Array(m);
    this.#alphaMM = (0.7213 / (1 + 1.079 / m)) * m * m;
    this.#inverseSum = m;
    this.#zeros = m;
    this.#setIndices = new Uint16Array(m / SPARSE_SHARE);
  }

  /** Adds one 32-bit hash. */
  add(hash: number): void {
    const p = this.precision;
    const index = hash >>> (32 - p);
    const rest = hash << p;
    // Rank = position of the first 1 bit after the index bits; all zeros give the maximum.
    const rank = rest === 0 ? 33 - p : Math.clz32(rest) + 1;
    const old = this.#registers[index];
    if (rank <= old) return;
    this.#registers[index] = rank;
    this.#inverseSum += INVERSE_POWERS[rank] - INVERSE_POWERS[old];
    if (old === 0) {
      this.#zeros--;
      this.#noteSet(index);
    }
  }

  /** Estimated number of distinct hashes added since the last clear. */
  estimate(): number {
    const m = this.#registers.length;
    const raw = this.#alphaMM / this.#inverseSum;
    if (raw <= 2.5 * m && this.#zeros > 0) return m * Math.log(m / this.#zeros);
    return raw;
  }

  /** Makes this sketch the union of itself and `other` (register-wise maximum). */
  merge(other: HyperLogLog): void {
    this.mergeAll([other]);
  }

  /** Makes this sketch the union of itself and every sketch in `others`, recounting once. */
  mergeAll(others: readonly HyperLogLog[]): void {
    const mine = this.#registers;
    for (const other of others) {
      if (other.precision !== this.precision) {
        throw new RangeError(`HyperLogLog merge: precision ${other.precision} into ${this.precision}`);
      }
      const theirs = other.#registers;
      for (let j = 0; j < mine.length; j++) if (theirs[j] > mine[j]) mine[j] = theirs[j];
    }
    this.#recount();
  }

  /**
   * Given that this sketch is the union of `expired` and `remaining`, makes it the union of
   * `remaining` alone. Only registers where `expired` held the maximum are recomputed, and
   * only the registers `expired` set are visited while they are few, so sliding a window past
   * a sparse bucket costs about its inserts instead of a pass over all m registers.
   */
  retract(expired: HyperLogLog, remaining: readonly HyperLogLog[]): void {
    // Only registers `expired` set can change. Visiting one twice is harmless: the second
    // visit finds the maximum already recomputed and leaves it.
    if (expired.#listed) {
      const indices = expired.#setIndices;
      for (let i = 0; i < expired.#setCount; i++) this.#retractRegister(indices[i], expired, remaining);
    } else {
      for (let j = 0; j < this.#registers.length; j++) this.#retractRegister(j, expired, remaining);
    }
  }

  #retractRegister(j: number, expired: HyperLogLog, remaining: readonly HyperLogLog[]): void {
    const old = this.#registers[j];
    if (old === 0 || expired.#registers[j] !== old) return;
    let max = 0;
    for (let k = 0; k < remaining.length; k++) {
      const r = remaining[k].#registers[j];
      if (r > max) max = r;
    }
    if (max === old) return;
    this.#registers[j] = max;
    this.#inverseSum += INVERSE_POWERS[max] - INVERSE_POWERS[old];
    // A register emptied here and set again later is listed twice; #noteSet bounds the list.
    if (max === 0) this.#zeros++;
  }

  /** Copies `other`'s registers into this sketch. */
  copyFrom(other: HyperLogLog): void {
    this.#registers.set(other.#registers);
    this.#inverseSum = other.#inverseSum;
    this.#zeros = other.#zeros;
    this.#setIndices.set(other.#setIndices);
    this.#setCount = other.#setCount;
    this.#listed = other.#listed;
  }

  /** Empties the sketch; costs the registers set since the last clear while they are few. */
  clear(): void {
    if (this.#listed) {
      for (let i = 0; i < this.#setCount; i++) this.#registers[this.#setIndices[i]] = 0;
    } else {
      this.#registers.fill(0);
    }
    this.#inverseSum = this.#registers.length;
    this.#zeros = this.#registers.length;
    this.#setCount = 0;
    this.#listed = true;
  }

  /** True when nothing was added since the last clear. */
  get empty(): boolean {
    return this.#zeros === this.#registers.length;
  }

  /** A copy of the registers, for snapshots. */
  registers(): Uint8Array {
    return this.#registers.slice();
  }

  /** Replaces the registers (from {@link registers} of a sketch with the same precision). */
  loadRegisters(registers: ArrayLike<number>): void {
    if (registers.length !== this.#registers.length) {
      throw new RangeError(
        `HyperLogLog registers: expected ${this.#registers.length}, got ${registers.length}`,
      );
    }
    this.#registers.set(registers);
    this.#recount();
  }

  #noteSet(index: number): void {
    if (!this.#listed) return;
    if (this.#setCount < this.#setIndices.length) this.#setIndices[this.#setCount++] = index;
    else this.#listed = false;
  }

  /** Recomputes the harmonic sum, the empty count and the set-register list from the registers. */
  #recount(): void {
    const registers = this.#registers;
    let sum = 0;
    let zeros = 0;
    this.#setCount = 0;
    this.#listed = true;
    for (let j = 0; j < registers.length; j++) {
      const r = registers[j];
      sum += INVERSE_POWERS[r];
      if (r === 0) zeros++;
      else this.#noteSet(j);
    }
    this.#inverseSum = sum;
    this.#zeros = zeros;
  }
}
