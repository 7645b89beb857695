import type { TapwatchConfig } from '../config/schema.js';
import type { AutoencoderWeights } from '../meta/autoencoder.js';
import {
  type ForecasterFile,
  type ForecasterOverride,
  forecasterOverride,
} from '../meta/forecast/forecaster-file.js';
import { type BenignRow, benignMarkdown, benignSuite } from './benign-suite.js';
import {
  forecastMarkdown,
  forecastSuite,
  loadForecastSeries,
  trainForecasterOnGenerated,
} from './forecast-suite.js';
import { type StopddosRow, stopddosMarkdown, stopddosSuite } from './stopddos-suite.js';

/** One generated section of docs/evaluation.md: its block name, its heading and the table text. */
export interface SuiteSection {
  name: string;
  heading: string;
  body: string;
}

type SuiteConfig = Pick<TapwatchConfig, 'flows' | 'segments' | 'features' | 'detector'>;

/**
 * The forecast, benign-only and StopDDoS sections, at the config's own `detector.warmupFlows` (the daemon's
 * default, not the comparison's budget), each run with the fixed forecaster defaults and with the meta-learned
 * forecaster: the bundled model's `forecaster.json`, or when it ships none, one fitted now with
 * `meta-train:default`'s recipe (what it would hold).
 */
export async function extraSections(options: {
  config: SuiteConfig;
  initialWeights: AutoencoderWeights;
  dataDir: string;
  /** The bundled model's `forecaster.json`, when it ships one. */
  shipped: ForecasterFile | undefined;
  log: (text: string) => void;
}): Promise<SuiteSection[]> {
  const { config, initialWeights, dataDir, log } = options;
  const q = config.detector.falseAlertRate;
  const warmupFlows = config.detector.warmupFlows;
  const learned = forecasterOverride(options.shipped ?? (await trainForecasterOnGenerated(config)));
  const variants: [string, ForecasterOverride | undefined][] = [
    ['fixed defaults', undefined],
    [`meta-learned${options.shipped ? ' (models/default/forecaster.json)' : ' (not shipped)'}`, learned],
  ];
  const { series, skipped } = await loadForecastSeries(dataDir, config);
  const forecast = forecastMarkdown(
    forecastSuite(series, { seed: 1, seasonTicks: config.detector.forecast.seasonTicks }),
  );
  log(`forecast suite: ${series.length} series`);
  const benign: string[] = [];
  const benignRows: { variant: string; rows: BenignRow[] }[] = [];
  const stopddos: string[] = [];
  const stopddosRows: { variant: string; rows: StopddosRow[] }[] = [];
  for (const [variant, forecaster] of variants) {
    const b = await benignSuite({ config, initialWeights, dataDir, ...(forecaster ? { forecaster } : {}) });
    benignRows.push({ variant, rows: b.rows });
    benign.push(labelled(variant, benignMarkdown(b, { q, warmupFlows })));
    const s = await stopddosSuite({ config, initialWeights, dataDir, ...(forecaster ? { forecaster } : {}) });
    stopddosRows.push({ variant, rows: s.rows });
    stopddos.push(labelled(variant, stopddosMarkdown(s, { q, warmupFlows })));
    log(`benign and StopDDoS suites, forecaster ${variant}: done`);
  }
  return [
    {
      name: 'forecast',
      heading: '## Volume forecast error',
      body: `${forecast}${skipped.map((s) => `- skipped: ${s}\n`).join('')}`,
    },
    {
      name: 'benign',
      heading: '## False alerts on benign-only traffic',
      body: `${benignSummary(benignRows, q)}\n${benign.join('\n')}`,
    },
    {
      name: 'stopddos',
      heading: '## StopDDoS captures',
      body: `${stopddosSummary(stopddosRows)}\n${stopddos.join('\n')}`,
    },
  ];
}

/** A suite's markdown with the forecaster variant added to its heading. */
function labelled(variant: string, markdown: string): string {
  return markdown.replace(/^### (.*)$/m, `### $1 — forecaster: ${variant}`);
}

const f = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/** Pooled false alerts over every scored benign input, per forecaster variant. */
export function benignSummary(
  variants: readonly { variant: string; rows: readonly BenignRow[] }[],
  q: number,
) {
  const lines = variants.map(({ variant, rows }) => {
    const scored = rows.reduce((a, r) => a + r.scoredFlows, 0);
    const alerts = rows.reduce((a, r) => a + r.alerts, 0);
    const pass = rows.filter((r) => r.pass === true).length;
    const judged = rows.filter((r) => r.pass !== undefined).length;
    return `| ${variant} | ${scored} | ${alerts} | ${f(scored > 0 ? alerts / scored : Number.NaN)} | ${pass}/${judged} |`;
  });
  return `| forecaster | scored flows (all inputs) | false alerts | pooled rate | inputs ≤ 2q = ${2 * q} |
|---|---|---|---|---|
${lines.join('\n')}
`;
}

/** Mean alert recall and pooled false-alert rate over the StopDDoS captures, per forecaster variant. */
export function stopddosSummary(variants: readonly { variant: string; rows: readonly StopddosRow[] }[]) {
  const lines = variants.map(({ variant, rows }) => {
    const recall = rows.reduce((a, r) => a + r.alertRecall, 0) / (rows.length || Number.NaN);
    const minRecall = Math.min(...rows.map((r) => r.alertRecall));
    const benignScored = rows.reduce((a, r) => a + (r.scoredFlows - r.scoredAttackFlows), 0);
    const falseAlerts = rows.reduce((a, r) => a + (r.alerts - Math.round(r.alertRecall * r.attackFlows)), 0);
    return `| ${variant} | ${rows.length} | ${f(recall, 3)} | ${f(rows.length ? minRecall : Number.NaN, 3)} | ${falseAlerts} | ${f(benignScored > 0 ? falseAlerts / benignScored : Number.NaN)} |`;
  });
  return `| forecaster | captures | mean alert recall | lowest alert recall | false alerts | pooled false-alert rate |
|---|---|---|---|---|---|
${lines.join('\n')}
`;
}
