import { performance } from 'node:perf_hooks';
import type { TapwatchConfig } from '../config/schema.js';
import type { FlowRecord } from '../core/flow-record.js';
import { FeatureExtractor } from '../features/extract-features.js';
import type { AutoencoderWeights } from '../meta/autoencoder.js';
import type { ForecasterOverride } from '../meta/forecast/forecaster-file.js';
import { SegmentDetectors } from '../meta/segment-detectors.js';

/** What {@link runOnline} needs: the config slices the daemon uses, and the initialization. */
export interface OnlineRunOptions {
  config: Pick<TapwatchConfig, 'segments' | 'features' | 'detector'>;
  /** Overrides `detector.warmupFlows` (the adaptation budget). */
  warmupFlows?: number;
  /** Meta-initialization; random (seeded) when absent. */
  initialWeights?: AutoencoderWeights;
  /** Learned volume-forecaster parameters (`forecasterOverride(model.forecaster)`); the defaults when absent. */
  forecaster?: ForecasterOverride;
  /** Flows per batch, as the capture source yields them (default 1024). */
  batchFlows?: number;
}

/** How one segment came to score. */
export interface SegmentAdaptation {
  segment: string;
  flows: number;
  /** Flows the segment saw before its first scored flow; -1 when it never became ready. */
  flowsToReady: number;
  /** Event time from the segment's first flow to its first scored flow, seconds. */
  secondsToReady: number;
  /** Wall-clock time of the warm-up training, ms. */
  trainingMs: number;
}

/** Per-flow results of one online run, indexed like the input flows. */
export interface OnlineRun {
  scores: Float64Array;
  thresholds: Float64Array;
  /** 1 where the segment's model was ready (the flow was really scored). */
  ready: Uint8Array;
  segments: string[];
  timesMs: Float64Array;
  adaptation: SegmentAdaptation[];
  seconds: number;
}

/**
 * Replays flows through the daemon's own detection path — FeatureExtractor → SegmentDetectors
 * with its warm-up, adaptation and thresholds — batch by batch, waiting for warm-up training
 * after each batch as `tapwatch replay` does at speed 0, so results do not depend on machine speed.
 */
export async function runOnline(flows: readonly FlowRecord[], options: OnlineRunOptions): Promise<OnlineRun> {
  const { config } = options;
  const detector = { ...config.detector, warmupFlows: options.warmupFlows ?? config.detector.warmupFlows };
  const trainingMs = new Map<string, number>();
  const detectors = new SegmentDetectors(
    detector,
    (message, fields) => {
      if (message === 'segment model ready' && fields)
        trainingMs.set(String(fields.segment), Number(fields.trainingMs));
    },
    {
      ...(options.initialWeights ? { initialWeights: options.initialWeights } : {}),
      ...(options.forecaster ? { forecaster: options.forecaster } : {}),
    },
  );
  const extractor = new FeatureExtractor(config.segments, config.features);
  const n = flows.length;
  const run: OnlineRun = {
    scores: new Float64Array(n),
    thresholds: new Float64Array(n),
    ready: new Uint8Array(n),
    segments: new Array<string>(n),
    timesMs: new Float64Array(n),
    adaptation: [],
    seconds: 0,
  };
  const seen = new Map<string, { flows: number; firstMs: number; readyAt: number; readyMs: number }>();
  const batchFlows = options.batchFlows ?? 1024;
  await detectors.ready();
  const started = performance.now();
  try {
    for (let start = 0; start < n; start += batchFlows) {
      const batch = extractor.extract(flows.slice(start, start + batchFlows) as FlowRecord[]);
      const detections = await detectors.score(batch);
      await detectors.flush();
      detections.forEach((d, k) => {
        const i = start + k;
        const segment = d.flow.segment;
        run.scores[i] = d.score;
        run.thresholds[i] = d.threshold;
        run.ready[i] = d.modelState === 'ready' ? 1 : 0;
        run.segments[i] = segment;
        run.timesMs[i] = d.flow.end;
        let s = seen.get(segment);
        if (!s) {
          s = { flows: 0, firstMs: d.flow.end, readyAt: -1, readyMs: Number.NaN };
          seen.set(segment, s);
        }
        if (run.ready[i] && s.readyAt < 0) {
          s.readyAt = s.flows;
          s.readyMs = d.flow.end;
        }
        s.flows++;
      });
    }
  } finally {
    run.seconds = (performance.now() - started) / 1000;
    await detectors.close();
  }
  for (const [segment, s] of seen) {
    run.adaptation.push({
      segment,
      flows: s.flows,
      flowsToReady: s.readyAt,
      secondsToReady: s.readyAt < 0 ? Number.NaN : (s.readyMs - s.firstMs) / 1000,
      trainingMs: trainingMs.get(segment) ?? Number.NaN,
    });
  }
  return run;
}
