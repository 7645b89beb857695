import type { EvalResult } from './evaluate-input.js';

/** The plain-text summary `tapwatch eval` prints on stdout. */
export function formatEvalSummary(r: EvalResult, outDir: string): string {
  const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const lines = [
    `input            ${r.input.path}: ${r.input.flows} flows, ${r.input.malicious} malicious (labels: ${r.input.labelSource})`,
    `model            ${r.model.name} (${r.model.method}), warm-up ${r.warmupFlows} flows, q ${r.falseAlertRate}`,
    `scored flows     ${r.scoredFlows}`,
    `ROC-AUC          ${f(r.ranking.rocAuc)}`,
    `PR-AUC           ${f(r.ranking.prAuc)}`,
    `TPR@FPR=1e-3     ${f(r.ranking.tprAtFpr1e3)}`,
    `TPR@FPR=1e-2     ${f(r.ranking.tprAtFpr1e2)}`,
    `alerts           ${r.alerts.alerts}: precision ${f(r.alerts.precision)}, recall ${f(r.alerts.recall)}`,
    `false-alert rate ${f(r.alerts.realizedFalseAlertRate, 5)} (target q ${r.falseAlertRate})`,
    `throughput       ${Math.round(r.throughput.flowsPerSecond)} flows/s (${f(r.throughput.seconds, 2)} s)`,
    'segments         flows  malicious  flows-to-ready  s-to-ready  training-ms  ROC-AUC',
    ...r.segments.map(
      (s) =>
        `  ${s.segment.padEnd(15)}${String(s.flows).padStart(6)}${String(s.malicious).padStart(11)}${String(s.flowsToReady).padStart(16)}${f(s.secondsToReady, 1).padStart(12)}${f(s.trainingMs, 0).padStart(13)}  ${f(s.rocAuc)}`,
    ),
  ];
  if (r.adaptationCurve.length > 0) {
    lines.push(`adaptation curve (same ${r.adaptationCurve[0]!.evaluatedFlows} flows for every budget)`);
    for (const c of r.adaptationCurve) {
      lines.push(
        `  n=${String(c.budget).padEnd(5)} steps=${String(c.innerSteps).padEnd(5)} ROC-AUC ${f(c.rocAuc)}  PR-AUC ${f(c.prAuc)}`,
      );
    }
  }
  lines.push(`wrote            ${outDir}/eval.json, ${outDir}/report.html`);
  return `${lines.join('\n')}\n`;
}
