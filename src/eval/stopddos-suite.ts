#!/usr/bin/env node
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TapwatchConfig } from '../config/schema.js';
import { readLabelledInput } from '../ingest/files/read-labelled-input.js';
import type { AutoencoderWeights } from '../meta/autoencoder.js';
import type { ForecasterOverride } from '../meta/forecast/forecaster-file.js';
import { writeBenignCapture } from './benign-capture.js';
import { suiteCommandSetup } from './benign-suite.js';
import { type OnlineRun, runOnline } from './online-run.js';
import { type RankingMetrics, rankingMetrics } from './ranking-metrics.js';
import { mixCaptures } from './stopddos-mix.js';

/** Victim network of every StopDDoS capture (anonymised destinations); it joins the `servers` segment. */
export const STOPDDOS_VICTIM_NET = '10.10.10.0/24';
/** 30 minutes into the generated capture's compressed day: every segment has long warmed up. */
export const ATTACK_START_MS = Date.parse('2024-03-12T07:30:00Z');

/** One StopDDoS capture mixed into benign generated traffic and scored through the online path. */
export interface StopddosRow {
  capture: string;
  flows: number;
  attackFlows: number;
  /** Flows scored by a ready model, and the attack flows among them. */
  scoredFlows: number;
  scoredAttackFlows: number;
  /** Over the ready-scored flows. */
  ranking: RankingMetrics;
  alerts: number;
  /** Attack flows alerted on / all attack flows. */
  alertRecall: number;
  /** Benign flows alerted on / benign flows scored. */
  falseAlertRate: number;
}

/** What {@link stopddosSuite} needs. */
export interface StopddosSuiteOptions {
  config: Pick<TapwatchConfig, 'flows' | 'segments' | 'features' | 'detector'>;
  initialWeights?: AutoencoderWeights;
  /** `../shared/data`; its `stopddos/` captures are used. */
  dataDir: string;
  /** Generator seed of the benign background (default 7, the bundled sample's, attacks off). */
  seed?: number;
  /** Learned volume-forecaster parameters (`forecasterOverride(model.forecaster)`); the defaults when absent. */
  forecaster?: ForecasterOverride;
}

/** Measures one run against per-flow labels (1 = from the attack capture). */
export function stopddosRow(
  capture: string,
  run: Pick<OnlineRun, 'scores' | 'thresholds' | 'ready'>,
  labels: Uint8Array,
): StopddosRow {
  const scores: number[] = [];
  const truth: number[] = [];
  let alerts = 0;
  let hits = 0;
  let falseAlerts = 0;
  run.ready.forEach((ready, i) => {
    if (!ready) return;
    scores.push(run.scores[i]!);
    truth.push(labels[i]!);
    const alert = run.scores[i]! >= run.thresholds[i]!;
    if (!alert) return;
    alerts++;
    if (labels[i]) hits++;
    else falseAlerts++;
  });
  const attackFlows = labels.reduce((a, b) => a + b, 0);
  const scoredAttack = truth.reduce((a, b) => a + b, 0);
  const benignScored = truth.length - scoredAttack;
  return {
    capture,
    flows: labels.length,
    attackFlows,
    scoredFlows: truth.length,
    scoredAttackFlows: scoredAttack,
    ranking: rankingMetrics(scores, truth),
    alerts,
    alertRecall: attackFlows > 0 ? hits / attackFlows : Number.NaN,
    falseAlertRate: benignScored > 0 ? falseAlerts / benignScored : Number.NaN,
  };
}

/** `config.segments` with the StopDDoS victim network added to the `servers` segment (as the integration test does). */
function withVictimNet<T extends Pick<TapwatchConfig, 'segments'>>(config: T): T {
  const definitions = config.segments.definitions.map((d) =>
    d.name === 'servers' ? { ...d, cidrs: [...d.cidrs, STOPDDOS_VICTIM_NET] } : d,
  );
  return { ...config, segments: { ...config.segments, definitions } };
}

/**
 * Each StopDDoS capture (attack traffic only) shifted to start at 07:30 in the generator's benign capture
 * (attacks off), merged packet by packet, labelled by source, and scored through the daemon's online path.
 * Without the data directory the result is empty, with the reason.
 */
export async function stopddosSuite(
  options: StopddosSuiteOptions,
): Promise<{ rows: StopddosRow[]; reason?: string }> {
  const dir = path.join(options.dataDir, 'stopddos');
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
  if (files.length === 0) return { rows: [], reason: `no StopDDoS captures in ${dir}` };
  const config = withVictimNet(options.config);
  const work = await mkdtemp(path.join(tmpdir(), 'tapwatch-stopddos-'));
  const rows: StopddosRow[] = [];
  try {
    const benign = path.join(work, 'benign.pcap');
    writeBenignCapture(benign, options.seed ?? 7);
    for (const file of files) {
      const mixed = path.join(work, `${file}.mix.pcap`);
      mixCaptures(benign, path.join(dir, file), mixed, ATTACK_START_MS);
      const input = await readLabelledInput(mixed, config.flows, { siblingLabels: true });
      const run = await runOnline(input.flows, {
        config,
        ...(options.initialWeights ? { initialWeights: options.initialWeights } : {}),
        ...(options.forecaster ? { forecaster: options.forecaster } : {}),
      });
      rows.push(stopddosRow(file, run, input.labels ?? new Uint8Array(input.flows.length)));
      await rm(mixed, { force: true });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { rows };
}

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/** Markdown section: one line per capture. */
export function stopddosMarkdown(
  result: { rows: readonly StopddosRow[]; reason?: string },
  run: { q: number; warmupFlows: number },
): string {
  const head = `### StopDDoS captures mixed into benign generated traffic (q = ${run.q}, warm-up ${run.warmupFlows} flows)\n\n`;
  if (result.rows.length === 0) return `${head}Not run: ${result.reason ?? 'no captures'}.\n`;
  const lines = result.rows.map(
    (r) =>
      `| ${r.capture} | ${r.flows} | ${r.attackFlows} | ${r.scoredAttackFlows} | ${f(r.ranking.rocAuc)} | ${f(r.ranking.prAuc)} | ${f(r.ranking.tprAtFpr1e3)} | ${r.alerts} | ${f(r.alertRecall)} | ${f(r.falseAlertRate, 4)} |`,
  );
  return `${head}| capture | flows | attack flows | attack scored | ROC-AUC | PR-AUC | TPR@FPR 1e-3 | alerts | alert recall | false-alert rate |
|---|---|---|---|---|---|---|---|---|---|
${lines.join('\n')}
`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // node dist/eval/stopddos-suite.js [warm-up flows] [none|model|learned]
  const { config, warmupFlows, initialWeights, forecaster, dataDir } = await suiteCommandSetup(
    process.argv.slice(2),
  );
  const result = await stopddosSuite({
    config,
    initialWeights,
    dataDir,
    ...(forecaster ? { forecaster } : {}),
  });
  if (forecaster) process.stdout.write(`forecaster: ${JSON.stringify(forecaster)}\n\n`);
  process.stdout.write(stopddosMarkdown(result, { q: config.detector.falseAlertRate, warmupFlows }));
}
