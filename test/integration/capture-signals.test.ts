import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DaemonRun, repoRoot, startDaemon, tempDir, waitForStatus } from './support/daemon-process.js';
import { completeLogs, metricValue, scrapeUntil, waitForLog } from './support/poll.js';
import { samplePcap, writeReplayConfig } from './support/replay.js';

/**
 * A paced replay is a running daemon: `--speed 20` plays the sample's 48 minutes in about 144 s,
 * long enough to scrape it, signal it and stop it half-way. The tests share one daemon and run in
 * order; SIGTERM comes last.
 */
const SAMPLE_PACKETS = 56_489;
/** main.ts gives up draining after 15 s; a healthy drain of a paced replay takes well under that. */
const DRAIN_BOUND_MS = 10_000;
const version = (JSON.parse(readFileSync(`${repoRoot}/package.json`, 'utf8')) as { version: string }).version;

describe('a running replay under signals', () => {
  let config: string;
  let validConfig: string;
  let daemon: DaemonRun;
  let base: string;

  beforeAll(async () => {
    const dir = tempDir('tapwatch-signals-');
    config = writeReplayConfig(dir);
    validConfig = readFileSync(config, 'utf8');
    daemon = startDaemon(['replay', samplePcap, '--speed', '20', '--config', config]);
    base = `http://${await daemon.telemetryAddress()}`;
    await waitForStatus(`${base}/-/ready`, 200, 60_000);
  });

  afterAll(() => {
    if (daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill('SIGKILL');
  });

  it('serves input, per-segment and build metrics while it runs', async () => {
    const text = await scrapeUntil(
      base,
      (t) =>
        metricValue(t, 'tapwatch_input_packets_total{format="pcap"}') !== undefined &&
        metricValue(t, 'tapwatch_flows_processed_total{segment="office"}') !== undefined,
      60_000,
    );
    expect(metricValue(text, 'tapwatch_input_packets_total{format="pcap"}')).toBeGreaterThan(0);
    expect(metricValue(text, 'tapwatch_flows_processed_total{segment="office"}')).toBeGreaterThan(0);
    expect(metricValue(text, `tapwatch_build_info{version="${version}"}`)).toBe(1);
    expect(metricValue(text, 'tapwatch_config_last_reload_success')).toBe(1);
  });

  it('reloads a valid config on SIGHUP', async () => {
    const skip = completeLogs(daemon).length;
    daemon.child.kill('SIGHUP');
    await waitForLog(daemon, (l) => l.msg === 'config reloaded', { skip, what: 'config reloaded' });
    expect(metricValue(await scrapeUntil(base, () => true), 'tapwatch_config_last_reload_success')).toBe(1);
  });

  it('keeps running on the old config when the reloaded one is invalid', async () => {
    writeFileSync(config, 'features:\n  lambdas: [5, 3, -1]\n');
    const skip = completeLogs(daemon).length;
    daemon.child.kill('SIGHUP');
    const failure = await waitForLog(
      daemon,
      (l) => l.level === 'error' && /reload failed/.test(String(l.msg)),
      {
        skip,
        what: 'reload failure',
      },
    );
    expect(String(failure.error)).toContain(`${config}: features.lambdas[2]: expected a number > 0, got -1`);
    const text = await scrapeUntil(base, (t) => metricValue(t, 'tapwatch_config_last_reload_success') === 0);
    expect(metricValue(text, 'tapwatch_config_last_reload_success')).toBe(0);
    expect(daemon.child.exitCode).toBeNull();
    await waitForStatus(`${base}/-/ready`, 200, 5_000);
    writeFileSync(config, validConfig);
  });

  it('logs its counters on SIGUSR2', async () => {
    const skip = completeLogs(daemon).length;
    daemon.child.kill('SIGUSR2');
    const stats = await waitForLog(daemon, (l) => l.msg === 'stats', { skip, what: 'stats line' });
    const source = stats.source as { packets: number };
    expect(source.packets).toBeGreaterThan(0);
    expect(stats.flows).toEqual(expect.any(Number));
  });

  it('drains and exits 0 with a summary on SIGTERM', async () => {
    const sent = Date.now();
    daemon.child.kill('SIGTERM');
    const timer = setTimeout(() => daemon.child.kill('SIGKILL'), DRAIN_BOUND_MS);
    const { code, signal } = await daemon.exited;
    clearTimeout(timer);
    expect(signal, `not drained within ${DRAIN_BOUND_MS} ms; stderr:\n${daemon.stderr()}`).toBeNull();
    expect(code, daemon.stderr()).toBe(0);
    expect(Date.now() - sent).toBeLessThan(DRAIN_BOUND_MS);
    const logs = daemon.logs();
    expect(logs.find((l) => l.msg === 'draining')).toMatchObject({ reason: 'SIGTERM' });
    const summary = logs.find((l) => l.msg === 'summary') as { packets: number; flows: number } | undefined;
    expect(summary, daemon.stderr()).toBeDefined();
    // Stopped part-way: some packets read, not the whole sample.
    expect(summary!.packets).toBeGreaterThan(0);
    expect(summary!.packets).toBeLessThan(SAMPLE_PACKETS);
    expect(summary!.flows).toBeGreaterThan(0);
    expect(daemon.stderr()).toContain('tapwatch summary');
  });
});
