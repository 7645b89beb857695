import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  dashboardFile,
  dashboardQueries,
  exportedMetricNames,
  metricNamesIn,
  readDashboard,
  repoRoot,
} from './support/promql.js';

const dashboard = readDashboard();
const queries = dashboardQueries(dashboard);
const variable = (name: string) => dashboard.templating.list.find((v) => v.name === name);

/** Panels by title, rows' nested panels included. */
function panelsByTitle(): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  const visit = (panels: Record<string, unknown>[]) => {
    for (const panel of panels) {
      out.set(panel.title as string, panel);
      visit((panel.panels as Record<string, unknown>[] | undefined) ?? []);
    }
  };
  visit(dashboard.panels as unknown as Record<string, unknown>[]);
  return out;
}

describe('Grafana dashboard', () => {
  it('is a classic dashboard Grafana can provision: fixed uid, schemaVersion <= 42, unique panel ids', () => {
    expect(dashboard.uid).toBe('tapwatch-overview');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(30);
    expect(dashboard.schemaVersion).toBeLessThanOrEqual(42);
    expect((dashboard as unknown as { id: unknown }).id).toBeNull();
    const ids = [...panelsByTitle().values()].map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has a Prometheus datasource variable and a multi-value segment variable with All', () => {
    expect(variable('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    const segment = variable('segment')!;
    expect(segment).toMatchObject({ type: 'query', multi: true, includeAll: true, allValue: '.*' });
    expect(segment.definition).toBe('label_values(tapwatch_segment_threat_score, segment)');
    expect(segment.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
  });

  it('queries through the datasource variable in every panel and target', () => {
    for (const panel of panelsByTitle().values()) {
      if (panel.type === 'row') continue;
      expect(panel.datasource, String(panel.title)).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const target of panel.targets as { datasource: unknown }[]) {
        expect(target.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      }
    }
  });

  it('has the panels operators need', () => {
    const titles = [...panelsByTitle().keys()];
    for (const title of [
      'Threat score vs threshold',
      'Alerts by severity and segment',
      'Suppressed alerts by reason',
      'Flows scored per segment',
      'Packets read',
      'Input records by source and format',
      'Processing latency per stage (p50 / p99)',
      'Event lag',
      'Kafka consumer lag',
      'Kafka produce errors',
      'Decode errors by reason',
      'Model state per segment',
      'Adaptations',
      'Forecast vs observed flows',
      'Version',
      'Last config reload',
    ]) {
      expect(titles).toContain(title);
    }
    const scoreExprs = queries.filter((q) => q.panel === 'Threat score vs threshold').map((q) => q.expr);
    expect(scoreExprs.flatMap(metricNamesIn).sort()).toEqual([
      'tapwatch_segment_threat_score',
      'tapwatch_segment_threshold',
    ]);
  });

  it('reads only metrics tapwatch exports', async () => {
    const exported = await exportedMetricNames();
    for (const q of queries) {
      const names = metricNamesIn(q.expr);
      expect(names.length, `${q.panel}: ${q.expr}`).toBeGreaterThan(0);
      for (const name of names) expect(exported, `${q.panel}: ${name}`).toContain(name);
    }
  });

  it('filters every per-segment metric by the segment variable and uses $__rate_interval in rates', () => {
    const perSegment =
      /tapwatch_(segment_\w+|flows_processed_total|forecast_flows|observed_flows|alerts_\w+)/;
    for (const q of queries) {
      if (perSegment.test(q.expr)) expect(q.expr, q.panel).toMatch(/segment=~"\$segment"/);
      for (const range of q.expr.matchAll(/\[([^\]]+)\]/g))
        expect(range[1], q.panel).toBe('$__rate_interval');
      expect(q.expr, q.panel).not.toMatch(/\b(ip|port|src|dst)\b/);
    }
  });

  it('is provisioned by YAML with apiVersion 1 for the datasource and the dashboard folder', () => {
    const ds = parse(
      readFileSync(path.join(repoRoot, 'deploy/grafana/provisioning/datasources/prometheus.yaml'), 'utf8'),
    );
    expect(ds.apiVersion).toBe(1);
    expect(ds.datasources).toEqual([expect.objectContaining({ type: 'prometheus', access: 'proxy' })]);
    const dashboards = parse(
      readFileSync(path.join(repoRoot, 'deploy/grafana/provisioning/dashboards/tapwatch.yaml'), 'utf8'),
    );
    expect(dashboards.apiVersion).toBe(1);
    expect(dashboards.providers).toEqual([
      expect.objectContaining({
        type: 'file',
        options: expect.objectContaining({ path: expect.any(String) }),
      }),
    ]);
  });

  it('is copied unchanged into the Helm chart', () => {
    const copy = path.join(repoRoot, 'deploy/helm/tapwatch/files/tapwatch-dashboard.json');
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(dashboardFile, 'utf8'));
  });
});
