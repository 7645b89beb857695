import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exportedMetricNames, metricNamesIn, readAlertRules, repoRoot, rulesFile } from './support/promql.js';

const PROMTOOL = '/usr/bin/promtool';
const promDir = path.join(repoRoot, 'deploy/prometheus');
const rules = readAlertRules();

/** Run promtool (Debian's prometheus package); fail with the reason when it is missing. */
function promtool(...args: string[]): string {
  if (!existsSync(PROMTOOL)) {
    throw new Error(
      `${PROMTOOL} not found: install Debian's prometheus package (apt-get install -y prometheus)`,
    );
  }
  try {
    return execFileSync(PROMTOOL, args, { cwd: promDir, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

describe('Prometheus config and alert rules', () => {
  it('defines the expected alerts, each with a severity, a summary and a description', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual([
      'TapwatchAlertStorm',
      'TapwatchConfigReloadFailed',
      'TapwatchDown',
      'TapwatchFallingBehind',
      'TapwatchSegmentStuckLearning',
      'TapwatchSinkErrors',
    ]);
    for (const rule of rules) {
      expect(['critical', 'warning', 'info'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toBeTruthy();
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
    }
  });

  it('holds the durations the runbook promises', () => {
    const forOf = Object.fromEntries(rules.map((r) => [r.alert, r.for]));
    expect(forOf).toMatchObject({
      TapwatchDown: '2m',
      TapwatchFallingBehind: '10m',
      TapwatchAlertStorm: '5m',
      TapwatchSegmentStuckLearning: '30m',
    });
    const stuck = rules.find((r) => r.alert === 'TapwatchSegmentStuckLearning')!;
    expect(stuck.expr.trim()).toBe('tapwatch_segment_model_state{state="learning"} == 1');
  });

  it('reads only metrics tapwatch exports (and up for the scrape job)', async () => {
    const exported = await exportedMetricNames();
    for (const rule of rules) {
      for (const name of metricNamesIn(rule.expr)) expect(exported, `${rule.alert}: ${name}`).toContain(name);
    }
    expect(rules.find((r) => r.alert === 'TapwatchDown')!.expr).toContain('job="tapwatch"');
  });

  it('scrapes job tapwatch every 15 s and loads the rules file', () => {
    const config = parse(readFileSync(path.join(promDir, 'prometheus.yml'), 'utf8'));
    const job = config.scrape_configs.find((c: { job_name: string }) => c.job_name === 'tapwatch');
    expect(job).toMatchObject({ scrape_interval: '15s', metrics_path: '/metrics' });
    expect(job.static_configs[0].targets).toEqual(['tapwatch:9464']);
    expect(config.rule_files).toEqual([path.basename(rulesFile)]);
  });

  it('passes promtool check rules and check config', () => {
    expect(promtool('check', 'rules', 'tapwatch-rules.yml')).toMatch(/SUCCESS: 6 rules found/);
    expect(promtool('check', 'config', 'prometheus.yml')).toMatch(/is valid prometheus config file/);
  });

  it('fires each alert when it should and not before (promtool test rules)', () => {
    expect(promtool('test', 'rules', 'tapwatch-rules.test.yml')).toMatch(/SUCCESS/);
  });

  it('is copied unchanged into the Helm chart', () => {
    const copy = path.join(repoRoot, 'deploy/helm/tapwatch/files/tapwatch-rules.yml');
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(rulesFile, 'utf8'));
  });
});
