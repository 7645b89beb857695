import { ModelError } from '../core/errors.js';
import { fitGpd, type GpdParams, gpdExcessQuantile, gpdSurvival } from './gpd-fit.js';
import type { Threshold } from './threshold.js';

/** Options of a {@link SpotThreshold}. */
export interface SpotOptions {
  /** Target false-alert rate q. */
  falseAlertRate: number;
  /** Quantile of the calibration scores that sets the initial threshold t (default 0.98, as in the paper). */
  initialQuantile?: number;
  /** DSPOT drift window depth d: scores are taken relative to the mean of the last d normal ones; 0 = SPOT. */
  depth?: number;
  /** Peaks kept for the GPD fit, oldest dropped first (default 500); counts stay exact. */
  maxPeaks?: number;
}

/** Serializable state of a {@link SpotThreshold}. */
export interface SpotSnapshot {
  kind: 'spot';
  initialThreshold: number;
  /** Ascending calibration scores below t (drift-corrected), subsampled: the body of the distribution. */
  body: number[];
  /** Excesses over t, oldest first. */
  peaks: number[];
  peakCount: number;
  observed: number;
  depth: number;
  /** DSPOT window of recent normal raw scores, oldest first. */
  window: number[];
  /** Scores gathered from the stream while uncalibrated (see `observeAll`). */
  pending: number[];
  /** Token buckets of the streaming budgets (see `observeAll`). */
  alertTokens: number;
  peakTokens: number;
  /** N_t/n right after calibration: the reference of the streaming peak budget. */
  calibrationPeakRate: number;
  /** The GPD fit in use and the peak count it was made at. */
  gamma: number;
  sigma: number;
  peaksAtFit: number;
}

/** Fewest calibration scores accepted. */
const MIN_SCORES = 20;
/** Fewest peaks over t: t moves down to the score that leaves this many above it. */
const MIN_PEAKS = 16;
const BODY_POINTS = 256;
/** Stream scores an uncalibrated threshold gathers before it calibrates on them. */
export const STREAM_CALIBRATION_SCORES = 1024;
/**
 * Streaming budgets as multiples of the expected rates: alerts counted as tail mass up to 3q, peaks up to
 * 3× the calibrated peak rate. Above 1 so that a threshold calibrated too low on a small sample can still
 * climb (with a budget of exactly q the excess alerts are dropped and the low threshold sustains itself);
 * small enough that an attack, far above either rate, moves the threshold little.
 */
const BUDGET = 3;
/** Peaks may arrive at most 1.5× as often as in calibration: a long scan just under z_q lifts it little. */
const PEAK_BUDGET = 1.5;
/** Largest bursts the budgets allow: a few alerts, and as many peaks as the fewest a calibration keeps. */
const ALERT_BURST = 2;
const PEAK_BURST = MIN_PEAKS / 2;
/** The smallest p-value reported, so `-log10(p)` stays finite. */
const MIN_P_VALUE = 1e-300;

/**
 * Streaming Peaks-Over-Threshold (SPOT) and its drifting variant DSPOT (Siffer, Fouque, Termier, Largouët,
 * "Anomaly Detection in Streams with Extreme Value Theory", KDD 2017). Calibration sets t at a high quantile
 * and fits a GPD to the excesses over t by maximum likelihood (Grimshaw's trick, {@link fitGpd}); the alert
 * threshold is eq. (4): z_q = t + σ/γ·((q·n/N_t)^(−γ) − 1), or t − σ·ln(q·n/N_t) as γ → 0. Each observed
 * score that does not alert and exceeds t becomes a peak and the fit is refreshed (Alg. 1), so z_q follows
 * the stream. DSPOT (Alg. 2) applies the same to X_i − M_i, M_i the mean of the last d normal scores.
 *
 * P-values follow the fitted tail above t, (N_t/n)·S_GPD(x − t), and the calibration sample's empirical
 * distribution below it, so every scorer's p-values share one scale and can be averaged.
 */
export class SpotThreshold implements Threshold {
  readonly falseAlertRate: number;
  readonly #initialQuantile: number;
  readonly #maxPeaks: number;
  #state: SpotSnapshot;
  #windowSum = 0;

  constructor(options: SpotOptions) {
    this.falseAlertRate = options.falseAlertRate;
    this.#initialQuantile = options.initialQuantile ?? 0.98;
    this.#maxPeaks = Math.max(MIN_PEAKS, options.maxPeaks ?? 500);
    const depth = Math.max(0, Math.floor(options.depth ?? 0));
    this.#state = {
      ...emptyFit(),
      kind: 'spot',
      initialThreshold: 0,
      pending: [],
      body: [],
      peaks: [],
      peakCount: 0,
      observed: 0,
      depth,
      window: [],
    };
  }

  /** True once calibrated: until then every p-value is 1 and nothing alerts. */
  get ready(): boolean {
    return this.#state.observed > 0;
  }

  /** Raw score at which the p-value reaches q (the drift level included for DSPOT). */
  get threshold(): number {
    return this.#zq() + this.driftLevel;
  }

  /** DSPOT's local mean M of the last d normal scores; 0 for SPOT. */
  get driftLevel(): number {
    const { window } = this.#state;
    return window.length === 0 ? 0 : this.#windowSum / window.length;
  }

  /** The current tail fit. */
  get tail(): Readonly<GpdParams> & { threshold: number; peakRate: number } {
    this.#refresh();
    const { initialThreshold, peakCount, observed } = this.#state;
    const { gamma, sigma } = this.#state;
    return { gamma, sigma, threshold: initialThreshold, peakRate: peakCount / Math.max(1, observed) };
  }

  /** Calibrates on benign scores the scorer did not train on, in time order (DSPOT's window needs it). */
  fit(warmupScores: ArrayLike<number>): void {
    const depth = this.#state.depth;
    const window: number[] = [];
    let sum = 0;
    const relative: number[] = [];
    for (let i = 0; i < warmupScores.length; i++) {
      const x = warmupScores[i]!;
      if (!Number.isFinite(x)) continue;
      if (depth > 0) {
        if (window.length === depth) relative.push(x - sum / depth);
        window.push(x);
        sum += x;
        if (window.length > depth) sum -= window.shift()!;
      } else relative.push(x);
    }
    const n = relative.length;
    if (n < MIN_SCORES)
      throw new ModelError(`threshold: need at least ${MIN_SCORES} finite scores, got ${n}`);
    const sorted = Float64Array.from(relative).sort();
    // At least MIN_PEAKS peaks: with 256 calibration scores the paper's 98 % quantile would leave 5.
    const tIndex = Math.min(Math.floor(this.#initialQuantile * (n - 1)), n - MIN_PEAKS - 1);
    const t = sorted[Math.max(0, tIndex)]!;
    const peaks = relative.filter((x) => x > t).map((x) => x - t);
    // Ties at t (e.g. a forecaster's zeros before it has seen enough ticks) can leave too few peaks to fit.
    if (peaks.length < MIN_PEAKS / 2) {
      throw new ModelError(
        `threshold: only ${peaks.length} of ${n} calibration scores lie above the initial threshold`,
      );
    }
    const bodyEnd = sorted.findIndex((x) => x > t);
    const bodyCount = bodyEnd < 0 ? n : bodyEnd;
    const keep = Math.min(BODY_POINTS, bodyCount);
    const body = Array.from(
      { length: keep },
      (_, k) => sorted[keep === 1 ? 0 : Math.round((k * (bodyCount - 1)) / (keep - 1))]!,
    );
    this.#state = {
      ...emptyFit(),
      kind: 'spot',
      initialThreshold: t,
      body,
      peaks,
      peakCount: peaks.length,
      observed: n,
      depth,
      window,
      pending: [],
      calibrationPeakRate: peaks.length / n,
    };
    this.#windowSum = sum;
    this.#trimPeaks();
  }

  pValue(score: number): number {
    const out = new Float64Array(1);
    this.pValues([score], out);
    return out[0]!;
  }

  /** {@link pValue} of each of `scores`, into `out`: the fit is refreshed once for the whole batch. */
  pValues(scores: ArrayLike<number>, out: Float64Array): void {
    const n = scores.length;
    if (!this.ready) {
      out.fill(1, 0, n);
      return;
    }
    this.#refresh();
    const drift = this.driftLevel;
    const state = this.#state;
    const { initialThreshold: t, body, peakCount, observed } = state;
    const tailRate = peakCount / observed;
    const lowest = body.length === 0 ? Number.POSITIVE_INFINITY : body[0]!;
    for (let i = 0; i < n; i++) {
      const x = scores[i]! - drift;
      if (Number.isNaN(x)) out[i] = 1;
      else if (x > t) out[i] = Math.max(MIN_P_VALUE, tailRate * gpdSurvival(x - t, state));
      else if (x < lowest) out[i] = 1;
      else out[i] = tailRate + (1 - tailRate) * (1 - rank(body, x));
    }
  }

  /** Feeds one scored value; see {@link observeAll}. */
  observe(score: number): void {
    if (this.ready) this.#observeOne(score, this.#zq());
  }

  /**
   * Alg. 1/2 of the paper for a batch: a non-alert score above t becomes a peak, every non-alert score counts
   * in n. The batch is judged against the threshold it was scored with, and the fit is refreshed only after
   * it: refitting inside a burst let a scan's flows just below z_q raise z_q flow by flow.
   *
   * Two budgets bound what the stream may change. The paper drops alerts altogether, which truncates the
   * peak sample at z_q: on benign data the refitted tail thins, z_q falls and more of the tail is cut off
   * (a feedback that ended near 3q in tests). Alerts up to a rate of 3q are therefore kept as censored peaks, imputed
   * at their conditional median under the current fit (not at their value, so an attacker cannot fatten the
   * tail). And peaks beyond three times the calibrated peak rate are dropped like alerts beyond their budget:
   * a burst of attack flows just under z_q cannot lift the threshold over itself.
   */
  observeAll(scores: ArrayLike<number>): void {
    if (!this.ready) {
      this.#calibrateFromStream(scores);
      return;
    }
    const zq = this.#zq();
    for (let i = 0; i < scores.length; i++) this.#observeOne(scores[i]!, zq);
  }

  snapshot(): SpotSnapshot {
    return copyState(this.#state);
  }

  /** Replaces the state; the configured q wins over a checkpointed one (an operator may have changed it). */
  restore(snapshot: SpotSnapshot): void {
    const ok =
      snapshot.kind === 'spot' &&
      Number.isFinite(snapshot.initialThreshold) &&
      snapshot.observed >= snapshot.peakCount &&
      snapshot.peakCount >= snapshot.peaks.length &&
      snapshot.observed >= 0 &&
      Array.isArray(snapshot.pending);
    if (!ok) throw new ModelError('threshold snapshot: expected a calibrated SPOT state');
    this.#state = copyState(snapshot);
    this.#windowSum = this.#state.window.reduce((a, b) => a + b, 0);
  }

  #observeOne(score: number, zq: number): void {
    if (!Number.isFinite(score)) return;
    const state = this.#state;
    const x = score - this.driftLevel;
    const t = state.initialThreshold;
    if (x < zq && state.depth > 0) {
      // DSPOT's local mean follows every normal score, whatever the budgets below decide.
      state.window.push(score);
      this.#windowSum += score;
      if (state.window.length > state.depth) this.#windowSum -= state.window.shift()!;
    }
    if (x >= zq) {
      if (state.alertTokens < 1) return;
      state.alertTokens--;
      this.#addPeak(zq - t + conditionalMedianExcess(zq - t, state));
    } else if (x > t) {
      if (state.peakTokens < 1) return;
      state.peakTokens--;
      this.#addPeak(x - t);
    }
    state.observed++;
    // Token buckets: refilled at BUDGET times the expected rates per counted score, capped so that slack
    // saved up over a long benign stretch cannot be spent by one burst.
    state.alertTokens = Math.min(ALERT_BURST, state.alertTokens + BUDGET * this.falseAlertRate);
    state.peakTokens = Math.min(PEAK_BURST, state.peakTokens + PEAK_BUDGET * state.calibrationPeakRate);
  }

  /**
   * Uncalibrated (calibration had too few distinct scores, e.g. a forecaster that had not seen enough ticks
   * yet): gathers stream scores and calibrates on them once there are {@link STREAM_CALIBRATION_SCORES}.
   * Until then p-values stay 1, so the scorer adds no evidence instead of wrong evidence.
   */
  #calibrateFromStream(scores: ArrayLike<number>): void {
    const pending = this.#state.pending;
    for (let i = 0; i < scores.length; i++) if (Number.isFinite(scores[i]!)) pending.push(scores[i]!);
    if (pending.length < STREAM_CALIBRATION_SCORES) return;
    try {
      this.fit(pending);
    } catch (err) {
      if (!(err instanceof ModelError)) throw err;
      // Still too many ties: keep the newest half and try again when the buffer has refilled.
      this.#state.pending = pending.slice(-STREAM_CALIBRATION_SCORES / 2);
    }
  }

  #addPeak(excess: number): void {
    const state = this.#state;
    state.peaks.push(excess);
    state.peakCount++;
    if (state.peaks.length > this.#maxPeaks) state.peaks.shift();
  }

  #trimPeaks(): void {
    const { peaks } = this.#state;
    if (peaks.length > this.#maxPeaks) peaks.splice(0, peaks.length - this.#maxPeaks);
  }

  /**
   * Refits the GPD once enough new peaks have arrived: a fit costs O(peaks) per root-finding step, so it
   * runs when the peak sample has grown by 5 % (at least 4 peaks), at most about once per scored batch.
   */
  #refresh(): void {
    const state = this.#state;
    const { peaks, peakCount, observed, peaksAtFit } = state;
    if (peaksAtFit >= 0 && peakCount - peaksAtFit < Math.max(4, 0.05 * peaks.length)) return;
    if (observed === 0) return;
    // Only γ ≥ 0: a bounded tail (γ < 0) gives p = 0 to every score past its fitted endpoint, and one
    // member's hard zero would decide the ensemble's harmonic mean alone. For light tails the exponential
    // fit is conservative (the realized rate falls below q), never the other way.
    const { gamma, sigma } = fitGpd(peaks, { nonNegativeShape: true });
    [state.gamma, state.sigma, state.peaksAtFit] = [gamma, sigma, peakCount];
  }

  /** Eq. (4) with the current counts n and N_t and the last GPD fit; +∞ until calibrated. */
  #zq(): number {
    this.#refresh();
    const { peakCount, observed, initialThreshold } = this.#state;
    if (observed === 0) return Number.POSITIVE_INFINITY;
    const ratio = (this.falseAlertRate * observed) / Math.max(1, peakCount);
    // q·n/N_t ≥ 1 means q is not rarer than a peak: the threshold then lies in the body.
    return ratio >= 1 ? this.#bodyQuantile() : initialThreshold + gpdExcessQuantile(ratio, this.#state);
  }

  /** Body score whose p-value is q, for a q above the peak rate. */
  #bodyQuantile(): number {
    const { body, peakCount, observed, initialThreshold } = this.#state;
    const tailRate = peakCount / observed;
    const within = 1 - (this.falseAlertRate - tailRate) / (1 - tailRate);
    if (body.length === 0) return initialThreshold;
    return body[Math.min(body.length - 1, Math.max(0, Math.round(within * (body.length - 1))))]!;
  }
}

function emptyFit(): Pick<
  SpotSnapshot,
  'alertTokens' | 'peakTokens' | 'calibrationPeakRate' | 'gamma' | 'sigma' | 'peaksAtFit'
> {
  return {
    alertTokens: ALERT_BURST,
    peakTokens: PEAK_BURST,
    calibrationPeakRate: 0,
    gamma: 0,
    sigma: 1,
    peaksAtFit: -1,
  };
}

/** Median excess beyond `y0` of a GPD excess given it exceeds `y0` (itself a GPD with σ + γ·y0). */
function conditionalMedianExcess(y0: number, { gamma, sigma }: GpdParams): number {
  return gpdExcessQuantile(0.5, { gamma, sigma: sigma + gamma * y0 });
}

function copyState(s: SpotSnapshot): SpotSnapshot {
  return { ...s, body: [...s.body], peaks: [...s.peaks], window: [...s.window], pending: [...s.pending] };
}

/** Position of `x` in the ascending `sorted`, interpolated to [0, 1]. */
function rank(sorted: readonly number[], x: number): number {
  const m = sorted.length;
  if (m === 1 || x >= sorted[m - 1]!) return 1;
  let lo = 0;
  let hi = m - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const span = sorted[hi]! - sorted[lo]!;
  const frac = span > 0 ? (x - sorted[lo]!) / span : 1;
  return (lo + frac) / (m - 1);
}
