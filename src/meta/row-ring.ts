/**
 * A bounded ring of feature rows, newest overwriting oldest: the recent flows a segment scored benign, which
 * online adaptation trains on. Memory is fixed at `capacity × dim` floats.
 */
export class RowRing {
  readonly dim: number;
  readonly capacity: number;
  readonly #rows: Float32Array;
  #next = 0;
  #size = 0;

  constructor(dim: number, capacity: number) {
    this.dim = dim;
    this.capacity = Math.max(1, capacity);
    this.#rows = new Float32Array(this.capacity * dim);
  }

  /** Rows held. */
  get size(): number {
    return this.#size;
  }

  /** Appends the row of `rows` starting at `offset`, without a subarray view per row. */
  pushAt(rows: Float32Array, offset: number): void {
    const dim = this.dim;
    const to = this.#next * dim;
    for (let j = 0; j < dim; j++) this.#rows[to + j] = rows[offset + j]!;
    this.#next = (this.#next + 1) % this.capacity;
    this.#size = Math.min(this.capacity, this.#size + 1);
  }

  /** Appends one row (`dim` values). */
  push(row: Float32Array): void {
    this.pushAt(row, 0);
  }

  /** The newest `count` rows (all when omitted), oldest first, as a fresh row-major array. */
  latest(count = this.#size): Float32Array {
    const n = Math.min(count, this.#size);
    const out = new Float32Array(n * this.dim);
    for (let k = 0; k < n; k++) {
      const slot = (this.#next - n + k + this.capacity) % this.capacity;
      out.set(this.#rows.subarray(slot * this.dim, (slot + 1) * this.dim), k * this.dim);
    }
    return out;
  }

  /** Forgets every row. */
  clear(): void {
    this.#next = 0;
    this.#size = 0;
  }
}
