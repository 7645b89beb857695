import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../core/errors.js';
import { AdamState } from './adam.js';
import { AutoencoderKernel } from './autoencoder-kernel.js';
import type { Scorer } from './scorer.js';
import { seededRandom } from './seeded-random.js';

/** Weights as plain arrays, for checkpoints and for starting a segment from a meta-learned initialization. */
export interface AutoencoderWeights {
  inputDim: number;
  hiddenUnits: number[];
  /** `[W0, b0, W1, b1, ...]`; each W row-major `fanIn × fanOut`. */
  tensors: Float32Array[];
}

/** Architecture, optimizer and batching of an {@link Autoencoder}. */
export interface AutoencoderOptions {
  inputDim: number;
  /** Encoder hidden sizes, e.g. `[16, 6]`; the decoder mirrors them (d → 16 → 6 → 16 → d). */
  hiddenUnits: readonly number[];
  learningRate: number;
  /** Seeds weight initialization and the minibatch order, so runs are repeatable. */
  seed: number;
  /** Rows per inference kernel call (default 4096): bounds the kernel's memory. */
  scoreBatchRows?: number;
  /** Rows per gradient step (default 64). */
  trainBatchRows?: number;
  /** Start from these weights (e.g. a meta-learned initialization) instead of a seeded random draw. */
  initialWeights?: AutoencoderWeights;
}

/** How {@link Autoencoder.fit} shares the event loop and when it stops early. */
export interface FitOptions {
  /** Longest stretch of synchronous training before yielding to the event loop (default 10 ms). */
  sliceMs?: number;
  /** Stops training between two gradient steps. */
  signal?: AbortSignal;
}

/** How {@link Autoencoder.adapt} regularizes and shares the event loop. */
export interface AdaptOptions extends FitOptions {
  /** Weights the L2 penalty pulls toward (the initialization), same architecture. */
  anchor: AutoencoderWeights;
  /** Penalty strength λ in `loss + λ·Σ‖θ − θ₀‖²`. */
  anchorStrength: number;
}

/** What a training run did. */
export interface FitResult {
  /** Mean squared reconstruction error over each completed epoch (as seen during that epoch). */
  epochLosses: number[];
  steps: number;
  aborted: boolean;
}

/** A training run's optimizer: Adam's moments and the weights it updates, mirrored in plain arrays. */
interface Optimizer {
  adam: AdamState;
  params: Float32Array[];
}

/**
 * A small dense autoencoder: tanh hidden layers, a linear output, trained in TensorFlow.js with Adam on
 * mean squared reconstruction error. Its score for a row is the row's mean squared reconstruction error,
 * computed by a WebAssembly inference kernel over the same weights (see {@link score}).
 *
 * The weights are raw variables rather than a `tf.LayersModel`: raw variables make export, import and the
 * meta-learning outer loop (Reptile moves weights directly) trivial.
 */
export class Autoencoder implements Scorer {
  readonly name = 'autoencoder';
  readonly inputDim: number;
  readonly hiddenUnits: readonly number[];
  readonly #sizes: number[];
  readonly #variables: tf.Variable[];
  readonly #learningRate: number;
  readonly #scoreBatchRows: number;
  readonly #trainBatchRows: number;
  readonly #random: () => number;
  /** The inference kernel over the current weights; dropped whenever they change. */
  #kernel: AutoencoderKernel | undefined;
  #disposed = false;

  constructor(options: AutoencoderOptions) {
    this.inputDim = options.inputDim;
    this.hiddenUnits = [...options.hiddenUnits];
    const h = this.hiddenUnits;
    this.#sizes = [this.inputDim, ...h, ...h.slice(0, -1).reverse(), this.inputDim];
    this.#learningRate = options.learningRate;
    this.#scoreBatchRows = options.scoreBatchRows ?? 4096;
    this.#trainBatchRows = options.trainBatchRows ?? 64;
    this.#random = seededRandom(options.seed);
    const initial = options.initialWeights ?? this.#glorotWeights();
    this.#checkShapes(initial);
    // tidy frees the temporary tensors the variables are copied from; variables themselves survive it.
    this.#variables = tf.tidy(() =>
      initial.tensors.map((values, k) => tf.variable(tf.tensor(values, this.#shape(k)))),
    );
  }

  /**
   * Trains on row-major `rows` (already scaled) for `epochs` passes in shuffled minibatches. Yields to the
   * event loop every `sliceMs` so other segments keep being scored while this one learns.
   */
  async fit(rows: Float32Array, epochs: number, options: FitOptions = {}): Promise<FitResult> {
    const n = this.#rowCount(rows);
    const sliceMs = options.sliceMs ?? 10;
    // A copy: training outlives this call and the caller may reuse its array.
    const x = rows.slice();
    const optimizer = this.#newOptimizer();
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const result: FitResult = { epochLosses: [], steps: 0, aborted: false };
    let sliceStart = performance.now();
    for (let epoch = 0; epoch < epochs; epoch++) {
      shuffle(order, this.#random);
      let lossSum = 0;
      for (let start = 0; start < n; start += this.#trainBatchRows) {
        if (options.signal?.aborted || this.#disposed) return { ...result, aborted: true };
        const batch = order.subarray(start, Math.min(n, start + this.#trainBatchRows));
        lossSum += this.#step(x, batch, optimizer) * batch.length;
        result.steps++;
        if (performance.now() - sliceStart >= sliceMs) {
          await yieldToEventLoop();
          sliceStart = performance.now();
        }
      }
      result.epochLosses.push(lossSum / n);
    }
    return result;
  }

  /**
   * A few full-batch gradient steps on `rows` (already scaled) for online adaptation, minimizing the
   * reconstruction error plus `anchorStrength · Σ‖θ − θ₀‖²` toward `anchor` (an L2-SP-style pull, Li et al.
   * 2018): the model follows benign change but cannot be walked far from its initialization by a patient
   * attacker. Yields to the event loop every `sliceMs` like {@link fit}.
   */
  async adapt(rows: Float32Array, steps: number, options: AdaptOptions): Promise<FitResult> {
    const n = this.#rowCount(rows);
    this.#checkShapes(options.anchor);
    const sliceMs = options.sliceMs ?? 10;
    const x = tf.tensor2d(rows.slice(), [n, this.inputDim]);
    const anchor = options.anchor.tensors.map((values, k) => tf.tensor(values, this.#shape(k)));
    const optimizer = this.#newOptimizer();
    const strength = options.anchorStrength;
    const result: FitResult = { epochLosses: [], steps: 0, aborted: false };
    let sliceStart = performance.now();
    try {
      for (let step = 0; step < steps; step++) {
        if (options.signal?.aborted || this.#disposed) return { ...result, aborted: true };
        result.epochLosses.push(
          this.#minimize(optimizer, () => {
            const reconstruction = tf.mean(tf.squaredDifference(x, this.#forward(x)));
            const pulls = this.#variables.map((v, k) => tf.sum(tf.squaredDifference(v, anchor[k]!)));
            return tf.add(reconstruction, tf.mul(strength, tf.addN(pulls))) as tf.Scalar;
          }),
        );
        result.steps++;
        if (performance.now() - sliceStart >= sliceMs) {
          await yieldToEventLoop();
          sliceStart = performance.now();
        }
      }
      return result;
    } finally {
      x.dispose();
      for (const t of anchor) t.dispose();
    }
  }

  /**
   * Mean squared reconstruction error of each row of `rows` (`n × inputDim`). Inference runs in WebAssembly
   * (autoencoder-score.wat), not in the TensorFlow.js backend: on rows of a few dozen features the backend's
   * per-op dispatch and tensor bookkeeping cost several times the arithmetic. Its results agree with the
   * backend's forward pass to about 1e-7.
   */
  score(rows: Float32Array): Float32Array {
    const scores = new Float32Array(this.#rowCount(rows));
    this.#inference().score(rows, scores, undefined, this.#scoreBatchRows);
    return scores;
  }

  /** {@link score} together with the reconstruction it came from (`n × inputDim`). */
  scoreRows(rows: Float32Array): { scores: Float32Array; reconstruction: Float32Array } {
    const scores = new Float32Array(this.#rowCount(rows));
    const reconstruction = new Float32Array(rows.length);
    this.#inference().score(rows, scores, reconstruction, this.#scoreBatchRows);
    return { scores, reconstruction };
  }

  /**
   * The reconstructions of the rows of `rows` listed in `indices`, in that order (`indices.length ×
   * inputDim`): what explaining a batch's few alerts needs, without copying out the rest.
   */
  reconstruct(rows: Float32Array, indices: readonly number[]): Float32Array {
    const d = this.inputDim;
    const picked = new Float32Array(indices.length * d);
    indices.forEach((i, k) => {
      picked.set(rows.subarray(i * d, (i + 1) * d), k * d);
    });
    return this.scoreRows(picked).reconstruction;
  }

  /** Squared reconstruction error per feature (`n × inputDim`); their row mean is {@link score}. */
  featureErrors(rows: Float32Array): Float32Array {
    const { reconstruction } = this.scoreRows(rows);
    for (let j = 0; j < rows.length; j++) {
      const e = rows[j]! - reconstruction[j]!;
      reconstruction[j] = e * e;
    }
    return reconstruction;
  }

  exportWeights(): AutoencoderWeights {
    return {
      inputDim: this.inputDim,
      hiddenUnits: [...this.hiddenUnits],
      // Copies: the cpu backend hands out its own storage.
      tensors: this.#variables.map((v) => Float32Array.from(v.dataSync())),
    };
  }

  /** Replaces all weights; throws {@link ModelError} when the architecture differs. */
  importWeights(weights: AutoencoderWeights): void {
    this.#checkShapes(weights);
    this.#kernel = undefined;
    tf.tidy(() => {
      weights.tensors.forEach((values, k) => {
        this.#variables[k]!.assign(tf.tensor(values, this.#shape(k)));
      });
    });
  }

  /** The inference kernel over the current weights, made on first use after they change. */
  #inference(): AutoencoderKernel {
    this.#kernel ??= new AutoencoderKernel(
      this.#sizes,
      this.#variables.map((v) => v.dataSync() as Float32Array),
    );
    return this.#kernel;
  }

  /** Frees the weight tensors; idempotent. A running {@link fit} stops at its next step. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const v of this.#variables) v.dispose();
  }

  #forward(x: tf.Tensor2D): tf.Tensor2D {
    const layers = this.#sizes.length - 1;
    let h = x;
    for (let i = 0; i < layers; i++) {
      h = tf.add(
        tf.matMul(h, this.#variables[2 * i] as tf.Variable<tf.Rank.R2>),
        this.#variables[2 * i + 1]!,
      );
      if (i < layers - 1) h = tf.tanh(h);
    }
    return h;
  }

  /**
   * One minibatch step on the rows of `x` listed in `batch`. The rows are gathered here in plain JS into a
   * fresh tensor rather than with `tf.gather` on a tensor of all rows: the copy is exact either way, and on
   * the wasm backend the gather kernel and its index tensor took about a sixth of each 64-row step. The
   * array is fresh per step because the cpu backend keeps a reference to it.
   */
  #step(x: Float32Array, batch: Int32Array, optimizer: Optimizer): number {
    const d = this.inputDim;
    const rows = new Float32Array(batch.length * d);
    for (let k = 0; k < batch.length; k++) {
      const from = batch[k]! * d;
      rows.set(x.subarray(from, from + d), k * d);
    }
    return tf.tidy(() => {
      const xb = tf.tensor2d(rows, [batch.length, d]);
      return this.#minimize(
        optimizer,
        () => tf.mean(tf.squaredDifference(xb, this.#forward(xb))) as tf.Scalar,
      );
    });
  }

  /** Fresh Adam state over a copy of the current weights, like a new `tf.train.adam` per training run. */
  #newOptimizer(): Optimizer {
    const params = this.#variables.map((v) => Float32Array.from(v.dataSync()));
    const adam = new AdamState(
      this.#learningRate,
      tf.backend().epsilon(),
      params.map((p) => p.length),
    );
    return { adam, params };
  }

  /**
   * One gradient step on `loss`; returns the loss before the step. An explicit variable list: by default
   * TensorFlow.js differentiates every trainable variable in the process, which includes the other segments'
   * models. The update itself runs in {@link AdamState} and the new weights go back in one assign each.
   */
  #minimize(optimizer: Optimizer, loss: () => tf.Scalar): number {
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss, this.#variables);
      optimizer.adam.step(
        optimizer.params,
        this.#variables.map((v) => grads[v.name]!.dataSync()),
      );
      this.#kernel = undefined;
      this.#variables.forEach((v, k) => {
        // A copy: the cpu backend keeps the array it is given, and the parameters change in place.
        v.assign(tf.tensor(optimizer.params[k]!.slice(), this.#shape(k)));
      });
      return value.dataSync()[0]!;
    });
  }

  #shape(k: number): [number, number] | [number] {
    const layer = k >> 1;
    return k % 2 === 0 ? [this.#sizes[layer]!, this.#sizes[layer + 1]!] : [this.#sizes[layer + 1]!];
  }

  #glorotWeights(): AutoencoderWeights {
    const tensors: Float32Array[] = [];
    for (let i = 0; i + 1 < this.#sizes.length; i++) {
      const fanIn = this.#sizes[i]!;
      const fanOut = this.#sizes[i + 1]!;
      // Glorot/Xavier uniform keeps tanh activations out of saturation at the start.
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      tensors.push(Float32Array.from({ length: fanIn * fanOut }, () => (2 * this.#random() - 1) * limit));
      tensors.push(new Float32Array(fanOut));
    }
    return { inputDim: this.inputDim, hiddenUnits: [...this.hiddenUnits], tensors };
  }

  #checkShapes(weights: AutoencoderWeights): void {
    const expected = 2 * (this.#sizes.length - 1);
    const sizesMatch =
      weights.inputDim === this.inputDim &&
      weights.hiddenUnits.join(',') === this.hiddenUnits.join(',') &&
      weights.tensors.length === expected &&
      weights.tensors.every((t, k) => t.length === this.#shape(k).reduce((a, b) => a * b, 1));
    if (!sizesMatch) {
      throw new ModelError(
        `autoencoder weights: expected ${this.inputDim} inputs and hidden units [${this.hiddenUnits}], ` +
          `got ${weights.inputDim} inputs and [${weights.hiddenUnits}] (${weights.tensors.length} tensors)`,
      );
    }
  }

  #rowCount(rows: Float32Array): number {
    const n = rows.length / this.inputDim;
    if (!Number.isInteger(n)) {
      throw new ModelError(
        `autoencoder: ${rows.length} values is not a whole number of ${this.inputDim}-feature rows`,
      );
    }
    return n;
  }
}

/** Fisher–Yates in place. */
function shuffle(values: Int32Array, random: () => number): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = values[i]!;
    values[i] = values[j]!;
    values[j] = tmp;
  }
}
