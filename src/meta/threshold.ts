import { ModelError } from '../core/errors.js';

/**
 * A per-segment calibrator for one scorer: it turns raw scores (higher = more anomalous) into p-values and
 * holds the alert threshold for a target false-alert rate q. The empirical calibrator below serves the first
 * slice; streaming extreme value theory (SPOT/DSPOT) is meant to implement the same interface, with
 * {@link Threshold.observe} feeding its peaks-over-threshold updates.
 */
export interface Threshold {
  /** Target false-alert rate q. */
  readonly falseAlertRate: number;
  /** Raw score at which the p-value reaches q: scores at or above it are alerts. */
  readonly threshold: number;
  /** Calibrates on scores of benign rows that the scorer did not train on. */
  fit(warmupScores: ArrayLike<number>): void;
  /** Probability that a benign row scores at least `score`; small means anomalous. */
  pValue(score: number): number;
  /** Tells the calibrator about a scored row (a streaming calibrator may update itself). */
  observe(score: number): void;
}

/** Serializable state of an {@link EmpiricalThreshold}. */
export interface EmpiricalThresholdSnapshot {
  kind: 'empirical';
  falseAlertRate: number;
  /** Ascending raw scores of the distribution's body (at most `maxPoints`). */
  scores: number[];
  /** P-value at each of `scores`, descending. */
  pValues: number[];
  /** Where the exponential tail starts, its p-value there, and its scale (mean excess). */
  tailStart: number;
  tailPValue: number;
  tailScale: number;
  observed: number;
  exceedances: number;
}

/** Fewest calibration scores accepted: below this the tail fit is noise. */
const MIN_SCORES = 20;

/**
 * Empirical calibration on held-out warm-up scores. Within the body of the sample the p-value is the
 * conformal `(k + 1) / (n + 1)` (k = calibration scores above the score), interpolated linearly between
 * order statistics so it is continuous. Above the top ~10 % of the sample it follows an exponential tail
 * fitted to the excesses over that point (peaks over threshold with GPD shape 0): p-values keep falling past
 * the largest warm-up score, so flows rarer than 1/n still order and thresholds for q < 1/n exist.
 * Reconstruction errors of benign rows are sums of squares, whose tails are close to exponential.
 */
export class EmpiricalThreshold implements Threshold {
  readonly falseAlertRate: number;
  readonly #maxPoints: number;
  #state: EmpiricalThresholdSnapshot;
  #threshold = Number.POSITIVE_INFINITY;

  /** @param maxPoints body points kept after fitting (default 512), so state stays bounded. */
  constructor(falseAlertRate: number, maxPoints = 512) {
    this.falseAlertRate = falseAlertRate;
    this.#maxPoints = Math.max(2, maxPoints);
    this.#state = emptyState(falseAlertRate);
  }

  get threshold(): number {
    return this.#threshold;
  }

  /** Share of observed scores at or above the threshold since fitting. */
  get realizedRate(): number {
    return this.#state.observed === 0 ? 0 : this.#state.exceedances / this.#state.observed;
  }

  fit(warmupScores: ArrayLike<number>): void {
    const sorted = Float64Array.from(warmupScores).filter(Number.isFinite).sort();
    const n = sorted.length;
    if (n < MIN_SCORES)
      throw new ModelError(`threshold: need at least ${MIN_SCORES} finite scores, got ${n}`);
    const tailCount = Math.max(10, Math.ceil(n / 10));
    const tailIndex = n - tailCount - 1;
    const tailStart = sorted[tailIndex]!;
    let excess = 0;
    for (let i = tailIndex + 1; i < n; i++) excess += sorted[i]! - tailStart;
    // A floor keeps the tail strictly decreasing when the top scores coincide.
    const tailScale = Math.max(excess / tailCount, 1e-9 * Math.max(1, Math.abs(tailStart)));
    const keep = Math.min(this.#maxPoints, tailIndex + 1);
    const scores: number[] = [];
    const pValues: number[] = [];
    for (let k = 0; k < keep; k++) {
      const i = keep === 1 ? tailIndex : Math.round((k * tailIndex) / (keep - 1));
      scores.push(sorted[i]!);
      pValues.push((n - i) / (n + 1));
    }
    this.#state = {
      kind: 'empirical',
      falseAlertRate: this.falseAlertRate,
      scores,
      pValues,
      tailStart,
      tailPValue: (n - tailIndex) / (n + 1),
      tailScale,
      observed: 0,
      exceedances: 0,
    };
    this.#threshold = this.#quantile(this.falseAlertRate);
  }

  pValue(score: number): number {
    const { scores, pValues, tailStart, tailPValue, tailScale } = this.#state;
    if (scores.length === 0 || Number.isNaN(score)) return 1;
    if (score > tailStart) return tailPValue * Math.exp(-(score - tailStart) / tailScale);
    if (score < scores[0]!) return 1;
    let lo = 0;
    let hi = scores.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (scores[mid]! <= score) lo = mid;
      else hi = mid;
    }
    const span = scores[hi]! - scores[lo]!;
    const t = span > 0 ? (score - scores[lo]!) / span : 1;
    return pValues[lo]! + (pValues[hi]! - pValues[lo]!) * Math.min(1, Math.max(0, t));
  }

  observe(score: number): void {
    this.#state.observed++;
    if (score >= this.#threshold) this.#state.exceedances++;
  }

  snapshot(): EmpiricalThresholdSnapshot {
    return { ...this.#state, scores: [...this.#state.scores], pValues: [...this.#state.pValues] };
  }

  restore(snapshot: EmpiricalThresholdSnapshot): void {
    const ok =
      snapshot.kind === 'empirical' &&
      snapshot.scores.length > 0 &&
      snapshot.scores.length === snapshot.pValues.length &&
      snapshot.tailScale > 0;
    if (!ok)
      throw new ModelError('threshold snapshot: expected an empirical calibration with matching arrays');
    // The configured q wins over the checkpointed one: an operator may have changed it since.
    const { scores, pValues } = snapshot;
    this.#state = {
      ...snapshot,
      falseAlertRate: this.falseAlertRate,
      scores: [...scores],
      pValues: [...pValues],
    };
    this.#threshold = this.#quantile(this.falseAlertRate);
  }

  /** Inverse of {@link pValue}: the raw score whose p-value is `q`. */
  #quantile(q: number): number {
    const { scores, pValues, tailStart, tailPValue, tailScale } = this.#state;
    if (q < tailPValue) return tailStart + tailScale * Math.log(tailPValue / q);
    const i = pValues.findIndex((p) => p <= q);
    if (i <= 0) return scores[Math.max(0, i)]!;
    const t = (pValues[i - 1]! - q) / (pValues[i - 1]! - pValues[i]!);
    return scores[i - 1]! + t * (scores[i]! - scores[i - 1]!);
  }
}

function emptyState(falseAlertRate: number): EmpiricalThresholdSnapshot {
  return {
    kind: 'empirical',
    falseAlertRate,
    scores: [],
    pValues: [],
    tailStart: Number.POSITIVE_INFINITY,
    tailPValue: 1,
    tailScale: 1,
    observed: 0,
    exceedances: 0,
  };
}
