import { ModelError } from '../core/errors.js';
import { type ColumnPacking, NearestRowKernel } from './nearest-row-kernel.js';
import type { Scorer } from './scorer.js';

/** Most warm-up rows kept as neighbours: bounds the cost per scored flow (rows × features). */
export const MAX_REFERENCE_ROWS = 128;

/**
 * The ensemble's cheap non-neural member: the distance from a row to its nearest warm-up row (k = 1 nearest
 * neighbour, Ramaswamy, Rastogi & Shim 2000), in the segment's {@link RobustScaler} units. It needs no
 * training, only the scaled warm-up rows, and sees what a per-feature range check cannot: a flow whose every
 * feature lies within the warm-up's ranges but whose combination matches no warm-up flow (a 64 kB HTTP
 * download on a segment whose HTTP flows carried 2 kB, next to an SSH session that set the byte range).
 *
 * Two choices keep a few unstable features from deciding the distance:
 * - L1 rather than Euclidean distance: in high dimension the L1 contrast between near and far points holds
 *   up better (Aggarwal, Hinneburg & Keim, "On the surprising behavior of distance metrics in high
 *   dimensional space", ICDT 2001), and one feature clipped at ±10 adds 10, not 100.
 * - Each feature counts with weight 1/(size of its group): the damped statistics repeat every quantity once
 *   per decay rate (`pair_iat_mean_l5` … `pair_iat_mean_l0.01`), and without the weights one quantity the
 *   warm-up's few minutes could not span (a pair's hour-long inter-arrival time) would count five times.
 *
 * Without reference rows (before {@link fit}, or restored from a snapshot written before the neighbours were
 * kept) the score is the row's largest |z|, the member's earlier definition, which such a snapshot's SPOT
 * tail was calibrated on.
 */
export class FeatureDeviationScorer implements Scorer {
  readonly name = 'baseline';
  readonly inputDim: number;
  readonly #weights: Float32Array;
  /** The reference rows as given (scaled), for snapshots. */
  #reference: Float32Array = new Float32Array(0);
  /**
   * The reference rows packed (see {@link columnPacking}) and sorted by their L1 norm, and the search over
   * them; none before {@link fit} or {@link restore}.
   */
  #kernel: NearestRowKernel | undefined;
  /** Index of the last scored row's nearest neighbour. */
  #lastNearest = 0;

  /** @param featureNames the row's columns; a trailing `_l<decay rate>` marks a damped statistic's group. */
  constructor(featureNames: readonly string[] | number) {
    const names =
      typeof featureNames === 'number'
        ? Array.from({ length: featureNames }, (_, j) => `f${j}`)
        : featureNames;
    this.inputDim = names.length;
    this.#weights = groupWeights(names);
  }

  /** Warm-up rows kept as neighbours. */
  get referenceRows(): number {
    return this.#reference.length / this.inputDim;
  }

  /**
   * Keeps scaled warm-up rows as the neighbours, evenly subsampled to {@link MAX_REFERENCE_ROWS} in
   * stream order (so the sample spans the warm-up's time range).
   */
  fit(scaledRows: Float32Array): void {
    const d = this.inputDim;
    const n = this.#rowCount(scaledRows);
    const keep = Math.min(n, MAX_REFERENCE_ROWS);
    const reference = new Float32Array(keep * d);
    for (let k = 0; k < keep; k++) {
      const i = Math.floor((k * n) / keep);
      reference.set(scaledRows.subarray(i * d, (i + 1) * d), k * d);
    }
    this.#setReference(reference);
  }

  score(rows: Float32Array): Float32Array {
    const n = this.#rowCount(rows);
    const kernel = this.#kernel;
    if (!kernel) return largestAbs(rows, n, this.inputDim);
    return this.#search(kernel, rows).distances;
  }

  /**
   * Weighted absolute difference per feature to the row's nearest warm-up row (summing to its score); the
   * squared z-scores without reference rows.
   */
  featureErrors(rows: Float32Array): Float32Array {
    const n = this.#rowCount(rows);
    const d = this.inputDim;
    const kernel = this.#kernel;
    if (!kernel) return rows.map((v) => v * v);
    const { nearest } = this.#search(kernel, rows);
    const out = new Float32Array(rows.length);
    const { packing } = kernel;
    const { order } = packing;
    const x = new Float32Array(d);
    for (let i = 0; i < n; i++) {
      pack(rows, i * d, packing, x);
      for (let k = 0; k < d; k++) out[i * d + order[k]!] = Math.abs(x[k]! - kernel.value(nearest[i]!, k));
    }
    return out;
  }

  /** The reference rows as plain numbers, for the segment's snapshot. */
  snapshot(): number[] {
    return Array.from(this.#reference);
  }

  /** Replaces the reference rows; throws {@link ModelError} when they are not whole rows of finite values. */
  restore(reference: readonly number[]): void {
    if (reference.length % this.inputDim !== 0 || !reference.every(Number.isFinite)) {
      throw new ModelError(
        `baseline snapshot: expected whole ${this.inputDim}-feature rows of finite values, got ${reference.length} values`,
      );
    }
    this.#setReference(Float32Array.from(reference));
  }

  dispose(): void {
    // Nothing to free: the scorer holds no tensors or handles.
  }

  #setReference(reference: Float32Array): void {
    const d = this.inputDim;
    const rows = reference.length / d;
    this.#reference = reference;
    this.#lastNearest = 0;
    if (rows === 0) {
      this.#kernel = undefined;
      return;
    }
    const packing = columnPacking(reference, this.#weights);
    const packed = new Float32Array(reference.length);
    const norms = new Float64Array(rows);
    for (let r = 0; r < rows; r++)
      norms[r] = pack(reference, r * d, packing, packed.subarray(r * d, (r + 1) * d));
    const byNorm = Array.from({ length: rows }, (_, r) => r).sort((a, b) => norms[a]! - norms[b]! || a - b);
    const sorted = new Float32Array(reference.length);
    for (const [k, r] of byNorm.entries()) sorted.set(packed.subarray(r * d, (r + 1) * d), k * d);
    this.#kernel = new NearestRowKernel(
      sorted,
      Float64Array.from(byNorm, (r) => norms[r]!),
      packing,
    );
  }

  /**
   * Each row's weighted L1 distance to its nearest reference row and that row's index. The search starts
   * from the previous row's nearest neighbour (across batches too): consecutive flows of a segment are often
   * alike, so the bound is tight from the start.
   */
  #search(kernel: NearestRowKernel, rows: Float32Array): { distances: Float32Array; nearest: Int32Array } {
    const n = rows.length / this.inputDim;
    const distances = new Float32Array(n);
    const nearest = new Int32Array(n);
    kernel.search(rows, this.#lastNearest, distances, nearest);
    if (n > 0) this.#lastNearest = nearest[n - 1]!;
    return { distances, nearest };
  }

  #rowCount(rows: Float32Array): number {
    const n = rows.length / this.inputDim;
    if (!Number.isInteger(n)) {
      throw new ModelError(
        `baseline: ${rows.length} values is not a whole number of ${this.inputDim}-feature rows`,
      );
    }
    return n;
  }
}

/** Each row's largest |z|: the score without reference rows. */
function largestAbs(rows: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let worst = 0;
    for (let j = i * d, end = j + d; j < end; j++) {
      const v = Math.abs(rows[j]!);
      if (v > worst) worst = v;
    }
    out[i] = worst;
  }
  return out;
}

/** 1 / (number of columns sharing the name once a trailing `_l<decay rate>` is removed), per column. */
export function groupWeights(featureNames: readonly string[]): Float32Array {
  const groups = featureNames.map((name) => name.replace(/_l[0-9.e+-]+$/, ''));
  const sizes = new Map<string, number>();
  for (const g of groups) sizes.set(g, (sizes.get(g) ?? 0) + 1);
  return Float32Array.from(groups, (g) => 1 / sizes.get(g)!);
}

/**
 * Writes the row at `row` of `rows`, packed (column k = `weights[k] · rows[row + order[k]]`, rounded to f32),
 * into `out`; returns its L1 norm.
 */
function pack(rows: Float32Array, row: number, { order, weights }: ColumnPacking, out: Float32Array): number {
  let norm = 0;
  for (let k = 0; k < order.length; k++) {
    out[k] = weights[k]! * rows[row + order[k]!]!;
    norm += Math.abs(out[k]!);
  }
  return norm;
}

/**
 * How the search packs rows: by weight, with the columns in falling order of their weighted spread over the
 * reference rows (the mean absolute difference between two of them in that column, times its weight). The
 * distance loop reads columns in that order, so the columns that tell rows apart come first and a farther row
 * is abandoned after fewer of them.
 */
export function columnPacking(reference: Float32Array, groupWeight: Float32Array): ColumnPacking {
  const d = groupWeight.length;
  const n = reference.length / d;
  const spread = new Float64Array(d);
  const column = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    for (let r = 0; r < n; r++) column[r] = reference[r * d + j]!;
    column.sort();
    // Σ over pairs |a − b| = Σ_i (2i − n + 1) · x_(i) over the sorted values.
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (2 * i - n + 1) * column[i]!;
    spread[j] = groupWeight[j]! * sum;
  }
  const order = Uint16Array.from(
    Array.from({ length: d }, (_, j) => j).sort(
      (a, b) => spread[b]! - spread[a]! || groupWeight[b]! - groupWeight[a]! || a - b,
    ),
  );
  return { order, weights: Float32Array.from(order, (j) => groupWeight[j]!) };
}
