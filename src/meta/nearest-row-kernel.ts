import { NEAREST_ROW_WASM } from './nearest-row-wasm.js';
import { type KernelMemory, kernelFactory, reserve } from './wasm-kernel.js';

/** The kernel sums 8 columns between two checks against the bound: rows are padded to a multiple of 8. */
const COLUMN_BLOCK = 8;

interface KernelExports {
  memory: KernelMemory;
  nearest_row: { readonly value: number };
  nearest(
    query: number,
    norms: number,
    rows: number,
    rowBytes: number,
    first: number,
    queryNorm: number,
    hi: number,
  ): number;
}
const newKernel = kernelFactory<KernelExports>(NEAREST_ROW_WASM);

/**
 * Reference rows held in WebAssembly memory, and the exact search for the one nearest a query row by L1
 * distance (nearest-row.wat: four columns per instruction, a walk outward from the query's L1 norm through
 * the rows sorted by norm, early abandoning). Each instance has its own memory, sized to its rows: 128 rows
 * of 81 features take one 64 KiB page.
 */
export class NearestRowKernel {
  /** Columns per row as given. */
  readonly columns: number;
  /** Reference rows. */
  readonly rows: number;
  /** Columns per row in memory: {@link columns} padded with zeros to a multiple of 8. */
  readonly #stride: number;
  readonly #exports: KernelExports;
  readonly #reference: Float32Array;
  readonly #norms: Float64Array;
  readonly #query: Float32Array;
  readonly #normsOffset: number;
  readonly #queryOffset: number;

  /**
   * @param reference `rows × columns` values, row-major, in ascending order of `norms`
   * @param norms each row's L1 norm, ascending
   */
  constructor(reference: Float32Array, norms: Float64Array) {
    this.rows = norms.length;
    this.columns = this.rows === 0 ? 0 : reference.length / this.rows;
    this.#stride = Math.max(COLUMN_BLOCK, Math.ceil(this.columns / COLUMN_BLOCK) * COLUMN_BLOCK);
    const rowBytes = this.#stride * 4;
    this.#normsOffset = this.rows * rowBytes;
    this.#queryOffset = this.#normsOffset + this.rows * 8;
    this.#exports = newKernel();
    const memory = this.#exports.memory;
    reserve(memory, this.#queryOffset + rowBytes);
    this.#reference = new Float32Array(memory.buffer, 0, this.rows * this.#stride);
    for (let r = 0; r < this.rows; r++) {
      this.#reference.set(reference.subarray(r * this.columns, (r + 1) * this.columns), r * this.#stride);
    }
    this.#norms = new Float64Array(memory.buffer, this.#normsOffset, this.rows);
    this.#norms.set(norms);
    this.#query = new Float32Array(memory.buffer, this.#queryOffset, this.#stride);
  }

  /** The query row: write its {@link columns} values here (the padding stays zero), then call {@link nearest}. */
  get query(): Float32Array {
    return this.#query;
  }

  /**
   * The L1 distance from {@link query} to its nearest reference row ({@link nearestRow}), trying row `first`
   * before the others. `queryNorm` is the query's L1 norm.
   */
  nearest(queryNorm: number, first: number): number {
    const start = first < this.rows ? first : 0;
    return this.#exports.nearest(
      this.#queryOffset,
      this.#normsOffset,
      this.rows,
      this.#stride * 4,
      start,
      queryNorm,
      lowerBound(this.#norms, queryNorm),
    );
  }

  /** Index of the last {@link nearest} search's nearest row. */
  get nearestRow(): number {
    return this.#exports.nearest_row.value;
  }

  /** Column `column` of reference row `row`. */
  value(row: number, column: number): number {
    return this.#reference[row * this.#stride + column]!;
  }
}

/** First index of the ascending `sorted` whose value is at least `value` (`sorted.length` if none). */
function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
