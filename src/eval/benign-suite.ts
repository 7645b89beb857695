#!/usr/bin/env node
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TapwatchConfig } from '../config/schema.js';
import { featureNames } from '../features/feature-names.js';
import { readLabelledInput } from '../ingest/files/read-labelled-input.js';
import type { AutoencoderWeights } from '../meta/autoencoder.js';
import { type ForecasterOverride, forecasterOverride } from '../meta/forecast/forecaster-file.js';
import { BUNDLED_MODEL_DIR, type LoadedModel, loadModel } from '../meta/training/load-model.js';
import { writeBenignCapture } from './benign-capture.js';
import { type OnlineRun, runOnline } from './online-run.js';

/** Realized false alerts of the daemon's online path on one benign-only input. */
export interface BenignRow {
  dataset: string;
  flows: number;
  /** Flows scored by a ready model (warm-up flows are not scored). */
  scoredFlows: number;
  alerts: number;
  /** alerts / scoredFlows. */
  rate: number;
  /** Exact (Clopper–Pearson) one-sided 95 % upper bound of the rate. */
  upper95: number;
  /** Pass when rate ≤ 2q; undefined when nothing was scored. */
  pass: boolean | undefined;
}

/** What {@link benignSuite} needs. */
export interface BenignSuiteOptions {
  config: Pick<TapwatchConfig, 'flows' | 'segments' | 'features' | 'detector'>;
  /** Meta-initialization (the bundled model's weights); random when absent. */
  initialWeights?: AutoencoderWeights;
  /** `../shared/data`; its `iot23/CTU-Honeypot-*` scenarios are benign only. */
  dataDir: string;
  /** Generator seeds whose capture, with attacks off, is scored (default 7, the bundled sample's, and 8). */
  seeds?: readonly number[];
  /** Learned volume-forecaster parameters (`forecasterOverride(model.forecaster)`); the defaults when absent. */
  forecaster?: ForecasterOverride;
  /**
   * Flows per batch (default 1024, as a capture source yields them). Models train between batches, so an input
   * of fewer flows than one batch plus the warm-up is never scored; smaller batches (as Kafka delivers) let the
   * small honeypot scenarios be scored.
   */
  batchFlows?: number;
}

/** P(X ≤ k) for X ~ Binomial(n, p), summed in log space. */
function binomialCdf(k: number, n: number, p: number): number {
  if (p <= 0) return 1;
  if (p >= 1) return k >= n ? 1 : 0;
  let logTerm = n * Math.log1p(-p); // P(X = 0)
  let sum = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log((n - i + 1) / i) + Math.log(p / (1 - p));
    sum += Math.exp(logTerm);
  }
  return Math.min(1, sum);
}

/** Smallest p with P(X ≤ k | n, p) ≤ 1 − confidence (one-sided exact upper bound), by bisection. */
export function rateUpperBound(k: number, n: number, confidence = 0.95): number {
  if (n <= 0) return Number.NaN;
  if (k >= n) return 1;
  let lo = k / n;
  let hi = 1;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (binomialCdf(k, n, mid) > 1 - confidence) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The row of one run: every ready-scored flow is benign, so every alert (score ≥ threshold) is false. */
export function benignRow(
  dataset: string,
  run: Pick<OnlineRun, 'scores' | 'thresholds' | 'ready'>,
  q: number,
): BenignRow {
  let scored = 0;
  let alerts = 0;
  run.ready.forEach((ready, i) => {
    if (!ready) return;
    scored++;
    if (run.scores[i]! >= run.thresholds[i]!) alerts++;
  });
  const rate = scored > 0 ? alerts / scored : Number.NaN;
  return {
    dataset,
    flows: run.ready.length,
    scoredFlows: scored,
    alerts,
    rate,
    upper95: rateUpperBound(alerts, scored),
    pass: scored > 0 ? rate <= 2 * q : undefined,
  };
}

/**
 * Scores benign-only traffic through the daemon's online path (features → per-segment detectors with their
 * warm-up, ensemble and thresholds): the generator's captures with attacks off, and the IoT-23 honeypot
 * scenarios. Missing IoT-23 data is listed in `skipped`, not fatal.
 */
export async function benignSuite(
  options: BenignSuiteOptions,
): Promise<{ rows: BenignRow[]; skipped: string[] }> {
  const { config } = options;
  const q = config.detector.falseAlertRate;
  const run = (flows: Parameters<typeof runOnline>[0]) =>
    runOnline(flows, {
      config,
      ...(options.initialWeights ? { initialWeights: options.initialWeights } : {}),
      ...(options.forecaster ? { forecaster: options.forecaster } : {}),
      ...(options.batchFlows ? { batchFlows: options.batchFlows } : {}),
    });
  const rows: BenignRow[] = [];
  const skipped: string[] = [];
  const dir = await mkdtemp(path.join(tmpdir(), 'tapwatch-benign-'));
  try {
    for (const seed of options.seeds ?? [7, 8]) {
      const out = path.join(dir, `benign-${seed}.pcap`);
      writeBenignCapture(out, seed);
      const input = await readLabelledInput(out, config.flows);
      rows.push(benignRow(`generated seed ${seed}, attacks off`, await run(input.flows), q));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const iot23 = path.join(options.dataDir, 'iot23');
  const files = (await readdir(iot23).catch(() => [] as string[])).filter((f) =>
    /^CTU-Honeypot-.*\.csv$/.test(f),
  );
  if (files.length === 0) skipped.push(`no IoT-23 honeypot scenarios in ${iot23}`);
  for (const file of files.sort()) {
    const input = await readLabelledInput(path.join(iot23, file), config.flows);
    const malicious = input.labels?.reduce((a, b) => a + b, 0) ?? 0;
    if (malicious > 0) {
      skipped.push(`${file}: ${malicious} malicious flows, not benign-only`);
      continue;
    }
    rows.push(benignRow(`IoT-23 ${file.replace('-labeled.csv', '')}`, await run(input.flows), q));
  }
  return { rows, skipped };
}

const f = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/** Markdown section: one line per benign input, pass/fail against 2q. */
export function benignMarkdown(
  result: { rows: readonly BenignRow[]; skipped?: readonly string[] },
  run: { q: number; warmupFlows: number; batchFlows?: number },
): string {
  const lines = result.rows.map(
    (r) =>
      `| ${r.dataset} | ${r.flows} | ${r.scoredFlows} | ${r.alerts} | ${f(r.rate)} | ${f(r.upper95)} | ${r.pass === undefined ? 'n/a' : r.pass ? 'pass' : 'FAIL'} |`,
  );
  const skipped = (result.skipped ?? []).map((s) => `- skipped: ${s}\n`).join('');
  return `### False alerts on benign-only traffic (q = ${run.q}, target ≤ 2q = ${2 * run.q}, warm-up ${run.warmupFlows} flows, batches of ${run.batchFlows ?? 1024})

| dataset | flows | scored | alerts | rate | 95 % upper bound | ≤ 2q |
|---|---|---|---|---|---|---|
${lines.join('\n')}
${skipped}`;
}

/** The bundled model (weights and, when shipped, `forecaster.json`), checked against the config as the daemon does. */
export function loadBundledModel(
  config: Pick<TapwatchConfig, 'features' | 'detector'>,
): Promise<LoadedModel> {
  return loadModel(BUNDLED_MODEL_DIR, {
    featureNames: featureNames(config.features.lambdas),
    hiddenUnits: config.detector.hiddenUnits,
    tickSeconds: config.detector.forecast.tickSeconds,
  });
}

/**
 * The forecaster of a suite run: `none` = the defaults, `model` = the bundled model's `forecaster.json` (the
 * defaults when it ships none), `learned` = fitted now with `meta-train:default`'s recipe.
 */
export async function suiteForecaster(
  choice: string | undefined,
  model: LoadedModel,
  config: Pick<TapwatchConfig, 'flows' | 'segments' | 'detector'>,
): Promise<ForecasterOverride | undefined> {
  if (choice === 'learned') return learnedForecaster(config);
  if (choice === 'model' && model.forecaster) return forecasterOverride(model.forecaster);
  return undefined;
}

/** The forecaster `meta-train:default` would learn (generated seeds 11–13), as a {@link ForecasterOverride}. */
export async function learnedForecaster(
  config: Pick<TapwatchConfig, 'flows' | 'segments' | 'detector'>,
): Promise<ForecasterOverride> {
  const { trainForecasterOnGenerated } = await import('./forecast-suite.js');
  return forecasterOverride(await trainForecasterOnGenerated(config));
}

/** What a suite run from the command line needs: `node dist/eval/<suite>.js [warm-up flows] [none|model|learned]`. */
export async function suiteCommandSetup(args: readonly string[]): Promise<{
  config: TapwatchConfig;
  warmupFlows: number;
  initialWeights: AutoencoderWeights;
  forecaster: ForecasterOverride | undefined;
  dataDir: string;
}> {
  const { loadConfig } = await import('../config/load-config.js');
  const { selectBackend } = await import('../meta/backend.js');
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const { config: loaded } = loadConfig(path.join(root, 'config', 'tapwatch.yaml'));
  const warmupFlows = args[0] ? Number(args[0]) : loaded.detector.warmupFlows;
  const config = { ...loaded, detector: { ...loaded.detector, warmupFlows } };
  await selectBackend(config.detector.backend);
  const model = await loadBundledModel(config);
  return {
    config,
    warmupFlows,
    initialWeights: model.weights,
    forecaster: await suiteForecaster(args[1], model, config),
    dataDir: path.join(root, '..', 'shared', 'data'),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // node dist/eval/benign-suite.js [warm-up flows] [none|model|learned] [batch flows]
  const { config, warmupFlows, initialWeights, forecaster, dataDir } = await suiteCommandSetup(
    process.argv.slice(2),
  );
  const batchFlows = Number(process.argv[4] ?? 1024);
  const result = await benignSuite({
    config,
    initialWeights,
    dataDir,
    batchFlows,
    ...(forecaster ? { forecaster } : {}),
  });
  if (forecaster) process.stdout.write(`forecaster: ${JSON.stringify(forecaster)}\n\n`);
  process.stdout.write(
    benignMarkdown(result, { q: config.detector.falseAlertRate, warmupFlows, batchFlows }),
  );
}
