import { ModelError } from '../core/errors.js';
import { ScaleRowsKernel } from './scale-rows-kernel.js';

/** Serializable state of a fitted {@link RobustScaler}. */
export interface ScalerSnapshot {
  dim: number;
  /** Per-feature median, in log1p units. */
  center: number[];
  /** Per-feature spread (normal-consistent, floored), in log1p units. */
  spread: number[];
}

/** Options of {@link RobustScaler}. */
export interface RobustScalerOptions {
  /**
   * Smallest spread in log1p units (default 0.25, i.e. roughly a 30 % relative change per unit). Features
   * that are constant during warm-up would otherwise divide by zero or turn any change into a huge error.
   */
  minSpread?: number;
  /**
   * Smallest spread of a 0/1 flag, a feature whose warm-up values are all 0 or 1 (default 0.1). A flag moves
   * by log 2 in log1p units: at the 0.25 floor a flag the warm-up never set (TCP on a segment that only
   * spoke UDP, a SYN left unanswered) landed 2.8 units out, inside the ordinary spread of the continuous
   * features, and hardly moved the scores; at 0.1 it lands 6.9 units out. Counters that were constant jump
   * by far more than log 2 and are unaffected.
   */
  flagMinSpread?: number;
  /**
   * Scaled values are clipped to ±clip (default 10) so one feature far outside its warm-up range cannot
   * drown every other feature's contribution to the error.
   */
  clip?: number;
}

// Ratios that make IQR and MAD estimate the standard deviation of a normal distribution.
const IQR_TO_SIGMA = 1 / 1.349;
const MAD_TO_SIGMA = 1.4826;

/**
 * Sign-preserving log1p followed by robust per-feature scaling, `(log1p(x) - median) / spread`, fitted on a
 * segment's warm-up rows. Flow counters span many orders of magnitude and are heavy-tailed, so the log
 * compresses them and median/IQR keep a few large warm-up flows from setting the scale.
 */
export class RobustScaler {
  readonly #minSpread: number;
  readonly #flagMinSpread: number;
  readonly #clip: number;
  #center: Float64Array = new Float64Array(0);
  #spread: Float64Array = new Float64Array(0);
  /** {@link transform}'s kernel; made lazily after fit or restore. */
  #kernel: ScaleRowsKernel | undefined;
  /** {@link baseline} per feature; recomputed lazily after fit or restore. */
  #baselines: Float64Array = new Float64Array(0);

  constructor(options: RobustScalerOptions = {}) {
    this.#minSpread = options.minSpread ?? 0.25;
    this.#flagMinSpread = options.flagMinSpread ?? 0.1;
    this.#clip = options.clip ?? 10;
  }

  /** Feature count; 0 until fitted or restored. */
  get dim(): number {
    return this.#center.length;
  }

  /** Fits median and spread per feature on row-major `rows` (`n × dim`); non-finite values count as 0. */
  fit(rows: Float32Array, dim: number): void {
    const n = rows.length / dim;
    if (!Number.isInteger(n) || n < 2) {
      throw new ModelError(`scaler: expected at least 2 rows of ${dim} features, got ${rows.length} values`);
    }
    this.#center = new Float64Array(dim);
    this.#spread = new Float64Array(dim);
    this.#kernel = undefined;
    this.#baselines = new Float64Array(0);
    const column = new Float64Array(n);
    const deviations = new Float64Array(n);
    for (let j = 0; j < dim; j++) {
      let flag = true;
      for (let i = 0; i < n; i++) {
        const x = rows[i * dim + j]!;
        if (x !== 0 && x !== 1) flag = false;
        column[i] = finiteOrZero(signedLog1p(x));
      }
      column.sort();
      const median = quantile(column, 0.5);
      const iqr = quantile(column, 0.75) - quantile(column, 0.25);
      for (let i = 0; i < n; i++) deviations[i] = Math.abs(column[i]! - median);
      deviations.sort();
      const mad = quantile(deviations, 0.5);
      let sum = 0;
      let sumSq = 0;
      for (let i = 0; i < n; i++) {
        sum += column[i]!;
        sumSq += column[i]! * column[i]!;
      }
      const std = Math.sqrt(Math.max(0, sumSq / n - (sum / n) ** 2));
      // The largest of three estimates. IQR and MAD are zero for sparse features (a flag set on 2 % of
      // warm-up flows); the standard deviation is not, so a benign rare value stays a few units away
      // instead of dominating the reconstruction error as it would with the floor alone.
      this.#center[j] = median;
      const floor = flag ? this.#flagMinSpread : this.#minSpread;
      this.#spread[j] = Math.max(iqr * IQR_TO_SIGMA, mad * MAD_TO_SIGMA, std, floor);
    }
  }

  /** Scales `rows` (`n × dim`) into `out` (a new array by default). NaN maps to the median, ±Infinity to ±clip. */
  transform(rows: Float32Array, out: Float32Array = new Float32Array(rows.length)): Float32Array {
    if (this.dim === 0) throw new ModelError('scaler: transform called before fit or restore');
    // The hot path of scoring, in WebAssembly (scale-rows.wat): the same arithmetic as signedLog1p and
    // Math.log1p, two values per instruction.
    this.#kernel ??= new ScaleRowsKernel(this.#center, this.#spread, this.#clip);
    this.#kernel.scale(rows, out);
    return out;
  }

  /** The typical raw (unscaled) value of feature `j`: the warm-up median mapped back through log1p. */
  baseline(j: number): number {
    // Explanations ask for the same few features row after row: computed once per fit.
    if (this.#baselines.length !== this.dim) {
      this.#baselines = this.#center.map((m) => Math.sign(m) * Math.expm1(Math.abs(m)));
    }
    return this.#baselines[j]!;
  }

  snapshot(): ScalerSnapshot {
    return { dim: this.dim, center: Array.from(this.#center), spread: Array.from(this.#spread) };
  }

  restore(snapshot: ScalerSnapshot): void {
    const { dim, center, spread } = snapshot;
    if (center.length !== dim || spread.length !== dim || spread.some((s) => !(s > 0))) {
      throw new ModelError(`scaler snapshot: expected ${dim} centers and ${dim} positive spreads`);
    }
    this.#center = Float64Array.from(center);
    this.#spread = Float64Array.from(spread);
    this.#kernel = undefined;
    this.#baselines = new Float64Array(0);
  }
}

function signedLog1p(x: number): number {
  return x < 0 ? -Math.log1p(-x) : Math.log1p(x);
}

function finiteOrZero(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

/** Linear-interpolated quantile of an ascending array. */
function quantile(sorted: Float64Array, p: number): number {
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
