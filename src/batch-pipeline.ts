import { performance } from 'node:perf_hooks';
import type { AlertPipeline } from './alerts/alert-pipeline.js';
import type { Detection } from './core/detection.js';
import type { SourceBatch } from './core/flow-source.js';
import type { FeatureExtractor } from './features/extract-features.js';
import type { PcapFileSource } from './ingest/capture/pcap-file-source.js';
import type { DetectorThread } from './meta/detector-thread.js';
import type { PipelineMetrics } from './pipeline-metrics.js';

/** Batches the detector thread may hold at once: one being scored while the next is extracted. */
const MAX_BATCHES_SCORING = 2;

/** Batches whose alerts may await delivery while the next batch is scored. */
const MAX_DELIVERIES_PENDING = 2;

/** What the stages are; the composition root builds them. */
export interface BatchPipelineStages {
  extractor: FeatureExtractor;
  detectors: DetectorThread;
  alerts: AlertPipeline;
  metrics: PipelineMetrics;
  /** The capture being replayed, for its progress counters; undefined for Kafka input. */
  capture: PcapFileSource | undefined;
  /** Score each batch only after the warm-up training it started (a capture replayed at full speed). */
  waitForTraining: boolean;
}

/**
 * The run's batches through the stages: features on this thread, scores from the detector thread, alerts
 * to the sinks, then the source's acknowledgement. The stages overlap — the next batch's features are
 * extracted while this one is scored, and its scores come back while this one's alerts are on their way —
 * but every step happens in batch order, so a batch is acknowledged (its offsets committed) only after
 * its own alerts and every earlier batch's were accepted: at-least-once holds.
 */
export class BatchPipeline {
  readonly #s: BatchPipelineStages;
  /** The latest batch's scoring and hand-over to delivery; each batch's waits for the one before. */
  #scored: Promise<void> = Promise.resolve();
  /** Alert delivery of the batches scored so far, chained in batch order. */
  #delivery: Promise<void> = Promise.resolve();
  #deliveriesPending = 0;
  #deliveryError: unknown;
  #flows = 0;

  constructor(stages: BatchPipelineStages) {
    this.#s = stages;
  }

  /** Flows taken from the source so far. */
  get flows(): number {
    return this.#flows;
  }

  /**
   * Every batch of `batches`, in order. Resolves once the last one is scored and handed to delivery (see
   * {@link delivered}); rejects with the source's error or a stage's.
   */
  async run(batches: AsyncIterable<SourceBatch>): Promise<void> {
    let mark = performance.now();
    const scoring: Promise<void>[] = [];
    for await (const batch of batches) {
      this.#s.metrics.observeStage('ingest', mark, performance.now());
      const processed = this.#process(batch);
      // Awaited in order below; marked handled now, so that a later batch failing while an earlier
      // one is awaited is not reported as an unhandled rejection.
      processed.catch(() => undefined);
      scoring.push(processed);
      // The detector thread scores this batch while the next one is read and its features extracted.
      if (scoring.length >= MAX_BATCHES_SCORING) await scoring.shift();
      mark = performance.now();
    }
    for (const processed of scoring) await processed;
  }

  /** Resolves once every batch handed to delivery is delivered and acknowledged; rejects on the first failure. */
  delivered(): Promise<void> {
    return this.#delivery;
  }

  /**
   * Extracts the batch's features now and hands them to the detector thread; what follows the scores
   * (metrics, alert delivery) runs after the previous batch's, so batches stay in order end to end.
   */
  #process({ flows, ack }: SourceBatch): Promise<void> {
    const { extractor, detectors, metrics, capture } = this.#s;
    this.#flows += flows.length;
    const t0 = performance.now();
    const batch = flows.length === 0 ? undefined : extractor.extract(flows);
    const t1 = performance.now();
    // A capture replayed as fast as possible waits for warm-up training, so the same capture
    // always gives the same alerts whatever the machine's speed. Live input never waits.
    const scoring = batch && detectors.score(batch, { flush: this.#s.waitForTraining });
    const previous = this.#scored;
    this.#scored = (async () => {
      const detections = (await scoring) ?? [];
      await previous;
      if (batch) {
        metrics.observeStage('features', t0, t1);
        metrics.observeStage('detector', t1, performance.now());
        if (capture) metrics.captureProgress(flows[0]!.source.format, capture.stats, flows.length);
      }
      metrics.scored(detections, extractor, detectors);
      await this.#deliver(detections, ack);
    })();
    return this.#scored;
  }

  /**
   * Alerts are handed to the sinks at once, in batch order, without waiting for the previous batch's
   * acknowledgement: the round trips of consecutive batches overlap, and the next batch's features
   * and scoring overlap with them. A batch is acknowledged only after its own alerts and every
   * earlier batch were.
   */
  async #deliver(detections: readonly Detection[], ack: () => Promise<void>): Promise<void> {
    if (this.#deliveryError !== undefined) throw this.#deliveryError;
    this.#deliveriesPending++;
    const t0 = performance.now();
    const delivered = this.#s.alerts
      .handle(detections)
      .then(() => this.#s.metrics.observeStage('alerts', t0, performance.now()));
    // Awaited in order below; marked handled now, so that failing while an earlier batch is still
    // pending is not reported as an unhandled rejection.
    delivered.catch(() => undefined);
    this.#delivery = this.#delivery.then(async () => {
      await delivered;
      this.#deliveriesPending--;
      await ack();
    });
    // A failed delivery must surface (and end the run), not as an unhandled rejection.
    this.#delivery.catch((err: unknown) => {
      this.#deliveryError ??= err;
    });
    if (this.#deliveriesPending >= MAX_DELIVERIES_PENDING) await this.#delivery;
  }
}
