import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { parse } from 'yaml';
import { createMetrics } from '../../../src/telemetry/metrics.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const dashboardFile = path.join(repoRoot, 'deploy/grafana/dashboards/tapwatch.json');
export const rulesFile = path.join(repoRoot, 'deploy/prometheus/tapwatch-rules.yml');

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * Metric names a PromQL expression selects. Enough of PromQL for our own dashboards and rules:
 * strings, label matchers, range selectors and grouping clauses are removed first, then every
 * remaining identifier that is not a function call or keyword is a metric name.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\w+/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()/g)) {
    const name = match[1]!;
    if (!KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return [...names].sort();
}

/** Every series name tapwatch exports, histograms expanded to _bucket/_sum/_count, plus Prometheus's `up`. */
export async function exportedMetricNames(): Promise<Set<string>> {
  const registry = new Registry();
  createMetrics(registry, { version: 'test' });
  const names = new Set<string>(['up']);
  for (const metric of await registry.getMetricsAsJSON()) {
    const type = String(metric.type);
    if (type === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    } else if (type === 'summary') {
      for (const suffix of ['', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    } else {
      names.add(metric.name);
    }
  }
  registry.clear();
  return names;
}

export interface DashboardQuery {
  panel: string;
  refId: string;
  expr: string;
}

interface Panel {
  title: string;
  type: string;
  targets?: { refId: string; expr?: string }[];
  panels?: Panel[];
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Record<string, unknown>[] };
}

export function readDashboard(file = dashboardFile): Dashboard {
  return JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
}

/** Every PromQL target of every panel, rows' nested panels included. */
export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const visit = (panels: Panel[]) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (target.expr !== undefined)
          out.push({ panel: panel.title, refId: target.refId, expr: target.expr });
      }
      visit(panel.panels ?? []);
    }
  };
  visit(dashboard.panels);
  return out;
}

/** Replace Grafana's variables the way Grafana renders them for a Prometheus query. */
export function renderGrafanaExpr(expr: string, vars: { segment: string; rateInterval: string }): string {
  return expr.replaceAll('$__rate_interval', vars.rateInterval).replaceAll('$segment', vars.segment);
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function readAlertRules(file = rulesFile): AlertRule[] {
  const doc = parse(readFileSync(file, 'utf8')) as { groups: { name: string; rules: AlertRule[] }[] };
  return doc.groups.flatMap((group) => group.rules);
}
