import type { TapwatchConfig } from '../config/schema.js';
import type { LabelledFlows } from '../ingest/files/read-labelled-input.js';
import { RobustScaler } from '../meta/scaler.js';
import { extractSegmentRows, pickRows } from '../meta/training/segment-rows.js';
import type { AdaptationPlan } from './adaptation-plan.js';
import { KitNet } from './kitnet.js';

/**
 * The KitNET baseline on one input under an {@link AdaptationPlan}: per segment, like the daemon, it learns
 * from the plan's adaptation flows (features extracted over the whole stream, labels unseen) and scores the
 * plan's scored flows, so it is judged on exactly the flows the other methods are. Raw RMSEs are not
 * comparable across segments, so each segment's scores are standardized against its own adaptation scores
 * (log RMSE minus their median, over their interquartile spread) before all flows are ranked together.
 * Returns a score per input flow (NaN where not scored).
 */
export async function kitnetTrial(
  input: LabelledFlows,
  config: Pick<TapwatchConfig, 'segments' | 'features' | 'detector'>,
  plan: AdaptationPlan,
): Promise<{ scores: Float64Array; scored: Uint8Array }> {
  const { featureNames, segments } = extractSegmentRows(input, config.segments, config.features);
  const dim = featureNames.length;
  const scores = new Float64Array(input.flows.length).fill(Number.NaN);
  const scored = new Uint8Array(input.flows.length);
  for (const part of segments) {
    const adaptRows: number[] = [];
    const scoredRows: number[] = [];
    part.flowIndex.forEach((i, k) => {
      if (plan.adapt[i]) adaptRows.push(k);
      else if (plan.scored[i]) scoredRows.push(k);
    });
    if (adaptRows.length === 0 || scoredRows.length === 0) continue;
    const warmup = pickRows(part, adaptRows, dim);
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
      const rest = net.score(scaler.transform(pickRows(part, scoredRows, dim)), dim);
      rest.forEach((s, k) => {
        const i = part.flowIndex[scoredRows[k]!]!;
        scores[i] = (Math.log(s + 1e-12) - median) / spread;
        scored[i] = 1;
      });
    } finally {
      net.dispose();
    }
  }
  return { scores, scored };
}
