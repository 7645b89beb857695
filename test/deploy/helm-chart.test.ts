import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseConfig } from '../../src/config/load-config.js';
import { parseListen, TelemetryServer } from '../../src/telemetry/http-server.js';
import { repoRoot } from './support/promql.js';

/**
 * `helm` is not in Debian, so the chart is checked structurally: its YAML parses, every value a
 * template reads exists, every file and helper it names exists, and its ports, probe paths and
 * security settings agree with tapwatch itself.
 */
const chartDir = path.join(repoRoot, 'deploy/helm/tapwatch');
const read = (file: string) => readFileSync(path.join(chartDir, file), 'utf8');
const chart = parse(read('Chart.yaml'));
const values = parse(read('values.yaml'));
const templateFiles = readdirSync(path.join(chartDir, 'templates')).sort();
const templates = Object.fromEntries(templateFiles.map((f) => [f, read(`templates/${f}`)]));
const allTemplates = Object.values(templates).join('\n');
const defaultPort = parseListen(
  parse(readFileSync(path.join(repoRoot, 'config/tapwatch.yaml'), 'utf8')).telemetry.listen,
)[1];

function lookup(root: unknown, dotted: string): { found: boolean; value: unknown } {
  let node = root;
  for (const key of dotted.split('.')) {
    if (node === null || typeof node !== 'object' || !(key in node))
      return { found: false, value: undefined };
    node = (node as Record<string, unknown>)[key];
  }
  return { found: true, value: node };
}

describe('Helm chart', () => {
  it('has a v2 Chart.yaml whose appVersion is the package version', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'tapwatch', type: 'application' });
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(chart.appVersion).toBe(pkg.version);
  });

  it('has the expected templates', () => {
    expect(templateFiles).toEqual([
      '_helpers.tpl',
      'configmap.yaml',
      'dashboard-configmap.yaml',
      'deployment.yaml',
      'prometheusrule.yaml',
      'service.yaml',
      'servicemonitor.yaml',
    ]);
  });

  it('reads only values that values.yaml defines', () => {
    const refs = new Set([...allTemplates.matchAll(/\.Values\.([A-Za-z0-9_.]+)/g)].map((m) => m[1]!));
    expect(refs.size).toBeGreaterThan(20);
    for (const ref of refs) expect(lookup(values, ref).found, `.Values.${ref}`).toBe(true);
  });

  it('names only helpers it defines and files it ships', () => {
    const defined = new Set([...templates['_helpers.tpl']!.matchAll(/define "([^"]+)"/g)].map((m) => m[1]));
    for (const m of allTemplates.matchAll(/include "([^"]+)"/g)) expect(defined, m[1]).toContain(m[1]);
    const files = [...allTemplates.matchAll(/\.Files\.Get "([^"]+)"/g)].map((m) => m[1]!);
    expect(files.sort()).toEqual(['files/tapwatch-dashboard.json', 'files/tapwatch-rules.yml']);
    for (const file of files) expect(existsSync(path.join(chartDir, file)), file).toBe(true);
  });

  it('balances template actions and blocks in every template', () => {
    for (const [file, text] of Object.entries(templates)) {
      expect(text.split('{{').length, file).toBe(text.split('}}').length);
      const opens = [...text.matchAll(/\{\{-?\s*(if|with|range|define)\b/g)].length;
      const ends = [...text.matchAll(/\{\{-?\s*end\s*-?\}\}/g)].length;
      expect(ends, file).toBe(opens);
    }
  });

  it('serves metrics on the default port, named metrics in the pod, service and ServiceMonitor', () => {
    expect(values.service.port).toBe(defaultPort);
    const deployment = templates['deployment.yaml']!;
    expect(deployment).toMatch(/- name: metrics\n\s+containerPort: \{\{ \.Values\.service\.port \}\}/);
    expect(templates['service.yaml']).toMatch(/- name: metrics\n\s+port: \{\{ \.Values\.service\.port \}\}/);
    expect(templates['servicemonitor.yaml']).toMatch(/- port: metrics\n\s+path: \/metrics/);
    expect(deployment.match(/port: metrics/g)).toHaveLength(2);
  });

  it("probes and scrapes paths tapwatch's telemetry server answers", async () => {
    expect(values.probes.liveness.path).toBe('/-/healthy');
    expect(values.probes.readiness.path).toBe('/-/ready');
    const scrapePath = /path: (\S+)/.exec(templates['servicemonitor.yaml']!)![1]!;
    const server = new TelemetryServer({
      listen: '127.0.0.1:0',
      registry: new Registry(),
      isReady: () => true,
    });
    const { url } = await server.start();
    try {
      for (const p of [values.probes.liveness.path, values.probes.readiness.path, scrapePath]) {
        expect((await fetch(`${url}${p}`)).status, p).toBe(200);
      }
    } finally {
      await server.close();
    }
  });

  it('runs non-root with a read-only root filesystem and no capabilities', () => {
    const dockerUser = /^USER (\d+)$/m.exec(readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8'))![1];
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true, runAsUser: Number(dockerUser) });
    expect(values.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(values.terminationGracePeriodSeconds).toBeGreaterThan(15);
  });

  it('mounts the ConfigMap config where the container command reads it', () => {
    const deployment = templates['deployment.yaml']!;
    expect(deployment).toContain('args: ["run", "--config", "/etc/tapwatch/tapwatch.yaml"]');
    expect(deployment).toMatch(/- name: config\n\s+mountPath: \/etc\/tapwatch/);
    expect(templates['configmap.yaml']).toMatch(
      /tapwatch\.yaml: \|\n\s+\{\{- include "tapwatch\.config" \. \| nindent 4 \}\}/,
    );
    expect(deployment).toContain('checksum/config: {{ include "tapwatch.config" . | sha256sum }}');
  });

  it('renders a config the project loader accepts, listening on every interface at the service port', () => {
    // The helper sets telemetry.listen to 0.0.0.0:<service.port> over the configured values.
    expect(templates['_helpers.tpl']).toContain('(printf "0.0.0.0:%d" (int .Values.service.port))');
    const rendered = {
      ...values.config,
      telemetry: { ...values.config.telemetry, listen: `0.0.0.0:${values.service.port}` },
    };
    const { config } = parseConfig(stringify(rendered), 'tapwatch.yaml', '/etc/tapwatch/tapwatch.yaml', {});
    expect(config.telemetry.listen).toBe(`0.0.0.0:${defaultPort}`);
    expect(config.input.capture.files).toEqual(['/app/samples/sample.pcap']);
  });

  it('labels the dashboard ConfigMap for the Grafana sidecar and embeds the dashboard', () => {
    expect(values.dashboard).toMatchObject({ enabled: true, labels: { grafana_dashboard: '1' } });
    const template = templates['dashboard-configmap.yaml']!;
    expect(template).toContain('{{- toYaml .Values.dashboard.labels | nindent 4 }}');
    expect(template).toMatch(
      /tapwatch\.json: \|-\n\s+\{\{- \.Files\.Get "files\/tapwatch-dashboard\.json" \| nindent 4 \}\}/,
    );
  });

  it('makes the ServiceMonitor and PrometheusRule optional', () => {
    expect(values.serviceMonitor.enabled).toBe(false);
    expect(values.prometheusRule.enabled).toBe(false);
    expect(templates['servicemonitor.yaml']).toMatch(/^\{\{- if \.Values\.serviceMonitor\.enabled \}\}/);
    expect(templates['prometheusrule.yaml']).toMatch(/^\{\{- if \.Values\.prometheusRule\.enabled \}\}/);
  });
});
