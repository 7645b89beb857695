import type { TapwatchConfig } from '../config/schema.js';
import type { LabelledFlows } from '../ingest/files/read-labelled-input.js';
import type { AutoencoderWeights } from '../meta/autoencoder.js';
import type { ForecasterOverride } from '../meta/forecast/forecaster-file.js';
import { type OnlineRun, runOnline, type SegmentAdaptation } from './online-run.js';
import { type RankingMetrics, type RocPoint, rankingMetrics, rocCurve } from './ranking-metrics.js';

/** Adaptation budgets of the curve: warm-up flows per segment (the detector's minimum is 80). */
export const DEFAULT_BUDGETS: readonly number[] = [80, 128, 256, 512, 1024];

/** Everything `eval.json` holds, plus the per-flow series the report plots. */
export interface EvalResult {
  input: {
    path: string;
    format: string;
    flows: number;
    malicious: number;
    labelSource: string;
    packets?: number;
  };
  /** `forecaster`: where the volume forecaster's parameters came from (`forecaster.json` or the defaults). */
  model: { name: string; method: string; forecaster?: string };
  falseAlertRate: number;
  warmupFlows: number;
  /** Over flows scored by a ready model. */
  scoredFlows: number;
  ranking: RankingMetrics;
  alerts: {
    alerts: number;
    truePositives: number;
    precision: number;
    recall: number;
    /** Benign scored flows above threshold / benign scored flows; compare with `falseAlertRate`. */
    realizedFalseAlertRate: number;
  };
  segments: (SegmentAdaptation & { malicious: number; rocAuc: number })[];
  adaptationCurve: {
    budget: number;
    innerSteps: number;
    rocAuc: number;
    prAuc: number;
    evaluatedFlows: number;
  }[];
  throughput: { flowsPerSecond: number; seconds: number };
  roc: RocPoint[];
  attackSpans: { startMs: number; endMs: number }[];
}

/** Options of {@link evaluateInput}. */
export interface EvaluateOptions {
  config: Pick<TapwatchConfig, 'segments' | 'features' | 'detector'>;
  initialWeights?: AutoencoderWeights;
  /** Learned volume-forecaster parameters; the defaults when absent. */
  forecaster?: ForecasterOverride;
  model: EvalResult['model'];
  /** Budgets for the adaptation curve; empty skips it. */
  budgets?: readonly number[];
}

/**
 * Scores a labelled input through the daemon's online path and measures it: ranking quality over
 * the flows a ready model scored, alert precision / recall at the configured threshold, the
 * realized false-alert rate against its target q, per-segment time to adapt, throughput, and the
 * adaptation curve (the run repeated with each warm-up budget, every budget judged on the same
 * flows: those after the largest budget in their segment).
 */
export async function evaluateInput(
  input: LabelledFlows,
  options: EvaluateOptions,
): Promise<{ result: EvalResult; run: OnlineRun; labels: Uint8Array }> {
  const labels = input.labels ?? new Uint8Array(input.flows.length);
  const run = await runOnline(input.flows, options);
  const { detector } = options.config;
  const scored = indicesWhere(run.ready);
  const scores = scored.map((i) => run.scores[i]!);
  const truth = scored.map((i) => labels[i]!);
  let alerts = 0;
  let tp = 0;
  let fp = 0;
  let benign = 0;
  for (const i of scored) {
    const alert = run.scores[i]! >= run.thresholds[i]!;
    if (labels[i]) tp += alert ? 1 : 0;
    else {
      benign++;
      fp += alert ? 1 : 0;
    }
    alerts += alert ? 1 : 0;
  }
  const malicious = labels.reduce((a, b) => a + b, 0);
  const segments = run.adaptation.map((a) => {
    const idx = scored.filter((i) => run.segments[i] === a.segment);
    const m = idx.reduce((s, i) => s + labels[i]!, 0);
    const auc = rankingMetrics(
      idx.map((i) => run.scores[i]!),
      idx.map((i) => labels[i]!),
    ).rocAuc;
    return { ...a, malicious: m, rocAuc: auc };
  });
  const result: EvalResult = {
    input: {
      path: input.path,
      format: input.format,
      flows: input.flows.length,
      malicious,
      labelSource: input.labelSource ?? 'none',
      ...(input.packets === undefined ? {} : { packets: input.packets }),
    },
    model: options.model,
    falseAlertRate: detector.falseAlertRate,
    warmupFlows: detector.warmupFlows,
    scoredFlows: scored.length,
    ranking: rankingMetrics(scores, truth),
    alerts: {
      alerts,
      truePositives: tp,
      precision: alerts > 0 ? tp / alerts : Number.NaN,
      recall: malicious > 0 ? tp / malicious : Number.NaN,
      realizedFalseAlertRate: benign > 0 ? fp / benign : Number.NaN,
    },
    segments,
    adaptationCurve: await adaptationCurve(input, labels, options),
    throughput: {
      flowsPerSecond: run.seconds > 0 ? input.flows.length / run.seconds : 0,
      seconds: run.seconds,
    },
    roc: thin(rocCurve(scores, truth), 400),
    attackSpans: attackSpans(run.timesMs, labels),
  };
  return { result, run, labels };
}

async function adaptationCurve(
  input: LabelledFlows,
  labels: Uint8Array,
  options: EvaluateOptions,
): Promise<EvalResult['adaptationCurve']> {
  const budgets = options.budgets ?? DEFAULT_BUDGETS;
  if (budgets.length === 0) return [];
  const largest = Math.max(...budgets);
  const runs: OnlineRun[] = [];
  for (const budget of budgets) runs.push(await runOnline(input.flows, { ...options, warmupFlows: budget }));
  // The common test set: flows every run scored with a ready model, past the largest warm-up.
  const position = new Map<string, number>();
  const common: number[] = [];
  runs[0]!.segments.forEach((segment, i) => {
    const k = position.get(segment) ?? 0;
    position.set(segment, k + 1);
    if (k >= largest && runs.every((r) => r.ready[i] === 1)) common.push(i);
  });
  const { warmupEpochs } = options.config.detector;
  return budgets.map((budget, b) => {
    const m = rankingMetrics(
      common.map((i) => runs[b]!.scores[i]!),
      common.map((i) => labels[i]!),
    );
    // SegmentDetector trains on three quarters of the warm-up in minibatches of 64.
    const innerSteps = warmupEpochs * Math.ceil(Math.floor((budget * 3) / 4) / 64);
    return { budget, innerSteps, rocAuc: m.rocAuc, prAuc: m.prAuc, evaluatedFlows: common.length };
  });
}

function indicesWhere(mask: Uint8Array): number[] {
  const out: number[] = [];
  mask.forEach((v, i) => {
    if (v) out.push(i);
  });
  return out;
}

/** Malicious flows' times merged into spans (a quiet gap of over 60 s starts a new span). */
function attackSpans(timesMs: Float64Array, labels: Uint8Array): EvalResult['attackSpans'] {
  const times = [...timesMs.filter((_, i) => labels[i] === 1)].sort((a, b) => a - b);
  const spans: EvalResult['attackSpans'] = [];
  for (const t of times) {
    const last = spans.at(-1);
    if (last && t - last.endMs <= 60_000) last.endMs = t;
    else spans.push({ startMs: t, endMs: t });
  }
  return spans;
}

/** At most `max` points, keeping the ends. */
function thin<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  const step = (points.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, k) => points[Math.round(k * step)]!);
}
