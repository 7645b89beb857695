import type { DetectorConfig } from '../config/schema.js';
import { ModelError } from '../core/errors.js';
import { harmonicMeanP } from './combine-p-values.js';
import { type PairEvidence, PairPersistence } from './pair-persistence.js';
import { type SpotSnapshot, SpotThreshold, STREAM_CALIBRATION_SCORES } from './spot-threshold.js';

/** Raw scores of the ensemble's scorers for the same rows. */
export interface MemberScores {
  autoencoder: Float32Array;
  baseline: Float32Array;
  forecast: Float32Array;
}

/** What the ensemble says about a batch of rows; arrays are indexed like the rows. */
export interface EnsembleScores {
  /** Per member: name, averaging weight and calibrated p-value per row (persistence last). */
  members: { detector: string; weight: number; pValues: Float64Array }[];
  /** Combined p-value and `-log10` of it. */
  pValues: Float64Array;
  scores: Float64Array;
  /** Threshold on `scores` the batch was judged against. */
  threshold: number;
}

/** Serializable state of a {@link SegmentEnsemble}. */
export interface SegmentEnsembleSnapshot {
  autoencoder: SpotSnapshot;
  baseline: SpotSnapshot;
  forecast: SpotSnapshot;
  combined: SpotSnapshot;
  pairs: PairEvidence[];
  /** Pairs seen during the warm-up (with `persistence.newPairsOnly`); absent in older snapshots. */
  knownPairs?: string[];
  /**
   * The non-neural member's neighbours (scaled warm-up rows, row-major), written by the segment detector
   * that owns the member; absent in older snapshots.
   */
  baselineReference?: number[];
}

const MEMBERS = ['autoencoder', 'baseline', 'forecast'] as const;
/**
 * Volume ticks the forecaster's calibration scores must span. A flow's forecast score depends on where in its
 * tick it falls (the count so far against the tick's forecast), so the scores of a few thousand flows inside one
 * tick, a busy segment's whole warm-up, are no sample of the benign range: the threshold calibrated on them
 * flagged steady traffic. Stream calibration takes at most as many scores per tick as spreads its sample over
 * this many ticks (64 per tick).
 */
const FORECAST_CALIBRATION_TICKS = 16;
const FORECAST_SAMPLES_PER_TICK = STREAM_CALIBRATION_SCORES / FORECAST_CALIBRATION_TICKS;
/** A batch with more alerts than this many, and more than 10·q of its rows, is kept out of SPOT updates. */
const QUARANTINE_MIN_ALERTS = 3;
const QUARANTINE_RATE = 10;

/**
 * One segment's model averaging: each scorer's raw scores become p-values through its own SPOT tail
 * ({@link SpotThreshold}), the members' p-values are combined by a weighted harmonic mean
 * ({@link harmonicMeanP}), a per-pair CUSUM ({@link PairPersistence}) adds low-and-slow evidence as one more
 * member, and a last SPOT on the combined score `-log10 p` sets the alert threshold for the target rate q:
 * the harmonic mean of dependent p-values is not exactly uniform, and this final calibration absorbs that.
 */
export class SegmentEnsemble {
  readonly #config: DetectorConfig;
  readonly #weights: number[];
  readonly #memberWeights: number[];
  #spots: Record<(typeof MEMBERS)[number] | 'combined', SpotThreshold>;
  #persistence: PairPersistence;
  /** Pairs the warm-up held: with `persistence.newPairsOnly` they add no persistence evidence. */
  #knownPairs = new Set<string>();
  /** The forecaster's tick, and the event time of the last score sampled for its stream calibration. */
  readonly #tickMs: number;
  #forecastSampledAtMs = Number.NEGATIVE_INFINITY;

  constructor(config: DetectorConfig) {
    this.#config = config;
    const { autoencoder, baseline, forecast, persistence } = config.ensemble;
    this.#memberWeights = [autoencoder, baseline, forecast];
    this.#weights = [...this.#memberWeights, persistence];
    this.#spots = this.#newSpots();
    this.#persistence = this.#newPersistence();
    this.#tickMs = config.forecast.tickSeconds * 1000;
  }

  /**
   * Alert threshold on the combined score, never below `-log10(q)`: the members' p-values are calibrated
   * already, so a combined p above q is no evidence; the final SPOT only raises the bar where the harmonic
   * mean of dependent p-values runs anti-conservative or the benign tail has grown since calibration.
   * +∞ until calibrated.
   */
  get threshold(): number {
    return Math.max(this.#spots.combined.threshold, -Math.log10(this.#config.falseAlertRate));
  }

  /** Raw autoencoder error at which its own p-value reaches q (for metrics and logs). */
  get errorThreshold(): number {
    return this.#spots.autoencoder.threshold;
  }

  /**
   * Calibrates every SPOT: the row scorers on held-out calibration rows, the forecaster on all warm-up flows
   * (its one-step-ahead scores are out of sample by construction) when they span
   * {@link FORECAST_CALIBRATION_TICKS} ticks, from the stream otherwise, then the combined score on the
   * calibration rows as the stream would produce it.
   */
  calibrate(
    calibration: MemberScores,
    forecastWarmup: { scores: Float32Array; timesMs: Float64Array },
    keys: readonly string[],
    timesMs: Float64Array,
    warmupKeys: readonly string[] = [],
  ): void {
    this.#knownPairs = this.#config.persistence.newPairsOnly ? new Set(warmupKeys) : new Set();
    const spots = this.#newSpots();
    spots.autoencoder.fit(calibration.autoencoder);
    spots.baseline.fit(calibration.baseline);
    const spanMs = finiteSpanMs(forecastWarmup.scores, forecastWarmup.timesMs);
    if (spanMs >= FORECAST_CALIBRATION_TICKS * this.#tickMs) {
      try {
        spots.forecast.fit(forecastWarmup.scores);
      } catch (err) {
        if (!(err instanceof ModelError)) throw err;
      }
    }
    // A warm-up shorter than that, or one whose scores tie: the forecaster calibrates from the stream
    // (p = 1 until then), starting with the warm-up's own scores.
    this.#forecastSampledAtMs = Number.NEGATIVE_INFINITY;
    if (!spots.forecast.ready)
      this.#sampleForecast(spots.forecast, forecastWarmup.scores, forecastWarmup.timesMs);
    this.#spots = { ...spots, combined: this.#spots.combined };
    // A throwaway accumulator: calibration rows are a quarter of the flows, so their pair sums are not the
    // live ones, but they give the combined score's calibration the same shape as the stream's.
    const live = this.#persistence;
    this.#persistence = this.#newPersistence();
    const { scores } = this.#combine(calibration, keys, timesMs);
    this.#persistence = live;
    spots.combined.fit(scores);
    this.#spots.combined = spots.combined;
  }

  /** Recalibrates the row scorers alone, after the autoencoder and scaler were re-adapted. */
  recalibrateRows(calibration: Pick<MemberScores, 'autoencoder' | 'baseline'>): void {
    const spots = this.#newSpots();
    spots.autoencoder.fit(calibration.autoencoder);
    spots.baseline.fit(calibration.baseline);
    this.#spots = { ...this.#spots, autoencoder: spots.autoencoder, baseline: spots.baseline };
  }

  /** Scores a batch, then feeds every SPOT the batch (streaming update) for the next one. */
  score(raw: MemberScores, keys: readonly string[], timesMs: Float64Array): EnsembleScores {
    const threshold = this.threshold;
    const result = this.#combine(raw, keys, timesMs);
    let alerts = 0;
    for (const x of result.scores) if (x >= threshold) alerts++;
    // SPOT updates on normal data (Siffer et al. §4). A batch alerting far above the rate q is a burst or an
    // attack in progress: its flows just under the thresholds are attack flows too, and would lift the
    // thresholds over the rest of the attack. Such a batch is quarantined from every streaming update.
    const expected = QUARANTINE_RATE * this.#config.falseAlertRate * result.scores.length;
    if (alerts > Math.max(QUARANTINE_MIN_ALERTS, expected)) {
      return { ...result, threshold };
    }
    this.#spots.autoencoder.observeAll(raw.autoencoder);
    this.#spots.baseline.observeAll(raw.baseline);
    const forecast = this.#spots.forecast;
    if (forecast.ready) forecast.observeAll(raw.forecast);
    else this.#sampleForecast(forecast, raw.forecast, timesMs);
    this.#spots.combined.observeAll(result.scores);
    return { ...result, threshold };
  }

  snapshot(): SegmentEnsembleSnapshot {
    const { autoencoder, baseline, forecast, combined } = this.#spots;
    return {
      autoencoder: autoencoder.snapshot(),
      baseline: baseline.snapshot(),
      forecast: forecast.snapshot(),
      combined: combined.snapshot(),
      pairs: this.#persistence.snapshot(),
      knownPairs: [...this.#knownPairs],
    };
  }

  /** Replaces the state; throws {@link ModelError} (leaving the state as it was) when a part is invalid. */
  restore(snapshot: SegmentEnsembleSnapshot): void {
    if (!snapshot || !Array.isArray(snapshot.pairs)) throw new ModelError('ensemble snapshot: missing parts');
    const spots = this.#newSpots();
    for (const k of [...MEMBERS, 'combined'] as const) spots[k].restore(snapshot[k]);
    const persistence = this.#newPersistence();
    persistence.restore(snapshot.pairs);
    [this.#spots, this.#persistence] = [spots, persistence];
    this.#knownPairs = new Set(this.#config.persistence.newPairsOnly ? (snapshot.knownPairs ?? []) : []);
  }

  #combine(
    raw: MemberScores,
    keys: readonly string[],
    timesMs: Float64Array,
  ): Omit<EnsembleScores, 'threshold'> {
    const n = raw.autoencoder.length;
    const memberP: Float64Array[] = [];
    for (const m of MEMBERS) {
      const spot = this.#spots[m];
      const scores = raw[m];
      const p = new Float64Array(n);
      spot.pValues(scores, p);
      memberP.push(p);
    }
    const persistenceP = new Float64Array(n);
    const pValues = new Float64Array(n);
    const scores = new Float64Array(n);
    const all = [...memberP, persistenceP];
    for (let i = 0; i < n; i++) {
      const members = -Math.log10(harmonicMeanP(memberP, this.#memberWeights, i));
      const key = keys[i]!;
      persistenceP[i] = this.#knownPairs.has(key)
        ? 1
        : this.#persistence.pValue(this.#persistence.update(key, members, timesMs[i]!));
      pValues[i] = harmonicMeanP(all, this.#weights, i);
      scores[i] = -Math.log10(pValues[i]!);
    }
    const names = [...MEMBERS, 'persistence'];
    return {
      members: all.map((p, k) => ({ detector: names[k]!, weight: this.#weights[k]!, pValues: p })),
      pValues,
      scores,
    };
  }

  /** Hands the uncalibrated forecast SPOT at most {@link FORECAST_SAMPLES_PER_TICK} finite scores per tick. */
  #sampleForecast(spot: SpotThreshold, scores: Float32Array, timesMs: Float64Array): void {
    const everyMs = this.#tickMs / FORECAST_SAMPLES_PER_TICK;
    const sample: number[] = [];
    for (let i = 0; i < scores.length; i++) {
      const t = timesMs[i]!;
      if (!Number.isFinite(scores[i]!) || t < this.#forecastSampledAtMs + everyMs) continue;
      this.#forecastSampledAtMs = t;
      sample.push(scores[i]!);
    }
    spot.observeAll(sample);
  }

  #newSpots(): Record<(typeof MEMBERS)[number] | 'combined', SpotThreshold> {
    const { falseAlertRate, threshold } = this.#config;
    const make = () =>
      new SpotThreshold({
        falseAlertRate,
        initialQuantile: threshold.initialQuantile,
        depth: threshold.driftDepth,
        maxPeaks: threshold.maxPeaks,
      });
    return { autoencoder: make(), baseline: make(), forecast: make(), combined: make() };
  }

  #newPersistence(): PairPersistence {
    return new PairPersistence({ ...this.#config.persistence, falseAlertRate: this.#config.falseAlertRate });
  }
}

/** Event time between the first and the last of `times` whose score is finite; 0 when fewer than two are. */
function finiteSpanMs(scores: Float32Array, timesMs: Float64Array): number {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i]!)) continue;
    first = Math.min(first, timesMs[i]!);
    last = Math.max(last, timesMs[i]!);
  }
  return last > first ? last - first : 0;
}
