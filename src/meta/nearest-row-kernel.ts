import { NEAREST_ROW_WASM } from './nearest-row-wasm.js';
import { type KernelMemory, kernelFactory, reserve } from './wasm-kernel.js';

/** The kernel sums 32 columns between two checks against the bound: rows are padded to a multiple of 32. */
const COLUMN_BLOCK = 32;
/** Rows per kernel call: bounds what each instance adds to its reference rows (21 KB for 81 columns). */
const CHUNK_ROWS = 64;

interface KernelExports {
  memory: KernelMemory;
  search_rows(
    rows: number,
    n: number,
    columns: number,
    order: number,
    weights: number,
    query: number,
    norms: number,
    count: number,
    rowBytes: number,
    first: number,
    distances: number,
    nearest: number,
  ): void;
}
const newKernel = kernelFactory<KernelExports>(NEAREST_ROW_WASM);

/** How rows are packed before their distances are taken: column k of a packed row is `weights[k] · row[order[k]]`. */
export interface ColumnPacking {
  order: Uint16Array;
  /** Per packed column. */
  weights: Float32Array;
}

/**
 * Packed reference rows held in WebAssembly memory, and the exact search for the one nearest each of a batch
 * of rows by L1 distance (nearest-row.wat: packing in the kernel, four columns per instruction, a walk
 * outward from the row's L1 norm through the reference rows sorted by norm, early abandoning). Each instance
 * has its own memory, sized to its rows: 128 reference rows of 81 features and a chunk of rows to search take
 * two 64 KiB pages.
 */
export class NearestRowKernel {
  /** Columns per row. */
  readonly columns: number;
  /** Reference rows. */
  readonly rows: number;
  /** How the reference rows were packed, and rows to search for are. */
  readonly packing: ColumnPacking;
  /** Columns per reference row in memory: {@link columns} padded with zeros to a multiple of 32. */
  readonly #stride: number;
  readonly #exports: KernelExports;
  readonly #reference: Float32Array;
  readonly #layout: {
    norms: number;
    query: number;
    order: number;
    weights: number;
    rows: number;
    distances: number;
    nearest: number;
  };

  /**
   * @param reference `rows × columns` packed values, row-major, in ascending order of `norms`
   * @param norms each packed row's L1 norm, ascending
   * @param packing how the rows to search for are packed like the reference rows
   */
  constructor(reference: Float32Array, norms: Float64Array, packing: ColumnPacking) {
    this.rows = norms.length;
    this.packing = packing;
    this.columns = packing.order.length;
    this.#stride = Math.max(COLUMN_BLOCK, Math.ceil(this.columns / COLUMN_BLOCK) * COLUMN_BLOCK);
    const rowBytes = this.#stride * 4;
    const norms0 = this.rows * rowBytes;
    const query = norms0 + this.rows * 8;
    const order = query + rowBytes;
    const weights = order + this.columns * 4;
    const rows = weights + this.columns * 4;
    const distances = rows + CHUNK_ROWS * this.columns * 4;
    const nearest = distances + CHUNK_ROWS * 4;
    this.#layout = { norms: norms0, query, order, weights, rows, distances, nearest };
    this.#exports = newKernel();
    const memory = this.#exports.memory;
    reserve(memory, nearest + CHUNK_ROWS * 4);
    this.#reference = new Float32Array(memory.buffer, 0, this.rows * this.#stride);
    for (let r = 0; r < this.rows; r++) {
      this.#reference.set(reference.subarray(r * this.columns, (r + 1) * this.columns), r * this.#stride);
    }
    new Float64Array(memory.buffer, norms0, this.rows).set(norms);
    new Int32Array(memory.buffer, order, this.columns).set(packing.order);
    new Float32Array(memory.buffer, weights, this.columns).set(packing.weights);
  }

  /**
   * For each row of `rows` (`n × columns`, unpacked), the L1 distance from its packed form to the nearest
   * reference row goes to `distances[i]` and that row's index to `nearest[i]`. The search for the first row
   * tries reference row `first` before the others, each later one the previous row's nearest.
   */
  search(rows: Float32Array, first: number, distances: Float32Array, nearest: Int32Array): void {
    const { buffer } = this.#exports.memory;
    const at = this.#layout;
    const n = rows.length / this.columns;
    let start = first;
    for (let from = 0; from < n; from += CHUNK_ROWS) {
      const count = Math.min(CHUNK_ROWS, n - from);
      new Float32Array(buffer, at.rows, count * this.columns).set(
        rows.subarray(from * this.columns, (from + count) * this.columns),
      );
      this.#exports.search_rows(
        at.rows,
        count,
        this.columns,
        at.order,
        at.weights,
        at.query,
        at.norms,
        this.rows,
        this.#stride * 4,
        start,
        at.distances,
        at.nearest,
      );
      distances.set(new Float32Array(buffer, at.distances, count), from);
      nearest.set(new Int32Array(buffer, at.nearest, count), from);
      start = nearest[from + count - 1]!;
    }
  }

  /** Column `column` of packed reference row `row`. */
  value(row: number, column: number): number {
    return this.#reference[row * this.#stride + column]!;
  }
}
