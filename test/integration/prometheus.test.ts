import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  dashboardQueries,
  metricNamesIn,
  readAlertRules,
  readDashboard,
  renderGrafanaExpr,
  rulesFile,
} from '../deploy/support/promql.js';
import { type DaemonRun, repoRoot, startDaemon, tempDir, writeConfig } from './support/daemon-process.js';

/**
 * Debian's real Prometheus scrapes a real tapwatch replaying the bundled sample, with the shipped
 * alert rules loaded; then every PromQL expression of the shipped dashboard and rules is run
 * through Prometheus's HTTP API. This is what proves the dashboard shows data, not only that its
 * metric names are spelled like the registry's.
 */
const PROMETHEUS = '/usr/bin/prometheus';
const sample = path.join(repoRoot, 'samples', 'sample.pcap');
/** What Grafana's $__rate_interval becomes: several of this test's 1 s scrapes. */
const RATE_INTERVAL = '30s';

/**
 * Metrics a capture replay legitimately never sets, so Prometheus holds no series for them and
 * queries over them return an empty vector. Prometheus still records their HELP/TYPE from each
 * scrape (target metadata), which proves tapwatch exports them under these names.
 */
const EMPTY_ON_CAPTURE_REPLAY: Record<string, string> = {
  tapwatch_kafka_consumer_lag: 'set only by the Kafka source',
  tapwatch_kafka_produce_errors_total: 'only the Kafka sink produces',
  tapwatch_alert_sink_errors_total: 'stdout never fails here',
  tapwatch_input_decode_errors_total: 'the sample capture has no undecodable packets',
  tapwatch_input_dead_lettered_total: 'only Kafka messages are dead-lettered',
  tapwatch_forecast_flows: 'set only by the per-segment volume forecaster',
  tapwatch_observed_flows: 'set only by the per-segment volume forecaster',
};

interface QueryResult {
  status: string;
  error?: string;
  warnings?: string[];
  data: { resultType: string; result: { metric: Record<string, string>; value?: [number, string] }[] };
}

describe('Prometheus scraping tapwatch', () => {
  let daemon: DaemonRun | undefined;
  let prometheus: ChildProcess | undefined;
  let prometheusLog = '';
  let api = '';
  let dir = '';
  /** Evaluation time of every query: a moment at which the replay was running and scraped. */
  let evalTime = 0;

  const query = async (expr: string): Promise<QueryResult> => {
    const body = new URLSearchParams({ query: expr, time: String(evalTime) });
    const res = await fetch(`${api}/api/v1/query`, { method: 'POST', body });
    return (await res.json()) as QueryResult;
  };
  const getJson = async <T>(pathAndQuery: string): Promise<T> => {
    const res = await fetch(`${api}${pathAndQuery}`);
    expect(res.status, pathAndQuery).toBe(200);
    return ((await res.json()) as { data: T }).data;
  };

  beforeAll(async () => {
    if (!existsSync(PROMETHEUS)) {
      throw new Error(
        `${PROMETHEUS} not found: this test needs Debian's prometheus package (apt-get install -y prometheus)`,
      );
    }
    dir = tempDir('tapwatch-prom-');
    const config = writeConfig(
      dir,
      readFileSync(path.join(repoRoot, 'config', 'tapwatch.yaml'), 'utf8')
        .replace('files: [../samples/sample.pcap]', `files: [${sample}]`)
        .replace('listen: 127.0.0.1:9464', 'listen: 127.0.0.1:0'),
    );
    // Speed 100 replays the sample's 48 minutes in about 29 s: long enough for many 1 s scrapes.
    daemon = startDaemon(['replay', sample, '--speed', '100', '--config', config]);
    const target = await daemon.telemetryAddress();

    // The shipped scrape config, with test-sized intervals and this run's addresses.
    const promConfig = parse(readFileSync(path.join(repoRoot, 'deploy/prometheus/prometheus.yml'), 'utf8'));
    promConfig.global = { ...promConfig.global, scrape_interval: '1s', evaluation_interval: '1s' };
    promConfig.rule_files = [rulesFile];
    const job = promConfig.scrape_configs.find((c: { job_name: string }) => c.job_name === 'tapwatch');
    Object.assign(job, {
      scrape_interval: '1s',
      scrape_timeout: '1s',
      static_configs: [{ targets: [target] }],
    });
    const promConfigFile = path.join(dir, 'prometheus.yml');
    writeFileSync(promConfigFile, stringify(promConfig));

    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${promConfigFile}`,
        `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      prometheusLog += chunk;
    });

    // Wait (bounded) until Prometheus has scraped the running replay several times and every
    // dashboard query that can have data on a replay has it (the detectors must have learned,
    // alerted and suppressed, and rates need two samples in their window).
    const expected = [
      'count_over_time(up{job="tapwatch"}[1m]) >= 8',
      ...dashboardQueries(readDashboard())
        .filter((q) => metricNamesIn(q.expr).some((name) => !(name in EMPTY_ON_CAPTURE_REPLAY)))
        .map((q) => renderGrafanaExpr(q.expr, { segment: '.*', rateInterval: RATE_INTERVAL })),
    ];
    const deadline = Date.now() + 45_000;
    let missing = expected;
    while (Date.now() < deadline) {
      if (prometheus.exitCode !== null) throw new Error(`prometheus exited early:\n${prometheusLog}`);
      if (daemon.child.exitCode !== null) break;
      evalTime = Date.now() / 1000;
      try {
        const results = await Promise.all(expected.map(async (expr) => [expr, await query(expr)] as const));
        missing = results
          .filter(([, r]) => r.status !== 'success' || r.data.result.length === 0)
          .map(([e]) => e);
        if (missing.length === 0) break;
      } catch (err) {
        missing = [`(Prometheus API not answering yet: ${(err as Error).message})`];
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    if (missing.length > 0) {
      throw new Error(
        `gave up waiting for data from:\n  ${missing.join('\n  ')}\ntapwatch stderr:\n${daemon.stderr().slice(-3000)}\nprometheus:\n${prometheusLog}`,
      );
    }
    // Let the rule manager evaluate a few times at 1 s intervals.
    await new Promise((r) => setTimeout(r, 2500));
  });

  afterAll(async () => {
    await stop(prometheus);
    if (daemon) await stop(daemon.child);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves the label values the dashboard segment variable is built from', async () => {
    const segments = await getJson<string[]>(
      `/api/v1/label/segment/values?match[]=tapwatch_segment_threat_score&start=${evalTime - 60}&end=${evalTime}`,
    );
    expect(segments.sort()).toEqual(['iot', 'office', 'servers']);
  });

  it('returns data for every dashboard query', async () => {
    const queries = dashboardQueries(readDashboard());
    expect(queries.length).toBeGreaterThanOrEqual(20);
    const declared = await targetMetadataNames();
    const problems: string[] = [];
    for (const q of queries) {
      const expr = renderGrafanaExpr(q.expr, { segment: '.*', rateInterval: RATE_INTERVAL });
      const result = await query(expr);
      const where = `${q.panel} [${q.refId}]: ${expr}`;
      if (result.status !== 'success') {
        problems.push(`${where}: ${result.error}`);
        continue;
      }
      if (result.warnings?.length) problems.push(`${where}: warnings ${result.warnings.join('; ')}`);
      if (result.data.result.length > 0) continue;
      // Empty: acceptable only when every metric it reads is one a capture replay never sets,
      // and tapwatch declared that metric in its scrapes.
      for (const name of metricNamesIn(q.expr)) {
        if (!(name in EMPTY_ON_CAPTURE_REPLAY)) problems.push(`${where}: no data (${name} has no series)`);
        else if (!declared.has(name)) problems.push(`${where}: ${name} is not in the target's metadata`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('evaluates every dashboard query for a multi-valued segment selection', async () => {
    // Grafana renders a multi-value variable in a regex matcher as (a|b).
    for (const q of dashboardQueries(readDashboard()).filter((d) => d.expr.includes('$segment'))) {
      const expr = renderGrafanaExpr(q.expr, { segment: '(office|iot)', rateInterval: RATE_INTERVAL });
      const result = await query(expr);
      expect(result.status, `${q.panel}: ${expr}: ${result.error}`).toBe('success');
      for (const series of result.data.result) {
        if (series.metric.segment !== undefined) expect(['office', 'iot']).toContain(series.metric.segment);
      }
    }
  });

  it('evaluates every alert rule expression, and has data for every metric they read', async () => {
    const declared = await targetMetadataNames();
    for (const rule of readAlertRules()) {
      // The alert conditions themselves are empty on a healthy replay; what must hold is that
      // they evaluate and that each metric they compare has series (or is declared but unset).
      const result = await query(rule.expr);
      expect(result.status, `${rule.alert}: ${result.error}`).toBe('success');
      for (const name of metricNamesIn(rule.expr)) {
        const series = await query(`count by (__name__) ({__name__="${name}"})`);
        if (series.data.result.length > 0) continue;
        expect(EMPTY_ON_CAPTURE_REPLAY, `${rule.alert}: ${name} has no series`).toHaveProperty(name);
        expect(declared.has(name), `${rule.alert}: ${name} is not in the target's metadata`).toBe(true);
      }
    }
  });

  it('loads every alert rule with health ok, and the replay fires none of the always-wrong ones', async () => {
    const { groups } = await getJson<{
      groups: {
        rules: { name: string; type: string; health: string; lastError?: string; state: string }[];
      }[];
    }>('/api/v1/rules?type=alert');
    const loaded = groups.flatMap((g) => g.rules);
    expect(loaded.map((r) => r.name).sort()).toEqual(
      readAlertRules()
        .map((r) => r.alert)
        .sort(),
    );
    for (const rule of loaded)
      expect({ name: rule.name, health: rule.health, error: rule.lastError ?? '' }).toEqual({
        name: rule.name,
        health: 'ok',
        error: '',
      });
    const state = Object.fromEntries(loaded.map((r) => [r.name, r.state]));
    expect(state.TapwatchDown).toBe('inactive');
    expect(state.TapwatchConfigReloadFailed).toBe('inactive');
    expect(state.TapwatchSinkErrors).toBe('inactive');
  });

  /** Metric names the tapwatch target declared (HELP/TYPE) in its scrapes, samples or not. */
  async function targetMetadataNames(): Promise<Set<string>> {
    const entries = await getJson<{ metric: string }[]>(
      `/api/v1/targets/metadata?match_target=${encodeURIComponent('{job="tapwatch"}')}`,
    );
    return new Set(entries.map((e) => e.metric));
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** SIGTERM, then SIGKILL if the process has not exited within 10 s. */
async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
