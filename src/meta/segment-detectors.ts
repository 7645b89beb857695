import type { DetectorConfig } from '../config/schema.js';
import type { Detection, FeatureBatch, ModelState, SegmentWindowStats } from '../core/detection.js';
import { ConfigError, ModelError } from '../core/errors.js';
import type { AutoencoderWeights } from './autoencoder.js';
import { type BackendChoice, selectBackend } from './backend.js';
import type { ForecasterOverride } from './forecast/forecaster-file.js';
import { ScoredFlow } from './scored-flow.js';
import {
  type ScoringFlow,
  SegmentDetector,
  type SegmentScores,
  type SegmentSnapshot,
} from './segment-detector.js';

/** Structured log line: a message and its fields. */
export type DetectorLog = (message: string, fields?: Record<string, unknown>) => void;

/** Optional behaviour of {@link SegmentDetectors}. */
export interface SegmentDetectorsOptions {
  /** Every new segment starts from these weights (e.g. a meta-learned initialization) instead of a random draw. */
  initialWeights?: AutoencoderWeights;
  /** Every new segment's volume forecaster starts from these learned parameters (a model's `forecaster.json`). */
  forecaster?: ForecasterOverride;
  /** Longest synchronous training stretch before yielding to scoring (default 10 ms). */
  trainingSliceMs?: number;
}

/** Per-segment figures for metrics (`segment_model_state`, `segment_threshold`, `segment_adaptations_total`). */
export interface SegmentDetectorStats {
  state: ModelState;
  adaptations: number;
  scoredFlows: number;
  /** Threshold on the combined score (`-log10(q)`). */
  threshold: number;
  /** Threshold on the raw reconstruction error; `Infinity` while learning. */
  errorThreshold: number;
  /** Forecast and observed flows of the segment's last closed volume tick (`forecast.tickSeconds`). */
  forecastFlows: number;
  observedFlows: number;
}

/** What scoring needs of a batch: the flows' scoring fields and their feature rows. */
export interface ScoringBatch {
  flows: readonly ScoringFlow[];
  /** Row-major, `flows.length × featureNames.length`. */
  values: Float32Array;
  featureNames: readonly string[];
}

/** One segment's share of a scored batch. */
export interface SegmentBatchScores {
  segment: string;
  /** The batch rows of the segment, in order; undefined when the segment held the whole batch. */
  rows: Int32Array | undefined;
  /** Indexed like `rows`. */
  scores: SegmentScores;
}

/** The windows of a segment the features stage reported none for, shared by all its detections. */
const NO_WINDOWS: readonly SegmentWindowStats[] = Object.freeze([]);

/** Fewest warm-up flows: a quarter of them calibrates the thresholds, which need at least 20 scores each. */
const MIN_WARMUP_FLOWS = 80;

/**
 * The detector stage: one {@link SegmentDetector} per segment, created on the segment's first flow. Scoring is
 * one batched call per segment per batch; warm-up training runs one segment at a time, in slices between
 * batches, so a learning segment never stalls the others. Owns every tensor it creates until {@link close}.
 */
export class SegmentDetectors {
  readonly #config: DetectorConfig;
  readonly #log: DetectorLog;
  readonly #options: SegmentDetectorsOptions;
  readonly #detectors = new Map<string, SegmentDetector>();
  readonly #scored = new Map<string, number>();
  readonly #queued = new Set<string>();
  readonly #abort = new AbortController();
  #featureNames: readonly string[] | undefined;
  #backend: Promise<BackendChoice> | undefined;
  #training: Promise<void> = Promise.resolve();
  #closing: Promise<void> | undefined;
  #scoredFlows = 0;

  constructor(config: DetectorConfig, log: DetectorLog, options: SegmentDetectorsOptions = {}) {
    if (config.warmupFlows < MIN_WARMUP_FLOWS) {
      throw new ConfigError(
        `detector.warmupFlows: expected at least ${MIN_WARMUP_FLOWS}, got ${config.warmupFlows}`,
      );
    }
    this.#config = config;
    this.#log = log;
    this.#options = options;
  }

  /** Flows scored since start, learning segments included. */
  get scoredFlows(): number {
    return this.#scoredFlows;
  }

  /** Starts the TensorFlow.js backend once and logs which one and why; {@link score} calls it itself. */
  ready(): Promise<BackendChoice> {
    this.#backend ??= selectBackend(this.#config.backend).then((choice) => {
      this.#log('detector backend selected', { backend: choice.backend, reason: choice.reason });
      return choice;
    });
    return this.#backend;
  }

  /** One Detection per flow of `batch`, in input order. */
  async score(batch: FeatureBatch): Promise<Detection[]> {
    return toDetections(batch, await this.scoreSegments(batch));
  }

  /**
   * Scores `batch` one segment at a time: per segment, which rows of the batch it holds and what its
   * detector made of them. Only what scoring reads of each flow is needed: segment, addresses and times.
   */
  async scoreSegments(batch: ScoringBatch): Promise<SegmentBatchScores[]> {
    if (this.#closing) throw new ModelError('segment detectors: score() called after close()');
    await this.ready();
    const dim = batch.featureNames.length;
    this.#checkBatch(batch);
    const { flows, values } = batch;
    const n = flows.length;
    const groups = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const segment = flows[i]!.segment;
      const rows = groups.get(segment);
      if (rows) rows.push(i);
      else groups.set(segment, [i]);
    }
    const scored: SegmentBatchScores[] = [];
    for (const [segment, indices] of groups) {
      const detector = this.#detector(segment, batch.featureNames);
      const m = indices.length;
      // A batch of one segment is scored in place; otherwise the segment's rows are gathered.
      let rows = values;
      let segmentFlows = flows;
      if (m !== n) {
        rows = new Float32Array(m * dim);
        const gathered = new Array<ScoringFlow>(m);
        segmentFlows = gathered;
        for (let k = 0; k < m; k++) {
          const i = indices[k]!;
          gathered[k] = flows[i]!;
          for (let j = 0, from = i * dim, to = k * dim; j < dim; j++) rows[to + j] = values[from + j]!;
        }
      }
      const scores = detector.score(rows, segmentFlows);
      scored.push({ segment, rows: m === n ? undefined : Int32Array.from(indices), scores });
      this.#scored.set(segment, (this.#scored.get(segment) ?? 0) + m);
      if (detector.needsTraining) this.#scheduleTraining(detector);
    }
    this.#scoredFlows += n;
    return scored;
  }

  states(): Map<string, ModelState> {
    return new Map([...this.#detectors].map(([segment, d]) => [segment, d.state]));
  }

  stats(): Map<string, SegmentDetectorStats> {
    const stats = new Map<string, SegmentDetectorStats>();
    for (const [segment, d] of this.#detectors) {
      const { state, adaptations, threshold, errorThreshold, volume } = d;
      stats.set(segment, {
        state,
        adaptations,
        threshold,
        errorThreshold,
        ...volume,
        scoredFlows: this.#scored.get(segment) ?? 0,
      });
    }
    return stats;
  }

  /** Every segment's state, for checkpointing; call after {@link flush} for finished warm-ups. */
  snapshots(): SegmentSnapshot[] {
    return [...this.#detectors.values()].map((d) => d.snapshot());
  }

  /** Restores one segment (e.g. after a partition moved here); throws {@link ModelError} when it does not fit. */
  async restore(snapshot: SegmentSnapshot): Promise<void> {
    await this.ready();
    this.#checkFeatureNames(snapshot.featureNames);
    const detector = this.#detector(snapshot.segment, snapshot.featureNames);
    detector.restore(snapshot);
  }

  /** Resolves once every queued warm-up training has finished. */
  async flush(): Promise<void> {
    let pending: Promise<void>;
    do {
      pending = this.#training;
      await pending;
    } while (pending !== this.#training);
  }

  /** Stops training and frees every tensor; idempotent, every call shares one promise. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#abort.abort();
      await this.flush();
      for (const detector of this.#detectors.values()) detector.dispose();
      this.#detectors.clear();
    })();
    return this.#closing;
  }

  #detector(segment: string, featureNames: readonly string[]): SegmentDetector {
    let detector = this.#detectors.get(segment);
    if (!detector) {
      const { initialWeights, forecaster } = this.#options;
      detector = new SegmentDetector({
        segment,
        featureNames,
        config: this.#config,
        initialWeights,
        forecaster,
      });
      this.#detectors.set(segment, detector);
    }
    return detector;
  }

  #scheduleTraining(detector: SegmentDetector): void {
    if (this.#queued.has(detector.segment)) return;
    this.#queued.add(detector.segment);
    this.#training = this.#training.then(() => this.#train(detector));
  }

  async #train(detector: SegmentDetector): Promise<void> {
    const segment = detector.segment;
    try {
      if (this.#abort.signal.aborted) return;
      const sliceMs = this.#options.trainingSliceMs;
      const report = await detector.train({ signal: this.#abort.signal, sliceMs });
      if (!report) return;
      // Adaptation rounds are frequent and routine; the first model and re-adaptations are worth a line.
      if (report.kind === 'adapt') return;
      this.#log(report.kind === 'warmup' ? 'segment model ready' : 'segment model re-adapted after drift', {
        segment,
        trainRows: report.trainRows,
        calibrationRows: report.calibrationRows,
        firstEpochLoss: report.epochLosses[0],
        lastEpochLoss: report.epochLosses.at(-1),
        trainingMs: Math.round(report.durationMs),
        errorThreshold: report.errorThreshold,
      });
    } catch (err) {
      // The detector has dropped the rows it trained on and relearns from fresh flows; scoring goes on.
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      this.#log('segment training failed, relearning from fresh flows', { segment, error: cause });
    } finally {
      this.#queued.delete(segment);
    }
  }

  #checkBatch(batch: ScoringBatch): void {
    const dim = batch.featureNames.length;
    if (batch.values.length !== batch.flows.length * dim) {
      throw new ModelError(
        `feature batch: expected ${batch.flows.length} rows × ${dim} features, got ${batch.values.length} values`,
      );
    }
    this.#checkFeatureNames(batch.featureNames);
  }

  /** All segments share one feature set; a change means the features stage and this model disagree. */
  #checkFeatureNames(names: readonly string[]): void {
    if (this.#featureNames === names) return;
    if (this.#featureNames && this.#featureNames.join(',') !== names.join(',')) {
      throw new ModelError(`feature batch: feature names changed from [${this.#featureNames}] to [${names}]`);
    }
    this.#featureNames = names;
  }
}

/** One Detection per flow of `batch`, in input order, from its per-segment scores. */
export function toDetections(batch: FeatureBatch, scored: readonly SegmentBatchScores[]): Detection[] {
  const { flows } = batch;
  const detections = new Array<Detection>(flows.length);
  for (const { segment, rows, scores } of scored) {
    const windows = batch.windows.get(segment) ?? NO_WINDOWS;
    const { explanations, detectors: members } = scores;
    const m = rows ? rows.length : flows.length;
    for (let k = 0; k < m; k++) {
      const i = rows ? rows[k]! : k;
      detections[i] = new ScoredFlow(flows[i]!, scores, members, k, explanations.get(k), windows);
    }
  }
  return detections;
}
