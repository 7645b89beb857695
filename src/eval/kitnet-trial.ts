import type { TapwatchConfig } from '../config/schema.js';
import type { LabelledFlows } from '../ingest/files/read-labelled-input.js';
import { RobustScaler } from '../meta/scaler.js';
import { extractSegmentRows } from '../meta/training/segment-rows.js';
import { KitNet } from './kitnet.js';
import { type RankingMetrics, rankingMetrics } from './ranking-metrics.js';

/**
 * The KitNET baseline on one input at a warm-up budget: per segment, like the daemon, it learns from
 * the segment's first `budget` flows (labels unseen) and scores the rest. Raw RMSEs are not comparable
 * across segments, so each segment's scores are standardized against its own warm-up scores
 * (log RMSE minus the warm-up median, over the warm-up spread) before ranking all flows together.
 */
export async function kitnetTrial(
  input: LabelledFlows,
  config: Pick<TapwatchConfig, 'segments' | 'features' | 'detector'>,
  budget: number,
): Promise<RankingMetrics> {
  const { featureNames, segments } = extractSegmentRows(input, config.segments, config.features);
  const dim = featureNames.length;
  const scores: number[] = [];
  const labels: number[] = [];
  for (const part of segments) {
    if (part.count <= budget) continue;
    const warmup = part.rows.subarray(0, budget * dim);
    const scaler = new RobustScaler();
    scaler.fit(warmup, dim);
    const net = new KitNet({
      seed: config.detector.seed,
      epochs: Math.min(10, config.detector.warmupEpochs),
    });
    try {
      await net.fit(scaler.transform(warmup), dim);
      const base = [...net.score(scaler.transform(warmup), dim)]
        .map((s) => Math.log(s + 1e-12))
        .sort((a, b) => a - b);
      const median = base[Math.floor(base.length / 2)]!;
      const spread = Math.max(
        1e-6,
        base[Math.floor(base.length * 0.75)]! - base[Math.floor(base.length * 0.25)]!,
      );
      const rest = net.score(scaler.transform(part.rows.subarray(budget * dim)), dim);
      rest.forEach((s, k) => {
        scores.push((Math.log(s + 1e-12) - median) / spread);
        labels.push(part.labels[budget + k]!);
      });
    } finally {
      net.dispose();
    }
  }
  return rankingMetrics(scores, labels);
}
