/**
 * Rows of a {@link DampedStats}, one per listed slot, in list order. Typed arrays: clone or
 * encode with `structuredClone` / `node:v8` serialize (JSON would lose −Infinity).
 */
export interface DampedStatsState {
  lambdas: number[];
  streams: 0 | 1 | 2;
  interArrival: boolean;
  /** Per row: last update time (−Infinity = never), then per λ the decayed sums. */
  rows: Float64Array;
}

/** Variance from decayed sums, with rounding noise below 1e-12 of mean² snapped to 0. */
function varianceOf(w: number, ls: number, ss: number): number {
  if (!(w > 0)) return 0;
  const mean = ls / w;
  const variance = ss / w - mean * mean;
  return variance > 1e-12 * (mean * mean) ? variance : 0;
}

/**
 * A weight `w` just updated (it holds the newest observation's 1), extrapolated from an
 * observation that covers `share` of its decay's memory: the earlier observations are taken
 * to stand for the whole memory, at the rate they came. A key as busy before the observation
 * began as since then gets the weight it will have once its history is in view; a key seen
 * once keeps w = 1, whatever the share.
 */
function observedWeight(w: number, share: number): number {
  return 1 + (w - 1) / share;
}

/**
 * Damped incremental statistics of Kitsune's AfterImage (Mirsky et al., NDSS 2018, section
 * IV-B): for each slot and each decay rate λ (1/s), a decayed weight w, linear sum LS and
 * squared sum SS of zero, one or two streams. Before each update every sum is multiplied by
 * d = 2^(-λ·Δt), Δt in seconds since the slot's last update (paper eq. 1), then w += 1,
 * LS += x, SS += x². Mean = LS/w, variance = |SS/w − mean²|.
 *
 * With two streams (the two directions of a relation) it also keeps the decayed sum of
 * products SP += x0·x1. AfterImage approximates the covariance from residual products
 * (SR_ij) because packets of the two directions arrive at different times; a flow record
 * carries both directions at once, so the decayed covariance SP/w − μ0·μ1 is exact here.
 *
 * With `interArrival`, each update after the first also adds the time since the previous
 * one (seconds) to a stream of its own weight: AfterImage's jitter statistics.
 *
 * One slot is one contiguous row of a Float64Array (last update time, then the sums per λ),
 * so an update touches a few adjacent cache lines; nothing allocates per update. Float64
 * matters: SS/w − mean² cancels catastrophically in 24-bit floats.
 */
export class DampedStats {
  readonly streams: 0 | 1 | 2;
  readonly interArrival: boolean;
  readonly #lambdas: readonly number[];
  /** λ·ln 2 / 1000: turns 2^(−λ·Δt s) into exp(−k·Δt ms). */
  readonly #rates: Float64Array;
  /** Per λ: w, (LS, SS) per stream, SP with two streams, then (w, LS, SS) of inter-arrival times. */
  readonly #stride: number;
  /** Offset of the inter-arrival sums inside a λ block, or 0 when not kept. */
  readonly #gap: number;
  readonly #rowSize: number;
  readonly #rows: Float64Array;

  constructor(lambdas: readonly number[], capacity: number, streams: 0 | 1 | 2, interArrival = false) {
    this.#lambdas = [...lambdas];
    this.streams = streams;
    this.interArrival = interArrival;
    this.#rates = Float64Array.from(lambdas, (l) => (l * Math.LN2) / 1000);
    const sums = 1 + 2 * streams + (streams === 2 ? 1 : 0);
    this.#gap = interArrival ? sums : 0;
    this.#stride = sums + (interArrival ? 3 : 0);
    this.#rowSize = 1 + lambdas.length * this.#stride;
    this.#rows = new Float64Array(capacity * this.#rowSize);
    for (let s = 0; s < capacity; s++) this.#rows[s * this.#rowSize] = Number.NEGATIVE_INFINITY;
  }

  /** Slots this instance holds (its array never grows). */
  get capacity(): number {
    return this.#rows.length / this.#rowSize;
  }

  /** Forgets a slot (a new key took it). */
  reset(slot: number): void {
    const base = slot * this.#rowSize;
    this.#rows[base] = Number.NEGATIVE_INFINITY;
    this.#rows.fill(0, base + 1, base + this.#rowSize);
  }

  /** Event time of the slot's last update, or −Infinity. */
  lastMs(slot: number): number {
    return this.#rows[slot * this.#rowSize];
  }

  /**
   * Decays the slot to `tMs` and adds one observation. An observation older than the slot's
   * last update (out of order) is added without decay, with an inter-arrival time of 0:
   * time never runs backwards.
   */
  update(slot: number, tMs: number, x0 = 0, x1 = 0): void {
    const v = this.#rows;
    const base = slot * this.#rowSize;
    const last = v[base];
    const dtMs = tMs > last ? tMs - last : 0;
    const gapKept = this.#gap !== 0;
    const seenBefore = last !== Number.NEGATIVE_INFINITY;
    const gapS = dtMs / 1000;
    if (tMs > last) v[base] = tMs;
    const stride = this.#stride;
    const streams = this.streams;
    let i = base + 1;
    for (let l = 0; l < this.#rates.length; l++, i += stride) {
      // A fresh slot's sums are all 0: any factor will do, and 0 skips the exp.
      const d = dtMs === 0 ? 1 : seenBefore ? Math.exp(-this.#rates[l] * dtMs) : 0;
      v[i] = v[i] * d + 1;
      if (streams > 0) {
        v[i + 1] = v[i + 1] * d + x0;
        v[i + 2] = v[i + 2] * d + x0 * x0;
        if (streams === 2) {
          v[i + 3] = v[i + 3] * d + x1;
          v[i + 4] = v[i + 4] * d + x1 * x1;
          v[i + 5] = v[i + 5] * d + x0 * x1;
        }
      }
      if (gapKept && seenBefore) {
        const g = i + this.#gap;
        v[g] = v[g] * d + 1;
        v[g + 1] = v[g + 1] * d + gapS;
        v[g + 2] = v[g + 2] * d + gapS * gapS;
      }
    }
  }

  /** Decayed weight w at λ index `l`, as of the slot's last update. */
  weight(slot: number, l: number): number {
    return this.#rows[this.#base(slot, l)];
  }

  /** Decayed mean of `stream` (0 when the slot is empty). */
  mean(slot: number, l: number, stream = 0): number {
    const i = this.#base(slot, l);
    const w = this.#rows[i];
    return w > 0 ? this.#rows[i + 1 + 2 * stream] / w : 0;
  }

  /** Decayed variance of `stream`, with rounding noise below 1e-12 of mean² snapped to 0. */
  variance(slot: number, l: number, stream = 0): number {
    const i = this.#base(slot, l);
    return varianceOf(this.#rows[i], this.#rows[i + 1 + 2 * stream], this.#rows[i + 2 + 2 * stream]);
  }

  /** Decayed standard deviation of `stream`. */
  std(slot: number, l: number, stream = 0): number {
    return Math.sqrt(this.variance(slot, l, stream));
  }

  /** 2-D magnitude ‖μ0, μ1‖ = sqrt(μ0² + μ1²) (AfterImage table I). */
  magnitude(slot: number, l: number): number {
    return Math.hypot(this.mean(slot, l, 0), this.mean(slot, l, 1));
  }

  /** 2-D radius ‖σ0, σ1‖ = sqrt(σ0² + σ1²) (AfterImage table I). */
  radius(slot: number, l: number): number {
    return Math.sqrt(this.variance(slot, l, 0) + this.variance(slot, l, 1));
  }

  /** Decayed covariance of the two streams, SP/w − μ0·μ1. */
  covariance(slot: number, l: number): number {
    const i = this.#base(slot, l);
    const w = this.#rows[i];
    return w > 0 ? this.#rows[i + 5] / w - this.mean(slot, l, 0) * this.mean(slot, l, 1) : 0;
  }

  /** Pearson correlation of the two streams in [−1, 1]; 0 when either stream is constant. */
  correlation(slot: number, l: number): number {
    const scale = this.std(slot, l, 0) * this.std(slot, l, 1);
    if (!(scale > 0)) return 0;
    const r = this.covariance(slot, l) / scale;
    return Math.max(-1, Math.min(1, r));
  }

  /**
   * Writes at `out[0..]`, for each λ, the share of its memory that `observedMs` of observation
   * covers: 1 − 2^(−λ·t). Counting from the start of an observation, a weight misses the rest;
   * the write methods take these shares to extrapolate it (see {@link observedWeight}).
   */
  observedShares(observedMs: number, out: Float64Array): void {
    for (let l = 0; l < this.#rates.length; l++) out[l] = -Math.expm1(-this.#rates[l] * observedMs);
  }

  /**
   * Writes, for each λ, `[w, mean, std]` of stream 0 (`[mean, std]` when `withWeight` is
   * false) at `out[offset..]`; returns the offset after them. One pass, for the per-flow path.
   * With `observed` ({@link observedShares}), w is extrapolated (see {@link observedWeight}).
   */
  writeMoments(
    slot: number,
    out: Float32Array,
    offset: number,
    withWeight: boolean,
    observed?: Float64Array,
  ): number {
    const v = this.#rows;
    let o = offset;
    let i = slot * this.#rowSize + 1;
    for (let l = 0; l < this.#lambdas.length; l++, i += this.#stride) {
      const w = v[i];
      if (withWeight) out[o++] = observed === undefined ? w : observedWeight(w, observed[l]);
      out[o++] = w > 0 ? v[i + 1] / w : 0;
      out[o++] = Math.sqrt(varianceOf(w, v[i + 1], v[i + 2]));
    }
    return o;
  }

  /**
   * Writes, for each λ, `[w, magnitude, radius, covariance, correlation]`; returns the next offset.
   * With `observed` ({@link observedShares}), w is extrapolated (see {@link observedWeight}).
   */
  writeRelation(slot: number, out: Float32Array, offset: number, observed?: Float64Array): number {
    const v = this.#rows;
    let o = offset;
    let i = slot * this.#rowSize + 1;
    for (let l = 0; l < this.#lambdas.length; l++, i += this.#stride) {
      const w = v[i];
      const m0 = w > 0 ? v[i + 1] / w : 0;
      const m1 = w > 0 ? v[i + 3] / w : 0;
      const var0 = varianceOf(w, v[i + 1], v[i + 2]);
      const var1 = varianceOf(w, v[i + 3], v[i + 4]);
      const cov = w > 0 ? v[i + 5] / w - m0 * m1 : 0;
      const scale = Math.sqrt(var0 * var1);
      out[o++] = observed === undefined ? w : observedWeight(w, observed[l]);
      out[o++] = Math.sqrt(m0 * m0 + m1 * m1);
      out[o++] = Math.sqrt(var0 + var1);
      out[o++] = cov;
      out[o++] = scale > 0 ? Math.max(-1, Math.min(1, cov / scale)) : 0;
    }
    return o;
  }

  /** Writes, for each λ, `[mean, std]` of the inter-arrival times (s); returns the next offset. */
  writeInterArrival(slot: number, out: Float32Array, offset: number): number {
    const v = this.#rows;
    let o = offset;
    let i = slot * this.#rowSize + 1 + this.#gap;
    for (let l = 0; l < this.#lambdas.length; l++, i += this.#stride) {
      const w = v[i];
      out[o++] = w > 0 ? v[i + 1] / w : 0;
      out[o++] = Math.sqrt(varianceOf(w, v[i + 1], v[i + 2]));
    }
    return o;
  }

  /** Decayed mean of the inter-arrival times in seconds (0 before the second update). */
  interArrivalMean(slot: number, l: number): number {
    const i = this.#base(slot, l) + this.#gap;
    return this.#rows[i] > 0 ? this.#rows[i + 1] / this.#rows[i] : 0;
  }

  /** Decayed standard deviation of the inter-arrival times (jitter) in seconds. */
  interArrivalStd(slot: number, l: number): number {
    const i = this.#base(slot, l) + this.#gap;
    return Math.sqrt(varianceOf(this.#rows[i], this.#rows[i + 1], this.#rows[i + 2]));
  }

  /**
   * Writes the weight w for each λ; returns the next offset. With `observed`
   * ({@link observedShares}), w is extrapolated (see {@link observedWeight}).
   */
  writeWeights(slot: number, out: Float32Array, offset: number, observed?: Float64Array): number {
    let o = offset;
    let i = slot * this.#rowSize + 1;
    for (let l = 0; l < this.#lambdas.length; l++, i += this.#stride) {
      const w = this.#rows[i];
      out[o++] = observed === undefined ? w : observedWeight(w, observed[l]);
    }
    return o;
  }

  /** Copies the rows of `slots` (in that order) into a serializable object. */
  snapshot(slots: ArrayLike<number>): DampedStatsState {
    const size = this.#rowSize;
    const rows = new Float64Array(slots.length * size);
    for (let k = 0; k < slots.length; k++) {
      rows.set(this.#rows.subarray(slots[k] * size, (slots[k] + 1) * size), k * size);
    }
    return { lambdas: [...this.#lambdas], streams: this.streams, interArrival: this.interArrival, rows };
  }

  /** Builds an instance of `capacity` slots whose slot i holds row i of `state`. */
  static restore(state: DampedStatsState, capacity: number): DampedStats {
    const stats = new DampedStats(state.lambdas, capacity, state.streams, state.interArrival);
    if (state.rows.length % stats.#rowSize !== 0 || state.rows.length > stats.#rows.length) {
      throw new RangeError(`DampedStats state: ${state.rows.length} values do not fit ${capacity} rows`);
    }
    stats.#rows.set(state.rows);
    return stats;
  }

  #base(slot: number, l: number): number {
    return slot * this.#rowSize + 1 + l * this.#stride;
  }
}
