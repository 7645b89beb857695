import { AUTOENCODER_SCORE_WASM } from './autoencoder-score-wasm.js';
import { type KernelMemory, reserve, sharedKernel } from './wasm-kernel.js';

interface KernelExports {
  memory: KernelMemory;
  score(
    layers: number,
    count: number,
    a: number,
    b: number,
    rows: number,
    n: number,
    dim: number,
    out: number,
    scores: number,
  ): void;
}

/** The kernel computes 16 outputs of a layer at a time. */
const BLOCK = 16;

/** One instance serves every autoencoder: calls are synchronous, and each writes its own weights first. */
const instance = sharedKernel<KernelExports>(AUTOENCODER_SCORE_WASM);

/**
 * An autoencoder's weights laid out for autoencoder-score.wat, which runs the inference pass (dense layers,
 * tanh between them, linear output) and the per-row mean squared reconstruction error four values per
 * instruction in WebAssembly.
 */
export class AutoencoderKernel {
  readonly dim: number;
  /** The layer table (four i32 per layer) and the padded weights, as one block of memory. */
  readonly #image: ArrayBuffer;
  readonly #layers: number;
  /** Floats in the widest layer's output, padded: the size of each activation buffer. */
  readonly #widest: number;

  /**
   * @param sizes layer widths, input first (e.g. `[81, 16, 6, 16, 81]`)
   * @param tensors `[W0, b0, W1, b1, ...]`, each W row-major `fanIn × fanOut`
   */
  constructor(sizes: readonly number[], tensors: readonly Float32Array[]) {
    this.dim = sizes[0]!;
    this.#layers = sizes.length - 1;
    const blocks = sizes.slice(1).map((w) => Math.ceil(w / BLOCK));
    this.#widest = Math.max(...blocks) * BLOCK;
    const tableBytes = this.#layers * 16;
    const weightFloats = blocks.reduce((sum, b, l) => sum + (sizes[l]! + 1) * b * BLOCK, 0);
    this.#image = new ArrayBuffer(tableBytes + weightFloats * 4);
    const table = new Int32Array(this.#image, 0, this.#layers * 4);
    const weights = new Float32Array(this.#image, tableBytes);
    let offset = 0;
    for (let l = 0; l < this.#layers; l++) {
      const fanIn = sizes[l]!;
      const fanOut = sizes[l + 1]!;
      const stride = blocks[l]! * BLOCK;
      table.set([fanIn, tableBytes + offset * 4, blocks[l]!, l < this.#layers - 1 ? 1 : 0], l * 4);
      const w = tensors[2 * l]!;
      for (let i = 0; i < fanIn; i++)
        weights.set(w.subarray(i * fanOut, (i + 1) * fanOut), offset + i * stride);
      weights.set(tensors[2 * l + 1]!, offset + fanIn * stride);
      offset += (fanIn + 1) * stride;
    }
  }

  /**
   * Writes each row's mean squared reconstruction error to `scores` and, when `out` is given, its
   * reconstruction there; `chunkRows` rows per kernel call (4,096 rows of 81 features take 2.7 MB of
   * WebAssembly memory).
   */
  score(rows: Float32Array, scores: Float32Array, out: Float32Array | undefined, chunkRows = 4096): void {
    const d = this.dim;
    const a = align(this.#image.byteLength);
    const b = a + this.#widest * 4;
    const rowsAt = b + this.#widest * 4;
    const outAt = rowsAt + chunkRows * d * 4;
    const scoresAt = outAt + chunkRows * d * 4;
    const kernel = instance();
    reserve(kernel.memory, scoresAt + chunkRows * 4);
    const buffer = kernel.memory.buffer;
    new Uint8Array(buffer, 0, this.#image.byteLength).set(new Uint8Array(this.#image));
    const n = rows.length / d;
    for (let first = 0; first < n; first += chunkRows) {
      const count = Math.min(chunkRows, n - first);
      new Float32Array(buffer, rowsAt, count * d).set(rows.subarray(first * d, (first + count) * d));
      kernel.score(0, this.#layers, a, b, rowsAt, count, d, outAt, scoresAt);
      out?.set(new Float32Array(buffer, outAt, count * d), first * d);
      scores.set(new Float32Array(buffer, scoresAt, count), first);
    }
  }
}

/** The next multiple of 16 bytes. */
function align(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}
