import { SCALE_ROWS_WASM } from './scale-rows-wasm.js';
import { type KernelMemory, reserve, sharedKernel } from './wasm-kernel.js';

interface KernelExports {
  memory: KernelMemory;
  scale(params: number, tile: number, rows: number, end: number, clip: number): void;
}

/** Rows per kernel call: bounds the memory at about 1.3 MB for 81 features. Even, as the kernel needs. */
const CHUNK_ROWS = 4096;

/** One instance serves every scaler: calls are synchronous, and each writes its own parameters first. */
const instance = sharedKernel<KernelExports>(SCALE_ROWS_WASM);

/**
 * A fitted scaler's parameters for scale-rows.wat, which computes `(sign(x)·log1p(|x|) − center) / spread`
 * clipped to ±clip (NaN → 0) two values per instruction, in place in WebAssembly memory.
 */
export class ScaleRowsKernel {
  readonly dim: number;
  /** Centers, then spreads, each repeated for two rows: the kernel walks two rows per parameter pass. */
  readonly #params: Float64Array;
  readonly #clip: number;

  constructor(center: Float64Array, spread: Float64Array, clip: number) {
    this.dim = center.length;
    this.#clip = clip;
    const d = this.dim;
    this.#params = new Float64Array(4 * d);
    this.#params.set(center, 0);
    this.#params.set(center, d);
    this.#params.set(spread, 2 * d);
    this.#params.set(spread, 3 * d);
  }

  /** Scales the row-major `rows` (`n × dim`) into `out`, which may be `rows` itself. */
  scale(rows: Float32Array, out: Float32Array): void {
    const tile = 16 * this.dim;
    const rowsOffset = 2 * tile;
    const kernel = instance();
    reserve(kernel.memory, rowsOffset + CHUNK_ROWS * this.dim * 4);
    const buffer = kernel.memory.buffer;
    new Float64Array(buffer, 0, this.#params.length).set(this.#params);
    const n = rows.length / this.dim;
    for (let first = 0; first < n; first += CHUNK_ROWS) {
      const count = Math.min(CHUNK_ROWS, n - first);
      const values = rows.subarray(first * this.dim, (first + count) * this.dim);
      const memory = new Float32Array(buffer, rowsOffset, values.length);
      memory.set(values);
      // An odd count scales one more row: whatever the memory holds there, its result is not read.
      const even = count + (count & 1);
      kernel.scale(0, tile, rowsOffset, rowsOffset + even * this.dim * 4, this.#clip);
      out.set(memory, first * this.dim);
    }
  }
}
