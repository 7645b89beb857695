#!/usr/bin/env node
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TapwatchConfig } from '../config/schema.js';
import { readLabelledInput } from '../ingest/files/read-labelled-input.js';
import { adaptForecaster, fitAdaptation, fitForecasterInit } from '../meta/forecast/fit-forecaster.js';
import type { ForecasterFile } from '../meta/forecast/forecaster-file.js';
import {
  DEFAULT_FORECASTER_PARAMS,
  type ForecasterParams,
  meanAbsError,
  naiveScale,
  oneStepForecasts,
} from '../meta/forecast/holt-winters.js';
import { forecastSeries, trainForecaster } from '../meta/forecast/train-forecaster.js';
import { generateCapture } from '../tools/traffic/generate-capture.js';

/** A segment's benign count series; `train` series only ever train, `loso` are held out in turn, `test` never train. */
export interface CountSeries {
  dataset: string;
  segment: string;
  role: 'train' | 'loso' | 'test';
  counts: Float64Array;
}

/** One method's one-step accuracy on one held-out series, over the ticks after the adaptation window. */
export interface ForecastRow {
  dataset: string;
  segment: string;
  method: string;
  /** Ticks evaluated. */
  ticks: number;
  mae: number;
  /** MAE over the naive last-value MAE on the same ticks. */
  mase: number;
  /** Parameters used (Holt–Winters rows). */
  params?: ForecasterParams;
  /** Pull toward the shared values during adaptation; null = adaptation off (adaptation rows). */
  pull?: number | null;
}

/** Options of {@link forecastSuite}. */
export interface ForecastSuiteOptions {
  seed?: number;
  seasonTicks?: number;
  /** Ticks each held-out segment adapts on; every method is scored only after them (default 60). */
  adaptTicks?: number;
  /** Periods of the seasonal-naive baselines, ticks (default 6 and 60: one and ten minutes of 10 s ticks). */
  seasonalPeriods?: readonly number[];
}

export const METHODS = {
  naive: 'naive (last value)',
  hwDefault: 'Holt–Winters, fixed defaults',
  meta: 'meta-learned init',
  adaptedFixed: 'meta-learned + adaptation (pull 0.5)',
  adapted: 'meta-learned + adaptation (learned pull)',
} as const;

/** The shared initialization of one fold and the adaptation pull learned with it (undefined = off). */
export interface FoldFit {
  init: ForecasterParams;
  pull: number | undefined;
}

/**
 * Leave-one-segment-out comparison. For each `loso` and `test` series, the shared initialization is fitted on
 * every other series that is not `test` (so `test` segments never train and a held-out segment never sees
 * itself); adaptation uses only the segment's first `adaptTicks` ticks; all methods are scored on the rest.
 */
export function forecastSuite(
  series: readonly CountSeries[],
  options: ForecastSuiteOptions = {},
): ForecastRow[] {
  const seed = options.seed ?? 1;
  const m = options.seasonTicks ?? 0;
  const head = options.adaptTicks ?? 60;
  const periods = options.seasonalPeriods ?? [6, 60];
  const fits = new Map<string, FoldFit>();
  const rows: ForecastRow[] = [];
  for (const held of series) {
    if (held.role === 'train' || held.counts.length <= head + 1) continue;
    const train = series.filter((s) => s !== held && s.role !== 'test');
    const key = train.map((s) => `${s.dataset}/${s.segment}`).join('|');
    let fit = fits.get(key);
    if (!fit) {
      const counts = train.map((s) => s.counts);
      const init = fitForecasterInit(counts, seed, { seasonTicks: m });
      fit = { init, pull: fitAdaptation(counts, init, { seasonTicks: m, adaptTicks: head }).pull };
      fits.set(key, fit);
    }
    rows.push(...scoreHeldOut(held, fit, { seasonTicks: m, adaptTicks: head, seasonalPeriods: periods }));
  }
  return rows;
}

/** Every method's rows for one held-out series, given the shared initialization fitted without it. */
export function scoreHeldOut(
  held: Pick<CountSeries, 'dataset' | 'segment' | 'counts'>,
  fit: FoldFit,
  options: { seasonTicks: number; adaptTicks: number; seasonalPeriods: readonly number[] },
): ForecastRow[] {
  const { init, pull } = fit;
  const y = held.counts;
  const from = options.adaptTicks;
  const scale = naiveScale(y, from);
  const row = (
    method: string,
    forecasts: ArrayLike<number>,
    params?: ForecasterParams,
    adaptPull?: number | null,
  ): ForecastRow => {
    const mae = meanAbsError(y, forecasts, from);
    return {
      dataset: held.dataset,
      segment: held.segment,
      method,
      ticks: y.length - from,
      mae,
      mase: scale > 0 ? mae / scale : Number.NaN,
      ...(params ? { params } : {}),
      ...(adaptPull === undefined ? {} : { pull: adaptPull }),
    };
  };
  const lagged = (lag: number) =>
    Float64Array.from(y, (_, t) => (t >= lag ? y[t - lag]! : y[Math.max(0, t - 1)]!));
  const head = y.subarray(0, from);
  const fixed = adaptForecaster(init, head, { seasonTicks: options.seasonTicks, pull: 0.5 });
  const learned =
    pull === undefined ? undefined : adaptForecaster(init, head, { seasonTicks: options.seasonTicks, pull });
  const hw = (p: ForecasterParams, change?: ForecasterParams) =>
    oneStepForecasts(y, p, options.seasonTicks, change ? { atTick: from, params: change } : undefined)
      .forecasts;
  return [
    row(METHODS.naive, lagged(1)),
    ...options.seasonalPeriods.map((p) => row(`seasonal naive (${p} ticks)`, lagged(p))),
    row(METHODS.hwDefault, hw(DEFAULT_FORECASTER_PARAMS), DEFAULT_FORECASTER_PARAMS),
    row(METHODS.meta, hw(init), init),
    // The daemon's path: the init runs through the head, then the adapted parameters take over.
    row(METHODS.adaptedFixed, hw(init, fixed), fixed, 0.5),
    row(METHODS.adapted, hw(init, learned), learned ?? init, pull ?? null),
  ];
}

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const pf = (r: ForecastRow) => {
  const p = r.params;
  if (!p) return '';
  const pull = r.pull === undefined ? '' : r.pull === null ? ', adaptation off' : `, pull ${r.pull}`;
  return `α ${f(p.alpha, 2)} β ${f(p.beta, 2)} φ ${f(p.phi, 2)} w ${f(p.residualSmoothing, 2)}${pull}`;
};

/** Markdown: macro mean MASE per method over held-out series (wins against the fixed defaults), then per series. */
export function forecastMarkdown(rows: readonly ForecastRow[]): string {
  const methods = [...new Set(rows.map((r) => r.method))];
  const held = [...new Set(rows.map((r) => `${r.dataset}\u0000${r.segment}`))];
  const base = new Map(
    rows.filter((r) => r.method === METHODS.hwDefault).map((r) => [`${r.dataset}\u0000${r.segment}`, r]),
  );
  const macro = methods.map((method) => {
    const mine = rows.filter((r) => r.method === method && Number.isFinite(r.mase));
    const mean = mine.reduce((a, r) => a + r.mase, 0) / (mine.length || Number.NaN);
    const wins = mine.filter(
      (r) => r.mase < (base.get(`${r.dataset}\u0000${r.segment}`)?.mase ?? Number.NaN),
    ).length;
    const median =
      [...mine.map((r) => r.mase)].sort((a, b) => a - b)[Math.floor(mine.length / 2)] ?? Number.NaN;
    return `| ${method} | ${mine.length} | ${f(mean)} | ${f(median)} | ${method === METHODS.hwDefault ? '—' : `${wins}/${mine.length}`} |`;
  });
  const detail = rows.map(
    (r) =>
      `| ${r.dataset} | ${r.segment} | ${r.ticks} | ${r.method} | ${f(r.mae)} | ${f(r.mase)} | ${pf(r)} |`,
  );
  return `### Volume forecaster: one-step accuracy, leave one segment out

${held.length} held-out segments; MASE = one-step MAE / naive last-value MAE on the same ticks (naive = 1).

| method | segments | mean MASE | median MASE | better than fixed defaults |
|---|---|---|---|---|
${macro.join('\n')}

| dataset | segment | ticks | method | MAE | MASE | parameters |
|---|---|---|---|---|---|---|
${detail.join('\n')}
`;
}

/**
 * The suite's series: each IoT-23 scenario is one segment (`loso`); the generator's segments with seeds 11–13
 * train and seed 7 (the bundled sample's) tests. Benign flows only. Missing IoT-23 data is reported, not fatal.
 */
export async function loadForecastSeries(
  dataDir: string,
  config: Pick<TapwatchConfig, 'flows' | 'segments' | 'detector'>,
): Promise<{ series: CountSeries[]; skipped: string[] }> {
  const { tickSeconds, openTicks } = config.detector.forecast;
  const series: CountSeries[] = [];
  const skipped: string[] = [];
  const iot23 = path.join(dataDir, 'iot23');
  const files = (await readdir(iot23).catch(() => [] as string[])).filter((f) => f.endsWith('.csv')).sort();
  if (files.length === 0) skipped.push(`no IoT-23 CSVs in ${iot23}`);
  // A scenario is one device on its own network: one segment, whatever the router would make of it.
  const oneSegment = {
    ...config.segments,
    definitions: [{ name: 'device', cidrs: ['0.0.0.0/0', '::/0'], vlans: [], exporters: [] }],
  };
  for (const file of files) {
    const input = await readLabelledInput(path.join(iot23, file), config.flows);
    const [s] = forecastSeries([input], oneSegment as typeof config.segments, tickSeconds, openTicks);
    if (s)
      series.push({
        dataset: `IoT-23 ${file.replace('-labeled.csv', '')}`,
        segment: 'device',
        role: 'loso',
        counts: s.counts,
      });
    else skipped.push(`${file}: fewer than 30 ticks`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'tapwatch-forecast-'));
  try {
    for (const seed of [11, 12, 13, 7]) {
      const out = path.join(dir, `s${seed}.pcap`);
      generateCapture({ out, seed, snapLength: 80, vlanTags: false });
      const input = await readLabelledInput(out, config.flows, { siblingLabels: true });
      for (const s of forecastSeries([input], config.segments, tickSeconds, openTicks)) {
        const segment = s.name.split('/')[1]!;
        if (!config.segments.definitions.some((d) => d.name === segment)) continue;
        series.push({
          dataset: `generated seed ${seed}`,
          segment,
          role: seed === 7 ? 'test' : 'train',
          counts: s.counts,
        });
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { series, skipped };
}

/**
 * The forecaster as `meta-train:default` would fit it: on the generator's captures with seeds 11–13 (never
 * the bundled sample's 7), attack flows left out. What `forecaster.json` of models/default would hold.
 */
export async function trainForecasterOnGenerated(
  config: Pick<TapwatchConfig, 'flows' | 'segments' | 'detector'>,
  seeds: readonly number[] = [11, 12, 13],
  seed = 1,
): Promise<Omit<ForecasterFile, 'format' | 'version'>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tapwatch-forecast-'));
  try {
    const inputs = [];
    for (const s of seeds) {
      const out = path.join(dir, `s${s}.pcap`);
      generateCapture({ out, seed: s, snapLength: 80, vlanTags: false });
      inputs.push(await readLabelledInput(out, config.flows, { siblingLabels: true }));
    }
    return trainForecaster(inputs, { segments: config.segments, forecast: config.detector.forecast }, seed);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { loadConfig } = await import('../config/load-config.js');
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const dataDir = process.argv[2] ?? path.join(root, '..', 'shared', 'data');
  const { config } = loadConfig(path.join(root, 'config', 'tapwatch.yaml'));
  const { series, skipped } = await loadForecastSeries(dataDir, config);
  for (const s of skipped) process.stderr.write(`skipped: ${s}\n`);
  const rows = forecastSuite(series, { seed: 1, seasonTicks: config.detector.forecast.seasonTicks });
  process.stdout.write(forecastMarkdown(rows));
}
