import type { DetectorConfig, SegmentsConfig } from '../../config/schema.js';
import type { FlowRecord } from '../../core/flow-record.js';
import { SegmentRouter } from '../../features/segment-router.js';
import { tickCountsBySegment } from './count-series.js';
import { fitAdaptation, fitForecasterInit, meanMase } from './fit-forecaster.js';
import type { ForecasterFile } from './forecaster-file.js';
import { DEFAULT_FORECASTER_PARAMS } from './holt-winters.js';

/** One input of the forecaster's meta-training: its flows in stream order and, when known, 0/1 labels. */
export interface ForecastInput {
  flows: readonly FlowRecord[];
  labels?: Uint8Array;
}

/** Segments with fewer ticks than this are too short to tell parameters apart and are left out. */
const MIN_SERIES_TICKS = 30;

/**
 * The training tasks of the forecaster: one count series per (input, segment), counted as the segment's
 * forecaster counts them. Flows labelled malicious are left out when labels are given, so the shared
 * parameters learn benign volume, not how to follow a flood. Flows are routed on copies (inputs are untouched).
 */
export function forecastSeries(
  inputs: readonly ForecastInput[],
  segments: SegmentsConfig,
  tickSeconds: number,
  openTicks = 1,
): { name: string; counts: Float64Array }[] {
  const out: { name: string; counts: Float64Array }[] = [];
  inputs.forEach((input, k) => {
    const router = new SegmentRouter(segments);
    const benign = input.flows.filter((_, i) => !input.labels?.[i]);
    const series = tickCountsBySegment(benign, tickSeconds, (f) => router.route({ ...f }).segment, openTicks);
    for (const [segment, counts] of series)
      if (counts.length >= MIN_SERIES_TICKS) out.push({ name: `${k}/${segment}`, counts });
  });
  return out;
}

/**
 * What `meta-train` writes to `forecaster.json` (pass to `saveForecasterParams`): the shared parameters fitted
 * on every segment of every input, the adaptation pull learned with them (`fitAdaptation`), and the mean
 * training MASE of the defaults and of the fit.
 */
export function trainForecaster(
  inputs: readonly ForecastInput[],
  config: {
    segments: SegmentsConfig;
    forecast: Pick<DetectorConfig['forecast'], 'tickSeconds' | 'seasonTicks'> & { openTicks?: number };
  },
  seed: number,
  adaptTicks = 60,
): Omit<ForecasterFile, 'format' | 'version'> {
  const { tickSeconds, seasonTicks, openTicks = 1 } = config.forecast;
  const series = forecastSeries(inputs, config.segments, tickSeconds, openTicks).map((s) => s.counts);
  const params = fitForecasterInit(series, seed, { seasonTicks });
  const { pull } = fitAdaptation(series, params, { seasonTicks, adaptTicks, steps: 5 });
  return {
    params,
    adaptation: pull === undefined ? null : { ticks: adaptTicks, steps: 5, pull },
    tickSeconds,
    seasonTicks,
    training: {
      series: series.length,
      ticks: series.reduce((a, s) => a + s.length, 0),
      seed,
      defaultMase: meanMase(series, DEFAULT_FORECASTER_PARAMS, seasonTicks),
      fittedMase: meanMase(series, params, seasonTicks),
    },
  };
}
