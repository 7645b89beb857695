import type { DetectorConfig } from '../config/schema.js';
import type { FeatureContribution, ModelState } from '../core/detection.js';
import { ModelError } from '../core/errors.js';
import { Autoencoder, type AutoencoderWeights } from './autoencoder.js';
import { RobustScaler, type ScalerSnapshot } from './scaler.js';
import { EmpiricalThreshold, type EmpiricalThresholdSnapshot } from './threshold.js';
import { explainRows } from './top-features.js';

/** What a {@link SegmentDetector} is built from. */
export interface SegmentDetectorOptions {
  segment: string;
  featureNames: readonly string[];
  config: DetectorConfig;
  /** Start the autoencoder from these weights (e.g. a meta-learned initialization) instead of a random draw. */
  initialWeights?: AutoencoderWeights;
}

/** What scoring one segment's rows yields; arrays are indexed like the input rows. */
export interface SegmentScores {
  state: ModelState;
  /** Combined p-value per row (1 while learning). */
  pValues: Float64Array;
  /** `-log10` of the combined p-value per row. */
  scores: Float64Array;
  /** Threshold on `scores`: `-log10(q)`. */
  threshold: number;
  /** Per detector: its name, averaging weight and p-value per row. */
  detectors: { detector: string; weight: number; pValues: Float64Array }[];
  /** Explanations for the rows at or above the threshold, by row index. */
  explanations: Map<number, FeatureContribution[]>;
}

/** Summary of a completed warm-up, for the log. */
export interface TrainingReport {
  trainRows: number;
  calibrationRows: number;
  epochLosses: number[];
  durationMs: number;
  /** Raw reconstruction-error threshold. */
  errorThreshold: number;
}

/** A segment's whole state as plain JSON-serializable data (for the state topic). */
export interface SegmentSnapshot {
  version: 1;
  segment: string;
  featureNames: string[];
  state: 'learning' | 'ready';
  adaptations: number;
  /** Warm-up rows buffered so far (row-major), while learning. */
  warmup?: number[];
  scaler?: ScalerSnapshot;
  weights?: { inputDim: number; hiddenUnits: number[]; tensors: number[][] };
  threshold?: EmpiricalThresholdSnapshot;
}

/** Warm-up rows held out from training to calibrate the threshold: every 4th, spread evenly over time. */
const CALIBRATION_STRIDE = 4;
/** `-log10` of this is the largest score, so a p-value that underflows to 0 still yields a finite score. */
const MIN_P_VALUE = 1e-300;

/**
 * One segment's detector: buffers the first `warmupFlows` rows ('learning'), then fits the scaler, trains the
 * autoencoder on three quarters of them and calibrates the threshold on the held-out quarter, so the
 * threshold is not set on rows the model was fitted to; then scores ('ready').
 */
export class SegmentDetector {
  readonly segment: string;
  readonly featureNames: readonly string[];
  readonly #config: DetectorConfig;
  readonly #initialWeights: AutoencoderWeights | undefined;
  #scaler = new RobustScaler();
  #threshold: EmpiricalThreshold;
  #autoencoder: Autoencoder | undefined;
  /** The model being trained, until it replaces {@link #autoencoder}; disposing it stops the training. */
  #candidate: Autoencoder | undefined;
  #warmup: Float32Array;
  #buffered = 0;
  #phase: 'buffering' | 'training' | 'ready' = 'buffering';
  #adaptations = 0;
  #disposed = false;

  constructor(options: SegmentDetectorOptions) {
    this.segment = options.segment;
    this.featureNames = [...options.featureNames];
    this.#config = options.config;
    this.#initialWeights = options.initialWeights;
    this.#threshold = new EmpiricalThreshold(options.config.falseAlertRate);
    this.#warmup = new Float32Array(options.config.warmupFlows * this.featureNames.length);
  }

  get state(): ModelState {
    return this.#phase === 'ready' ? 'ready' : 'learning';
  }

  /** Completed adaptations (warm-up trainings) of this segment's model. */
  get adaptations(): number {
    return this.#adaptations;
  }

  /** True once the warm-up buffer is full and training has not started. */
  get needsTraining(): boolean {
    return this.#phase === 'buffering' && this.#buffered === this.#config.warmupFlows;
  }

  /** Threshold on the combined score, `-log10(q)`. */
  get threshold(): number {
    return -Math.log10(this.#config.falseAlertRate);
  }

  /** Raw reconstruction-error threshold; `Infinity` while learning. */
  get errorThreshold(): number {
    return this.#phase === 'ready' ? this.#threshold.threshold : Number.POSITIVE_INFINITY;
  }

  /** Scores row-major `rows` (`n × features`); while learning, buffers them for warm-up instead. */
  score(rows: Float32Array): SegmentScores {
    const dim = this.featureNames.length;
    const n = rows.length / dim;
    if (this.#phase !== 'ready' || !this.#autoencoder) {
      if (this.#phase === 'buffering') this.#buffer(rows);
      return this.#learningScores(n);
    }
    const scaled = this.#scaler.transform(rows);
    const errors = this.#autoencoder.score(scaled);
    const pValues = new Float64Array(n);
    const scores = new Float64Array(n);
    const explain: number[] = [];
    for (let i = 0; i < n; i++) {
      const error = errors[i]!;
      this.#threshold.observe(error);
      // One detector for now; the ensemble averages calibrated p-values with configured weights here.
      pValues[i] = Math.max(MIN_P_VALUE, this.#threshold.pValue(error));
      scores[i] = -Math.log10(pValues[i]!);
      if (scores[i]! >= this.threshold) explain.push(i);
    }
    return {
      state: 'ready',
      pValues,
      scores,
      threshold: this.threshold,
      detectors: [{ detector: this.#autoencoder.name, weight: 1, pValues }],
      explanations: explainRows(this.#autoencoder, scaled, rows, explain, this.featureNames, (j) =>
        this.#scaler.baseline(j),
      ),
    };
  }

  /**
   * Trains on the full warm-up buffer, yielding to the event loop every `sliceMs` so other segments keep
   * being scored. Resolves `undefined` when stopped by {@link dispose} or `signal` (the segment keeps learning).
   */
  async train(options: { signal?: AbortSignal; sliceMs?: number } = {}): Promise<TrainingReport | undefined> {
    if (!this.needsTraining) {
      throw new ModelError(`segment ${this.segment}: train() needs a full warm-up buffer`);
    }
    const startedMs = performance.now();
    this.#phase = 'training';
    const { train, calibration } = splitRows(this.#warmup, this.featureNames.length);
    const autoencoder = this.#newAutoencoder();
    this.#candidate = autoencoder;
    try {
      // A fresh scaler and calibrator, swapped in only with the model they belong to.
      const scaler = new RobustScaler();
      scaler.fit(train, this.featureNames.length);
      const fit = await autoencoder.fit(scaler.transform(train), this.#config.warmupEpochs, options);
      if (fit.aborted || this.#disposed) {
        autoencoder.dispose();
        this.#phase = 'buffering';
        return undefined;
      }
      const threshold = new EmpiricalThreshold(this.#config.falseAlertRate);
      threshold.fit(autoencoder.score(scaler.transform(calibration)));
      this.#autoencoder?.dispose();
      [this.#autoencoder, this.#scaler, this.#threshold] = [autoencoder, scaler, threshold];
      this.#phase = 'ready';
      this.#adaptations++;
      this.#releaseWarmup();
      return {
        trainRows: train.length / this.featureNames.length,
        calibrationRows: calibration.length / this.featureNames.length,
        epochLosses: fit.epochLosses,
        durationMs: performance.now() - startedMs,
        errorThreshold: this.#threshold.threshold,
      };
    } catch (err) {
      autoencoder.dispose();
      // The same rows would fail the same way: relearn from fresh flows.
      this.#buffered = 0;
      this.#phase = 'buffering';
      throw new ModelError(`segment ${this.segment}: warm-up training failed`, { cause: err });
    } finally {
      this.#candidate = undefined;
    }
  }

  snapshot(): SegmentSnapshot {
    const base = { version: 1 as const, segment: this.segment, featureNames: [...this.featureNames] };
    if (this.#phase !== 'ready' || !this.#autoencoder) {
      const warmup = Array.from(this.#warmup.subarray(0, this.#buffered * this.featureNames.length));
      return { ...base, state: 'learning', adaptations: this.#adaptations, warmup };
    }
    const weights = this.#autoencoder.exportWeights();
    return {
      ...base,
      state: 'ready',
      adaptations: this.#adaptations,
      scaler: this.#scaler.snapshot(),
      weights: { ...weights, tensors: weights.tensors.map((t) => Array.from(t)) },
      threshold: this.#threshold.snapshot(),
    };
  }

  /** Replaces this segment's state; throws {@link ModelError} when the snapshot does not fit this model. */
  restore(snapshot: SegmentSnapshot): void {
    const where = `segment ${this.segment} snapshot`;
    if (snapshot.version !== 1) throw new ModelError(`${where}: expected version 1, got ${snapshot.version}`);
    if (snapshot.featureNames.join(',') !== this.featureNames.join(',')) {
      throw new ModelError(`${where}: feature names differ from the running feature set`);
    }
    if (this.#phase === 'training') throw new ModelError(`${where}: cannot restore while training`);
    if (snapshot.state === 'ready') {
      if (!snapshot.scaler || !snapshot.weights || !snapshot.threshold) {
        throw new ModelError(`${where}: ready state without scaler, weights or threshold`);
      }
      // Every part is validated before anything is replaced, so a bad snapshot leaves the segment as it was.
      const scaler = new RobustScaler();
      scaler.restore(snapshot.scaler);
      const threshold = new EmpiricalThreshold(this.#config.falseAlertRate);
      threshold.restore(snapshot.threshold);
      const tensors = snapshot.weights.tensors.map((t) => Float32Array.from(t));
      const autoencoder = this.#newAutoencoder({ ...snapshot.weights, tensors });
      this.#autoencoder?.dispose();
      [this.#autoencoder, this.#scaler, this.#threshold] = [autoencoder, scaler, threshold];
      this.#phase = 'ready';
      this.#releaseWarmup();
    } else {
      const dim = this.featureNames.length;
      const rows = snapshot.warmup ?? [];
      this.#warmup = new Float32Array(this.#config.warmupFlows * dim);
      this.#buffered = Math.min(Math.floor(rows.length / dim), this.#config.warmupFlows);
      this.#warmup.set(rows.slice(0, this.#buffered * dim));
      this.#autoencoder?.dispose();
      this.#autoencoder = undefined;
      this.#phase = 'buffering';
    }
    this.#adaptations = snapshot.adaptations;
  }

  /** Frees the model's tensors; idempotent. A running training stops at its next step. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#autoencoder?.dispose();
    this.#candidate?.dispose();
  }

  #newAutoencoder(initialWeights = this.#initialWeights): Autoencoder {
    const { hiddenUnits, learningRate, seed, batchSize: scoreBatchRows } = this.#config;
    const inputDim = this.featureNames.length;
    return new Autoencoder({ inputDim, hiddenUnits, learningRate, seed, scoreBatchRows, initialWeights });
  }

  #buffer(rows: Float32Array): void {
    const dim = this.featureNames.length;
    const take = Math.min(rows.length / dim, this.#config.warmupFlows - this.#buffered);
    this.#warmup.set(rows.subarray(0, take * dim), this.#buffered * dim);
    this.#buffered += take;
  }

  #releaseWarmup(): void {
    this.#warmup = new Float32Array(0);
    this.#buffered = 0;
  }

  #learningScores(n: number): SegmentScores {
    const pValues = new Float64Array(n).fill(1);
    const detectors = [{ detector: 'autoencoder', weight: 1, pValues }];
    return {
      state: 'learning',
      pValues,
      scores: new Float64Array(n),
      threshold: this.threshold,
      detectors,
      explanations: new Map(),
    };
  }
}

/** Every {@link CALIBRATION_STRIDE}-th row goes to calibration, the rest to training. */
function splitRows(rows: Float32Array, dim: number): { train: Float32Array; calibration: Float32Array } {
  const n = rows.length / dim;
  const calibrationRows = Math.floor(n / CALIBRATION_STRIDE);
  const train = new Float32Array((n - calibrationRows) * dim);
  const calibration = new Float32Array(calibrationRows * dim);
  let t = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const row = rows.subarray(i * dim, (i + 1) * dim);
    if (i % CALIBRATION_STRIDE === CALIBRATION_STRIDE - 1) calibration.set(row, dim * c++);
    else train.set(row, dim * t++);
  }
  return { train, calibration };
}
