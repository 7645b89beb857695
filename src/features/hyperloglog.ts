/** 2^−r for every register value a 32-bit hash can produce. */
const INVERSE_POWERS = Float64Array.from({ length: 34 }, (_, r) => 2 ** -r);

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
    if (old === 0) this.#zeros--;
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
   * `remaining` alone. Only registers where `expired` held the maximum are recomputed, so
   * sliding a window costs about one pass over one sketch instead of a full re-merge.
   */
  retract(expired: HyperLogLog, remaining: readonly HyperLogLog[]): void {
    const mine = this.#registers;
    const gone = expired.#registers;
    for (let j = 0; j < mine.length; j++) {
      const old = mine[j];
      if (old === 0 || gone[j] !== old) continue;
      let max = 0;
      for (const other of remaining) if (other.#registers[j] > max) max = other.#registers[j];
      if (max === old) continue;
      mine[j] = max;
      this.#inverseSum += INVERSE_POWERS[max] - INVERSE_POWERS[old];
      if (max === 0) this.#zeros++;
    }
  }

  /** Copies `other`'s registers into this sketch. */
  copyFrom(other: HyperLogLog): void {
    this.#registers.set(other.#registers);
    this.#inverseSum = other.#inverseSum;
    this.#zeros = other.#zeros;
  }

  /** Empties the sketch. */
  clear(): void {
    this.#registers.fill(0);
    this.#inverseSum = this.#registers.length;
    this.#zeros = this.#registers.length;
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

  #recount(): void {
    let sum = 0;
    let zeros = 0;
    for (const r of this.#registers) {
      sum += INVERSE_POWERS[r];
      if (r === 0) zeros++;
    }
    this.#inverseSum = sum;
    this.#zeros = zeros;
  }
}
