import type { DetectorConfig } from '../config/schema.js';
import type { FeatureContribution, ModelState } from '../core/detection.js';
import { ModelError } from '../core/errors.js';
import { flowEventMs, type RoutedFlow } from '../core/flow-record.js';
import { Autoencoder, type AutoencoderWeights } from './autoencoder.js';
import { DriftMonitor } from './drift-monitor.js';
import { FeatureDeviationScorer } from './feature-deviation-scorer.js';
import type { ForecasterOverride } from './forecast/forecaster-file.js';
import { explainDetections } from './pair-explanation.js';
import { RowRing } from './row-ring.js';
import { RobustScaler } from './scaler.js';
import { SegmentEnsemble } from './segment-ensemble.js';
import { plainWeights, type SegmentSnapshot, typedWeights } from './segment-snapshot.js';
import { VolumeForecaster } from './volume-forecaster.js';
import { splitRows, WarmupBuffer, type WarmupSplit } from './warmup-buffer.js';

export type { SegmentSnapshot } from './segment-snapshot.js';

/** What a {@link SegmentDetector} is built from. */
export interface SegmentDetectorOptions {
  segment: string;
  featureNames: readonly string[];
  config: DetectorConfig;
  /** Start the autoencoder from these weights (e.g. a meta-learned initialization) instead of a random draw. */
  initialWeights?: AutoencoderWeights;
  /**
   * Learned volume-forecaster parameters (a model's `forecaster.json`, see `forecasterOverride`), spread over
   * `config.forecast`; the configured defaults when absent.
   */
  forecaster?: ForecasterOverride;
}

/** What scoring reads of a flow: its segment, addresses (the pair) and times. */
export type ScoringFlow = Pick<RoutedFlow, 'segment' | 'srcIp' | 'dstIp' | 'start' | 'end'>;

/** What scoring one segment's rows yields; arrays are indexed like the input rows. */
export interface SegmentScores {
  state: ModelState;
  /** Combined p-value per row (1 while learning). */
  pValues: Float64Array;
  /** `-log10` of the combined p-value per row. */
  scores: Float64Array;
  /** Threshold on `scores` (streaming SPOT on the combined score). */
  threshold: number;
  /** Per detector: its name, averaging weight and p-value per row. */
  detectors: { detector: string; weight: number; pValues: Float64Array }[];
  /** Explanations for the rows at or above the threshold, by row index. */
  explanations: Map<number, FeatureContribution[]>;
}

/** Summary of a completed training job, for the log. */
export interface TrainingReport {
  /** `warmup` (first model), `adapt` (a few anchored steps) or `readapt` (from the initialization, on drift). */
  kind: 'warmup' | 'adapt' | 'readapt';
  trainRows: number;
  calibrationRows: number;
  epochLosses: number[];
  durationMs: number;
  /** Raw reconstruction-error threshold. */
  errorThreshold: number;
}

/** A ready segment's model parts, swapped together. */
interface Model {
  scaler: RobustScaler;
  autoencoder: Autoencoder;
  /** Weights online adaptation is pulled toward. */
  anchor: AutoencoderWeights;
  /** The non-neural member; its neighbours are scaled warm-up rows, so it is swapped with the scaler. */
  baseline: FeatureDeviationScorer;
}

/**
 * One segment's detector. It buffers the first `warmupFlows` flows ('learning'), trains the autoencoder on
 * three quarters and calibrates the ensemble on the held-out quarter; then scores ('ready'). Online, it keeps
 * the flows scored benign, adapts in a few anchored gradient steps every `adaptation.everyFlows` of them (and
 * at most once per `adaptation.minIntervalSeconds` of event time),
 * and when the drift monitor sees a lasting shift ('drift') re-adapts from the initialization weights.
 * Training jobs run when the pool calls {@link train}, never inside {@link score}.
 */
export class SegmentDetector {
  readonly segment: string;
  readonly featureNames: readonly string[];
  readonly #config: DetectorConfig;
  readonly #initialWeights: AutoencoderWeights | undefined;
  readonly #forecaster: VolumeForecaster;
  readonly #recent: RowRing;
  readonly #drift: DriftMonitor;
  #ensemble: SegmentEnsemble;
  #model: Model | undefined;
  #candidate: Autoencoder | undefined;
  #warmup: WarmupBuffer;
  #training = false;
  #driftPending = false;
  #sinceAdaptation = 0;
  /** Latest event time scored, and the event time the last adaptation round started at. */
  #latestMs = Number.NEGATIVE_INFINITY;
  #adaptedAtMs = Number.NEGATIVE_INFINITY;
  #adaptations = 0;
  #disposed = false;

  constructor(options: SegmentDetectorOptions) {
    this.segment = options.segment;
    this.featureNames = [...options.featureNames];
    const config = options.config;
    this.#config = config;
    this.#initialWeights = options.initialWeights;
    const dim = this.featureNames.length;
    this.#forecaster = new VolumeForecaster({ ...config.forecast, ...options.forecaster });
    this.#recent = new RowRing(dim, config.warmupFlows);
    this.#drift = new DriftMonitor({
      windowFlows: config.adaptation.driftWindowFlows,
      shiftedShare: config.adaptation.driftShare,
      minSeconds: config.adaptation.driftMinSeconds,
    });
    this.#ensemble = new SegmentEnsemble(config);
    this.#warmup = new WarmupBuffer(dim, config.warmupFlows);
  }

  get state(): ModelState {
    if (!this.#model) return 'learning';
    return this.#driftPending ? 'drift' : 'ready';
  }

  /** Completed trainings of this segment's model: warm-up, adaptation rounds and re-adaptations. */
  get adaptations(): number {
    return this.#adaptations;
  }

  /** True when a training job is due and none is running. */
  get needsTraining(): boolean {
    if (this.#training) return false;
    if (!this.#model) return this.#warmup.full;
    const { enabled, everyFlows, batchFlows, minIntervalSeconds } = this.#config.adaptation;
    if (this.#driftPending) return this.#recent.size === this.#recent.capacity;
    return (
      enabled &&
      this.#sinceAdaptation >= everyFlows &&
      this.#recent.size >= batchFlows &&
      this.#latestMs - this.#adaptedAtMs >= minIntervalSeconds * 1000
    );
  }

  /** Threshold on the combined score; `-log10(q)` while learning. */
  get threshold(): number {
    return this.#model ? this.#ensemble.threshold : -Math.log10(this.#config.falseAlertRate);
  }

  /** Raw reconstruction-error threshold; `Infinity` while learning. */
  get errorThreshold(): number {
    return this.#model ? this.#ensemble.errorThreshold : Number.POSITIVE_INFINITY;
  }

  /** Forecast and observed flows of the segment's last closed volume tick. */
  get volume(): { forecastFlows: number; observedFlows: number } {
    return this.#forecaster.lastTick;
  }

  /** Scores row-major `rows` (`n × features`) of `flows`; while learning, buffers them for warm-up instead. */
  score(rows: Float32Array, flows: readonly ScoringFlow[]): SegmentScores {
    const n = flows.length;
    const keys = new Array<string>(n);
    const timesMs = new Float64Array(n);
    const forecast = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const f = flows[i]!;
      keys[i] = `${f.srcIp}>${f.dstIp}`;
      const t = flowEventMs(f);
      timesMs[i] = t;
      if (t > this.#latestMs) this.#latestMs = t;
      forecast[i] = this.#forecaster.observe(f.start, t, f.srcIp, f.dstIp);
    }
    const model = this.#model;
    if (!model) {
      if (!this.#training) this.#warmup.push(rows, forecast, keys, timesMs);
      return this.#learningScores(n);
    }
    const scaled = model.scaler.transform(rows);
    const raw = {
      autoencoder: model.autoencoder.score(scaled),
      baseline: model.baseline.score(scaled),
      forecast,
    };
    const result = this.#ensemble.score(raw, keys, timesMs);
    const explain: number[] = [];
    const { minPValue } = this.#config.adaptation;
    const dim = this.featureNames.length;
    const autoencoderP = result.members[0]!.pValues;
    for (let i = 0; i < n; i++) {
      if (result.scores[i]! >= result.threshold) {
        explain.push(i);
        continue;
      }
      if (!this.#driftPending && this.#drift.observe(autoencoderP[i]!, timesMs[i]!)) {
        // Relearn the new regime from scratch: the buffer restarts, and while drifted it takes every flow
        // that did not alert (the old model's p-values are no longer a fair filter; alerts still are).
        this.#driftPending = true;
        this.#recent.clear();
      }
      if (this.#driftPending || result.pValues[i]! >= minPValue) {
        this.#recent.pushAt(rows, i * dim);
        this.#sinceAdaptation++;
      }
    }
    return {
      state: this.state,
      pValues: result.pValues,
      scores: result.scores,
      threshold: result.threshold,
      detectors: result.members,
      explanations:
        explain.length === 0
          ? new Map()
          : explainDetections(
              scaled,
              model.autoencoder.reconstruct(scaled, explain),
              rows,
              explain,
              this.featureNames,
              (j) => model.scaler.baseline(j),
              result.members,
            ),
    };
  }

  /**
   * Runs the training job that is due (see {@link needsTraining}), yielding to the event loop every `sliceMs`
   * so other segments keep being scored. Resolves `undefined` when stopped by {@link dispose} or `signal`.
   */
  async train(options: { signal?: AbortSignal; sliceMs?: number } = {}): Promise<TrainingReport | undefined> {
    if (!this.needsTraining) throw new ModelError(`segment ${this.segment}: train() called with no job due`);
    this.#training = true;
    try {
      if (!this.#model) return await this.#retrain('warmup', this.#warmup.split(), options);
      if (this.#driftPending)
        return await this.#retrain('readapt', splitRows(this.#recent.latest(), this.#recent.dim), options);
      return await this.#adapt(options);
    } finally {
      this.#training = false;
    }
  }

  snapshot(): SegmentSnapshot {
    const base = {
      version: 2 as const,
      segment: this.segment,
      featureNames: [...this.featureNames],
      adaptations: this.#adaptations,
      forecaster: this.#forecaster.snapshot(),
    };
    const model = this.#model;
    if (!model) {
      return {
        ...base,
        state: 'learning',
        warmup: Array.from(this.#warmup.rows()),
        warmupContext: this.#warmup.context(),
      };
    }
    return {
      ...base,
      state: this.state,
      scaler: model.scaler.snapshot(),
      weights: plainWeights(model.autoencoder.exportWeights()),
      anchor: plainWeights(model.anchor),
      ensemble: { ...this.#ensemble.snapshot(), baselineReference: model.baseline.snapshot() },
      drift: this.#drift.snapshot(),
    };
  }

  /** Replaces this segment's state; throws {@link ModelError} when the snapshot does not fit this model. */
  restore(snapshot: SegmentSnapshot): void {
    const where = `segment ${this.segment} snapshot`;
    if (snapshot.version !== 2) throw new ModelError(`${where}: expected version 2, got ${snapshot.version}`);
    if (snapshot.featureNames.join(',') !== this.featureNames.join(',')) {
      throw new ModelError(`${where}: feature names differ from the running feature set`);
    }
    if (this.#training) throw new ModelError(`${where}: cannot restore while training`);
    this.#forecaster.restore(snapshot.forecaster);
    if (snapshot.state !== 'learning') {
      const { scaler, weights, anchor, ensemble, drift } = snapshot;
      if (!scaler || !weights || !anchor || !ensemble || !drift) {
        throw new ModelError(
          `${where}: ${snapshot.state} state without scaler, weights, anchor, ensemble or drift`,
        );
      }
      // Every part is validated before anything is replaced, so a bad snapshot leaves the segment as it was.
      const model = {
        scaler: new RobustScaler(),
        autoencoder: this.#newAutoencoder(typedWeights(weights)),
        anchor: typedWeights(anchor),
        baseline: new FeatureDeviationScorer(this.featureNames),
      };
      const restored = new SegmentEnsemble(this.#config);
      try {
        model.scaler.restore(scaler);
        restored.restore(ensemble);
        // An older snapshot without the neighbours: the member keeps the largest |z| its SPOT was fitted on.
        model.baseline.restore(ensemble.baselineReference ?? []);
      } catch (err) {
        model.autoencoder.dispose();
        throw err;
      }
      this.#install(model);
      this.#ensemble = restored;
      this.#drift.restore(drift);
      this.#driftPending = snapshot.state === 'drift';
    } else {
      this.#model?.autoencoder.dispose();
      this.#model = undefined;
      this.#warmup = new WarmupBuffer(this.featureNames.length, this.#config.warmupFlows);
      const rows = Float32Array.from(snapshot.warmup ?? []);
      const n = Math.floor(rows.length / this.featureNames.length);
      const context = snapshot.warmupContext;
      const keys = context?.keys ?? new Array<string>(n).fill('');
      const forecast = Float32Array.from(context?.forecast ?? new Array<number>(n).fill(0));
      this.#warmup.push(
        rows,
        forecast,
        keys,
        Float64Array.from(context?.timesMs ?? new Array<number>(n).fill(0)),
      );
    }
    this.#adaptations = snapshot.adaptations;
  }

  /** Frees the model's tensors; idempotent. A running training stops at its next step. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#model?.autoencoder.dispose();
    this.#candidate?.dispose();
  }

  async #retrain(
    kind: 'warmup' | 'readapt',
    split: WarmupSplit,
    options: { signal?: AbortSignal; sliceMs?: number },
  ): Promise<TrainingReport | undefined> {
    const startedMs = performance.now();
    const dim = this.featureNames.length;
    const autoencoder = this.#newAutoencoder();
    this.#candidate = autoencoder;
    try {
      // A fresh scaler and calibration, swapped in only with the model they belong to.
      const scaler = new RobustScaler();
      scaler.fit(split.train, dim);
      const train = scaler.transform(split.train);
      const baseline = new FeatureDeviationScorer(this.featureNames);
      baseline.fit(train);
      const fit = await autoencoder.fit(train, this.#config.warmupEpochs, options);
      if (fit.aborted || this.#disposed) {
        autoencoder.dispose();
        return undefined;
      }
      const calibration = scaler.transform(split.calibration);
      const rows = {
        autoencoder: autoencoder.score(calibration),
        baseline: baseline.score(calibration),
      };
      if (kind === 'warmup') {
        const calibrationRows = { ...rows, forecast: split.calibrationForecast };
        this.#ensemble.calibrate(
          calibrationRows,
          { scores: split.forecast, timesMs: split.timesMs },
          split.calibrationKeys,
          split.calibrationTimesMs,
          split.keys,
        );
      } else this.#ensemble.recalibrateRows(rows);
      this.#install({
        scaler,
        autoencoder,
        anchor: this.#initialWeights ?? autoencoder.exportWeights(),
        baseline,
      });
      this.#warmup = new WarmupBuffer(dim, 0);
      this.#driftPending = false;
      this.#drift.reset();
      this.#sinceAdaptation = 0;
      this.#adaptations++;
      return {
        kind,
        trainRows: split.train.length / dim,
        calibrationRows: split.calibration.length / dim,
        epochLosses: fit.epochLosses,
        durationMs: performance.now() - startedMs,
        errorThreshold: this.errorThreshold,
      };
    } catch (err) {
      autoencoder.dispose();
      // The same rows would fail the same way: start over from fresh flows.
      if (kind === 'warmup') this.#warmup = new WarmupBuffer(dim, this.#config.warmupFlows);
      else this.#recent.clear();
      throw new ModelError(`segment ${this.segment}: ${kind} training failed`, { cause: err });
    } finally {
      this.#candidate = undefined;
    }
  }

  async #adapt(options: { signal?: AbortSignal; sliceMs?: number }): Promise<TrainingReport | undefined> {
    const startedMs = performance.now();
    const model = this.#model!;
    const { steps, batchFlows, anchorStrength } = this.#config.adaptation;
    const rows = model.scaler.transform(this.#recent.latest(batchFlows));
    this.#sinceAdaptation = 0;
    this.#adaptedAtMs = this.#latestMs;
    const fit = await model.autoencoder.adapt(rows, steps, {
      ...options,
      anchor: model.anchor,
      anchorStrength,
    });
    if (fit.aborted) return undefined;
    this.#adaptations++;
    return {
      kind: 'adapt',
      trainRows: rows.length / this.featureNames.length,
      calibrationRows: 0,
      epochLosses: fit.epochLosses,
      durationMs: performance.now() - startedMs,
      errorThreshold: this.errorThreshold,
    };
  }

  #install(model: Model): void {
    if (this.#model && this.#model.autoencoder !== model.autoencoder) this.#model.autoencoder.dispose();
    this.#model = model;
  }

  #newAutoencoder(initialWeights = this.#initialWeights): Autoencoder {
    const { hiddenUnits, learningRate, seed, batchSize: scoreBatchRows } = this.#config;
    const inputDim = this.featureNames.length;
    return new Autoencoder({ inputDim, hiddenUnits, learningRate, seed, scoreBatchRows, initialWeights });
  }

  #learningScores(n: number): SegmentScores {
    const pValues = new Float64Array(n).fill(1);
    return {
      state: 'learning',
      pValues,
      scores: new Float64Array(n),
      threshold: this.threshold,
      detectors: [{ detector: 'autoencoder', weight: this.#config.ensemble.autoencoder, pValues }],
      explanations: new Map(),
    };
  }
}
