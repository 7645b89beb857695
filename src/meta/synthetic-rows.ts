import { gaussian, seededRandom } from './seeded-random.js';

export interface SyntheticRowsOptions {
  /** Features per row. */
  dim: number;
  seed: number;
  /** Dimension of the manifold benign rows live on (default 3). */
  latentDim?: number;
  /** Gaussian clusters in the latent space, like a segment's few kinds of traffic (default 4). */
  clusters?: number;
  /** Standard deviation of the noise added off the manifold (default 0.05). */
  noise?: number;
}

/**
 * Deterministic synthetic feature rows for tests and benchmarks. Benign rows are a Gaussian mixture on a
 * low-dimensional linear manifold (real flow features are strongly correlated: bytes follow packets, reverse
 * follows forward), mapped to counter-like magnitudes through `expm1`; anomalies are drawn with the same
 * per-feature spread but off the manifold, so only the correlations betray them.
 */
export class SyntheticRows {
  readonly dim: number;
  readonly #latentDim: number;
  readonly #noise: number;
  readonly #normal: () => number;
  readonly #random: () => number;
  readonly #mixing: Float64Array;
  readonly #centers: Float64Array[];

  constructor(options: SyntheticRowsOptions) {
    this.dim = options.dim;
    this.#latentDim = options.latentDim ?? 3;
    this.#noise = options.noise ?? 0.05;
    this.#random = seededRandom(options.seed);
    this.#normal = gaussian(this.#random);
    const scale = 1 / Math.sqrt(this.#latentDim);
    this.#mixing = Float64Array.from({ length: this.#latentDim * this.dim }, () => this.#normal() * scale);
    this.#centers = Array.from({ length: options.clusters ?? 4 }, () =>
      Float64Array.from({ length: this.#latentDim }, () => 2 * this.#normal()),
    );
  }

  /** `n` benign rows in log-like units (roughly zero-centred); `raw` maps them to counter magnitudes. */
  inliers(n: number, raw = false): Float32Array {
    const out = new Float32Array(n * this.dim);
    const latent = new Float64Array(this.#latentDim);
    for (let i = 0; i < n; i++) {
      const center = this.#centers[Math.floor(this.#random() * this.#centers.length)]!;
      for (let k = 0; k < this.#latentDim; k++) latent[k] = center[k]! + 0.5 * this.#normal();
      for (let j = 0; j < this.dim; j++) {
        let v = this.#noise * this.#normal();
        for (let k = 0; k < this.#latentDim; k++) v += latent[k]! * this.#mixing[k * this.dim + j]!;
        out[i * this.dim + j] = raw ? toCounter(v) : v;
      }
    }
    return out;
  }

  /** `n` anomalous rows: each feature independent, with about the benign marginal spread. */
  outliers(n: number, raw = false): Float32Array {
    const out = new Float32Array(n * this.dim);
    for (let k = 0; k < out.length; k++) {
      const v = 2 * this.#normal();
      out[k] = raw ? toCounter(v) : v;
    }
    return out;
  }
}

/** Log-like units to a non-negative counter: 0 maps to about e^4 ≈ 55 and each unit is a factor e^1.5. */
function toCounter(v: number): number {
  return Math.expm1(Math.max(0, 4 + 1.5 * v));
}
