import type { EvalResult } from './evaluate-input.js';
import type { OnlineRun } from './online-run.js';
import { esc, svgChart } from './svg-chart.js';

/** Most score points plotted: beyond this the series is thinned (alerts and attack flows are always kept). */
const MAX_POINTS = 4000;

/**
 * A self-contained HTML report (inline CSS and SVG, no scripts): the summary table, score and
 * threshold over time with attack spans shaded, the ROC curve and the adaptation curve.
 */
export function reportHtml(result: EvalResult, run: OnlineRun, labels: Uint8Array): string {
  const t0 = run.timesMs.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  const minutes = (ms: number) => (ms - t0) / 60_000;
  const keep = thinIndices(run, labels);
  const benign = keep
    .filter((i) => !labels[i])
    .map((i) => [minutes(run.timesMs[i]!), run.scores[i]!] as const);
  const attack = keep
    .filter((i) => labels[i])
    .map((i) => [minutes(run.timesMs[i]!), run.scores[i]!] as const);
  const threshold = run.thresholds.find((_, i) => run.ready[i] === 1) ?? run.thresholds[0] ?? 0;
  const xs = keep.map((i) => minutes(run.timesMs[i]!));
  const xEnd = Math.max(1, ...xs);
  const yMax = Math.max(threshold * 1.5, ...keep.map((i) => Math.min(run.scores[i]!, 40)));
  const timeline = svgChart({
    title: 'Score and threshold over time',
    xLabel: 'minutes since the first flow',
    yLabel: 'score = -log10(p)',
    xDomain: [0, xEnd],
    yDomain: [0, yMax],
    spans: {
      label: 'attack',
      ranges: result.attackSpans.map((s) => [minutes(s.startMs), minutes(s.endMs)] as const),
    },
    series: [
      { label: 'benign flow', color: '#4a78c2', kind: 'dots', points: benign },
      { label: 'attack flow', color: '#d62728', kind: 'dots', points: attack },
      {
        label: 'threshold',
        color: '#222',
        kind: 'line',
        points: [
          [0, threshold],
          [xEnd, threshold],
        ],
      },
    ],
  });
  const roc = svgChart({
    title: `ROC (AUC ${fmt(result.ranking.rocAuc)})`,
    xLabel: 'false-positive rate',
    yLabel: 'true-positive rate',
    xDomain: [0, 1],
    yDomain: [0, 1],
    width: 380,
    height: 340,
    series: [
      {
        label: 'chance',
        color: '#bbb',
        kind: 'line',
        points: [
          [0, 0],
          [1, 1],
        ],
      },
      {
        label: 'detector',
        color: '#d62728',
        kind: 'line',
        points: result.roc.map((p) => [p.fpr, p.tpr] as const),
      },
    ],
  });
  const curve = result.adaptationCurve.filter((c) => Number.isFinite(c.rocAuc));
  const adaptation = svgChart({
    title: 'Adaptation curve',
    xLabel: 'warm-up flows per segment (log2)',
    yLabel: 'ROC-AUC',
    yDomain: [0, 1],
    width: 380,
    height: 340,
    formatX: (x) => String(Math.round(2 ** x)),
    series: [
      {
        label: 'ROC-AUC',
        color: '#2ca02c',
        kind: 'line',
        points: curve.map((c) => [Math.log2(c.budget), c.rocAuc] as const),
      },
    ],
  });
  return page(result, timeline, roc, adaptation);
}

function page(r: EvalResult, timeline: string, roc: string, adaptation: string): string {
  const rows: [string, string][] = [
    [
      'input',
      `${r.input.path} (${r.input.format}, ${r.input.flows} flows, ${r.input.malicious} malicious, labels: ${r.input.labelSource})`,
    ],
    ['model', `${r.model.name} (${r.model.method})`],
    ['scored flows', String(r.scoredFlows)],
    ['ROC-AUC / PR-AUC', `${fmt(r.ranking.rocAuc)} / ${fmt(r.ranking.prAuc)}`],
    ['TPR at FPR 1e-3 / 1e-2', `${fmt(r.ranking.tprAtFpr1e3)} / ${fmt(r.ranking.tprAtFpr1e2)}`],
    [
      'alerts (precision / recall)',
      `${r.alerts.alerts} (${fmt(r.alerts.precision)} / ${fmt(r.alerts.recall)})`,
    ],
    ['false-alert rate (target q)', `${fmt(r.alerts.realizedFalseAlertRate, 5)} (${r.falseAlertRate})`],
    ['throughput', `${Math.round(r.throughput.flowsPerSecond)} flows/s`],
  ];
  const segmentRows = r.segments
    .map(
      (s) =>
        `<tr><td>${esc(s.segment)}</td><td>${s.flows}</td><td>${s.malicious}</td><td>${s.flowsToReady}</td><td>${fmt(s.secondsToReady, 1)}</td><td>${fmt(s.trainingMs, 0)}</td><td>${fmt(s.rocAuc)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tapwatch evaluation</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:1180px;color:#222}
table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;font-size:13px}
th{background:#f3f3f3}.row{display:flex;gap:16px;flex-wrap:wrap}svg{border:1px solid #ddd;margin:6px 0}</style></head>
<body><h1>tapwatch evaluation</h1>
<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>
${timeline}
<div class="row">${roc}${adaptation}</div>
<h2>Segments</h2>
<table><tr><th>segment</th><th>flows</th><th>malicious</th><th>flows to ready</th><th>seconds to ready</th><th>training ms</th><th>ROC-AUC</th></tr>
${segmentRows}</table>
</body></html>
`;
}

/** Indices to plot: every alert or attack flow, plus an even sample of the rest. */
function thinIndices(run: OnlineRun, labels: Uint8Array): number[] {
  const ready: number[] = [];
  run.ready.forEach((v, i) => {
    if (v) ready.push(i);
  });
  const stride = Math.max(1, Math.ceil(ready.length / MAX_POINTS));
  return ready.filter((i, k) => k % stride === 0 || labels[i] === 1 || run.scores[i]! >= run.thresholds[i]!);
}

function fmt(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}
