import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AlertLike, attackOf, readAttackLabels } from './support/attack-labels.js';
import { repoRoot, runDaemon, tempDir, writeConfig } from './support/daemon-process.js';

/**
 * `npm start`'s job: the bundled config on the bundled sample. Every labelled attack must raise
 * at least one alert, and alerts that match no attack must stay rare: at most 2q of the benign
 * flows, q = detector.falseAlertRate = 0.001 — the rate the threshold is calibrated for, with
 * room for the finite calibration sample (256 flows per segment).
 */
const sample = path.join(repoRoot, 'samples', 'sample.pcap');
const FALSE_ALERT_BOUND = 2 * 0.001;

describe('the bundled sample', () => {
  let run: Awaited<ReturnType<typeof runDaemon>>;
  let alerts: (AlertLike & Record<string, unknown>)[];

  beforeAll(async () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      (await import('node:fs'))
        .readFileSync(path.join(repoRoot, 'config', 'tapwatch.yaml'), 'utf8')
        .replace('files: [../samples/sample.pcap]', `files: [${sample}]`)
        .replace('listen: 127.0.0.1:9464', 'listen: 127.0.0.1:0'),
    );
    run = await runDaemon(['run', '--config', config]);
    alerts = run.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  });

  it('exits 0 with a summary of the run', () => {
    expect(run.code, run.stderr).toBe(0);
    const summary = run.logs.find((l) => l.msg === 'summary')!;
    expect(summary.packets).toBe(56_489);
    expect(summary.segments).toEqual(['office', 'servers', 'iot']);
    expect(run.stderr).toMatch(/packets {3}56,489 .* packets\/s/);
  });

  it('writes ECS alert documents to stdout when piped', () => {
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      expect(alert).toMatchObject({ event: { kind: 'alert', category: ['network', 'intrusion_detection'] } });
      expect(alert.observer).toMatchObject({ ingress: { zone: expect.any(String) } });
    }
  });

  it('alerts on every labelled attack', () => {
    const { attacks } = readAttackLabels(sample);
    const found = new Set(alerts.map((a) => attackOf(a, attacks)?.id).filter(Boolean));
    expect([...found].sort()).toEqual(attacks.map((a) => a.id).sort());
  });

  it(`keeps false alerts at or below ${FALSE_ALERT_BOUND * 100}% of benign flows`, () => {
    const { attacks, segments } = readAttackLabels(sample);
    const benignFlows = segments.reduce((sum, s) => sum + s.benignFlows, 0);
    const falseAlerts = alerts.filter((a) => attackOf(a, attacks) === undefined);
    expect(falseAlerts.length / benignFlows).toBeLessThanOrEqual(FALSE_ALERT_BOUND);
  });
});
