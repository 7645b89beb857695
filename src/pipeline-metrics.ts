import type { Detection } from './core/detection.js';
import type { FeatureExtractor } from './features/extract-features.js';
import type { PcapFileSourceStats } from './ingest/capture/pcap-file-source.js';
import type { DetectorThread } from './meta/detector-thread.js';
import { setModelState, type TapwatchMetrics } from './telemetry/metrics.js';

/**
 * Carries the stages' own counters onto the daemon's Prometheus metrics after each batch.
 * Stages keep plain numbers and know nothing of prom-client; this is the one place that maps
 * them, turning running totals into counter increments.
 */
export class PipelineMetrics {
  readonly #metrics: TapwatchMetrics;
  readonly #last = new Map<string, number>();

  constructor(metrics: TapwatchMetrics) {
    this.#metrics = metrics;
  }

  /** Time one stage call, in seconds, on `tapwatch_processing_duration_seconds`. */
  observeStage(stage: string, startMs: number, endMs: number): void {
    this.#metrics.processingDuration.observe({ stage }, (endMs - startMs) / 1000);
  }

  /** Capture counters: packets, flows by format, decode errors by reason. */
  captureProgress(format: string, stats: PcapFileSourceStats, flows: number): void {
    this.#metrics.inputRecords.inc({ source: 'capture', format }, flows);
    this.#increase('packets', stats.packets, (d) => this.#metrics.inputPackets.inc({ format }, d));
    for (const [reason, count] of Object.entries(stats.decodeErrors)) {
      this.#increase(`decode:${reason}`, count, (d) =>
        this.#metrics.inputDecodeErrors.inc({ format, reason }, d),
      );
    }
  }

  /** Per-segment flows, scores, thresholds and model states after one scored batch. */
  scored(detections: readonly Detection[], extractor: FeatureExtractor, detectors: DetectorThread): void {
    const flows = new Map<string, number>();
    const worst = new Map<string, number>();
    let newestMs = 0;
    for (const d of detections) {
      const { segment } = d.flow;
      flows.set(segment, (flows.get(segment) ?? 0) + 1);
      if (d.modelState === 'ready' && d.score > (worst.get(segment) ?? Number.NEGATIVE_INFINITY)) {
        worst.set(segment, d.score);
      }
      if (d.flow.end > newestMs) newestMs = d.flow.end;
    }
    for (const [segment, count] of flows) this.#metrics.flowsProcessed.inc({ segment }, count);
    for (const [segment, score] of worst) this.#metrics.segmentThreatScore.set({ segment }, score);
    for (const [segment, stats] of detectors.stats()) {
      setModelState(this.#metrics, segment, stats.state);
      if (Number.isFinite(stats.threshold)) this.#metrics.segmentThreshold.set({ segment }, stats.threshold);
      this.#metrics.forecastFlows.set({ segment }, stats.forecastFlows);
      this.#metrics.observedFlows.set({ segment }, stats.observedFlows);
      this.#increase(`adapt:${segment}`, stats.adaptations, (d) =>
        this.#metrics.segmentAdaptations.inc({ segment }, d),
      );
    }
    this.#increase('overflow', extractor.router.overflowCount, (d) => this.#metrics.segmentsOverflow.inc(d));
    if (newestMs > 0) this.#metrics.inputEventLag.set(Math.max(0, (Date.now() - newestMs) / 1000));
  }

  #increase(key: string, total: number, inc: (delta: number) => void): void {
    const delta = total - (this.#last.get(key) ?? 0);
    if (delta > 0) inc(delta);
    this.#last.set(key, total);
  }
}
