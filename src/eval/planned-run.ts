import type { TapwatchConfig } from '../config/schema.js';
import type { FeatureBatch } from '../core/detection.js';
import type { FlowRecord, RoutedFlow } from '../core/flow-record.js';
import { FeatureExtractor } from '../features/extract-features.js';
import type { AutoencoderWeights } from '../meta/autoencoder.js';
import type { ForecasterOverride } from '../meta/forecast/forecaster-file.js';
import { SegmentDetectors } from '../meta/segment-detectors.js';
import type { AdaptationPlan } from './adaptation-plan.js';
import { type RankingMetrics, rankingMetrics } from './ranking-metrics.js';

/** Rows per extraction and scoring call, as the capture source batches flows for the daemon. */
const BATCH_FLOWS = 1024;

/** Per-flow results of a planned run, indexed like the input flows (0 / NaN where not scored). */
export interface PlannedRun {
  scores: Float64Array;
  thresholds: Float64Array;
  /** 1 where a ready (or drifting) model scored a flow the plan marks as scored. */
  scored: Uint8Array;
  /** Each ensemble member's p-value per flow (NaN where not scored), for diagnostics. */
  members: Map<string, Float64Array>;
}

/**
 * Runs the daemon's detection path (FeatureExtractor → SegmentDetectors) under an {@link AdaptationPlan}.
 * Features are extracted over every flow in stream order, exactly as the daemon would, so host, pair and
 * window statistics see the attack flows too; only what the detector learns from is chosen by the plan:
 * 1. the plan's adaptation flows are fed first (in order), filling each segment's warm-up buffer exactly
 *    (`warmupFlows` = the plan's budget) and training and calibrating its model;
 * 2. each segment's volume-forecaster clock is rewound (level, trend and residual spread learned from the
 *    adaptation flows are kept), so the flows that came before the last adaptation flow are counted in their
 *    own ticks rather than piled into the tick open when adaptation ended;
 * 3. the plan's scored flows are fed in stream order, batch by batch, with the daemon's online adaptation,
 *    SPOT updates and pair persistence running as they would live.
 */
export async function runPlanned(
  flows: readonly FlowRecord[],
  plan: AdaptationPlan,
  options: {
    config: Pick<TapwatchConfig, 'segments' | 'features' | 'detector'>;
    initialWeights?: AutoencoderWeights;
    /** Learned volume-forecaster parameters (`forecasterOverride(model.forecaster)`); the defaults when absent. */
    forecaster?: ForecasterOverride;
  },
): Promise<PlannedRun> {
  const { config } = options;
  const n = flows.length;
  const extractor = new FeatureExtractor(config.segments, config.features);
  const dim = extractor.featureNames.length;
  const values = new Float32Array(n * dim);
  const routed = new Array<RoutedFlow>(n);
  for (let start = 0; start < n; start += BATCH_FLOWS) {
    const copies = flows.slice(start, start + BATCH_FLOWS).map((f) => ({ ...f }));
    const batch = extractor.extract(copies);
    values.set(batch.values, start * dim);
    batch.flows.forEach((f, k) => {
      routed[start + k] = f;
    });
  }
  const detectors = new SegmentDetectors(
    { ...config.detector, warmupFlows: plan.budget },
    () => {
      // The suite reports metrics, not the detector's log lines.
    },
    {
      ...(options.initialWeights ? { initialWeights: options.initialWeights } : {}),
      ...(options.forecaster ? { forecaster: options.forecaster } : {}),
    },
  );
  const run: PlannedRun = {
    scores: new Float64Array(n).fill(Number.NaN),
    thresholds: new Float64Array(n).fill(Number.NaN),
    scored: new Uint8Array(n),
    members: new Map(),
  };
  const feed = async (indices: number[], record: boolean) => {
    for (let s = 0; s < indices.length; s += BATCH_FLOWS) {
      const part = indices.slice(s, s + BATCH_FLOWS);
      const batchValues = new Float32Array(part.length * dim);
      part.forEach((i, k) => {
        batchValues.set(values.subarray(i * dim, (i + 1) * dim), k * dim);
      });
      const batch: FeatureBatch = {
        flows: part.map((i) => routed[i]!),
        values: batchValues,
        featureNames: extractor.featureNames,
        windows: new Map(),
      };
      const detections = await detectors.score(batch);
      await detectors.flush();
      if (!record) continue;
      detections.forEach((d, k) => {
        const i = part[k]!;
        if (d.modelState === 'learning') return;
        run.scores[i] = d.score;
        run.thresholds[i] = d.threshold;
        run.scored[i] = 1;
        for (const m of d.detectors) {
          let column = run.members.get(m.detector);
          if (!column) {
            column = new Float64Array(n).fill(Number.NaN);
            run.members.set(m.detector, column);
          }
          column[i] = m.pValue;
        }
      });
    }
  };
  const adaptIdx: number[] = [];
  const scoredIdx: number[] = [];
  for (let i = 0; i < n; i++) {
    if (plan.adapt[i]) adaptIdx.push(i);
    else if (plan.scored[i]) scoredIdx.push(i);
  }
  await detectors.ready();
  try {
    await feed(adaptIdx, false);
    // A segment whose warm-up training failed would relearn from the next flows, i.e. from flows the plan
    // scores: it is left out instead, so no model ever trains on anything but its adaptation flows.
    const failed = new Set<string>();
    for (const snapshot of detectors.snapshots()) {
      if (snapshot.state === 'learning') {
        failed.add(snapshot.segment);
        continue;
      }
      await detectors.restore({
        ...snapshot,
        forecaster: { ...snapshot.forecaster, tick: Number.NaN, count: 0, bySrc: [], byDst: [] },
      });
    }
    await feed(
      scoredIdx.filter((i) => !failed.has(routed[i]!.segment)),
      true,
    );
  } finally {
    await detectors.close();
  }
  return run;
}

/** Ranking metrics over the flows scored in `run`, and the realized false-alert rate at the thresholds. */
export function plannedMetrics(
  run: Pick<PlannedRun, 'scores' | 'scored'> & { thresholds?: Float64Array },
  labels: ArrayLike<number>,
): { ranking: RankingMetrics; falseAlertRate: number } {
  const scores: number[] = [];
  const truth: number[] = [];
  let benign = 0;
  let falseAlerts = 0;
  run.scored.forEach((s, i) => {
    if (!s) return;
    scores.push(run.scores[i]!);
    truth.push(labels[i] ? 1 : 0);
    if (!labels[i] && run.thresholds) {
      benign++;
      if (run.scores[i]! >= run.thresholds[i]!) falseAlerts++;
    }
  });
  return {
    ranking: rankingMetrics(scores, truth),
    falseAlertRate: run.thresholds && benign > 0 ? falseAlerts / benign : Number.NaN,
  };
}
