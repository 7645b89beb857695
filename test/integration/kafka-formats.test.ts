import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestKafkaBroker } from '../support/kafka-broker/test-kafka-broker.js';
import {
  type DaemonRun,
  startDaemon,
  tempDir,
  waitForStatus,
  writeConfig,
} from './support/daemon-process.js';
import {
  benignFlows,
  encodeFlow,
  kafkaConfigYaml,
  metricSum,
  produceValues,
  scanFlows,
  type TestFormat,
  until,
} from './support/kafka-flows.js';

/**
 * Every upstream format end to end: one daemon reads five topics (one per format, each carrying
 * its own /24 and so its own segment), learns each segment on benign traffic, and must alert on a
 * SYN scan in every one of them, on the SIEM topic, keyed by segment, with the schema headers.
 */
const FORMATS: { format: TestFormat; segment: string; net: string }[] = [
  { format: 'goflow2-pb', segment: 'pb', net: '10.1.0' },
  { format: 'goflow2-json', segment: 'gjson', net: '10.2.0' },
  { format: 'eve', segment: 'eve', net: '10.3.0' },
  { format: 'zeek', segment: 'zeek', net: '10.4.0' },
  { format: 'tapwatch', segment: 'tw', net: '10.5.0' },
];
const BENIGN = 700;
const SCAN = 60;

describe('Kafka input formats to SIEM alerts', () => {
  let broker: TestKafkaBroker;
  let daemon: DaemonRun;
  let base: string;

  beforeAll(async () => {
    broker = await TestKafkaBroker.start({
      topics: [
        ...FORMATS.map((f) => ({ name: `flows-${f.format}`, partitions: 1 })),
        { name: 'siem-alerts', partitions: 2 },
      ],
    });
    const config = writeConfig(
      tempDir(),
      kafkaConfigYaml({
        brokers: broker.brokers,
        topics: FORMATS.map((f) => ({
          name: `flows-${f.format}`,
          format: f.format === 'tapwatch' ? 'tapwatch' : 'auto',
        })),
        segments: Object.fromEntries(FORMATS.map((f) => [f.segment, f.net])),
      }),
    );
    daemon = startDaemon(['run', '--config', config]);
    base = `http://${await daemon.telemetryAddress()}`;
    await waitForStatus(`${base}/-/ready`, 200).catch((err: Error) => {
      throw new Error(`${err.message}\n${daemon.stderr()}`);
    });
  });

  afterAll(async () => {
    daemon?.child.kill('SIGKILL');
    await broker?.close();
  });

  it('decodes every format, scores it and produces alerts for each segment', async () => {
    for (const f of FORMATS) {
      const values = benignFlows(BENIGN, 0, f.net).map((flow) => encodeFlow(flow, f.format));
      await produceValues(broker.brokers, `flows-${f.format}`, values);
    }
    await until(
      'every segment ready',
      async () => (await metricSum(base, 'tapwatch_segment_model_state', 'state="ready"')) === FORMATS.length,
      40_000,
    ).catch(async (err: Error) => {
      const text = await (await fetch(`${base}/metrics`)).text();
      throw new Error(
        `${err.message}\n${text
          .split('\n')
          .filter((l) => l.startsWith('tapwatch_'))
          .join('\n')}\n${daemon.stderr()}`,
      );
    });
    for (const f of FORMATS) {
      const values = scanFlows(SCAN, BENIGN, f.net).map((flow) => encodeFlow(flow, f.format));
      await produceValues(broker.brokers, `flows-${f.format}`, values);
    }
    const alertsOf = (segment: string) =>
      broker.records('siem-alerts').filter((r) => r.key?.toString() === segment);
    await until(
      'alerts for every segment',
      () => FORMATS.every((f) => alertsOf(f.segment).length > 0),
      20_000,
    ).catch(async (err: Error) => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const lines = text
        .split('\n')
        .filter((l) => /alerts_|flows_processed|threat_score|threshold|input_records/.test(l));
      throw new Error(
        `${err.message}\n${FORMATS.map((f) => `${f.segment}: ${alertsOf(f.segment).length}`).join(', ')}\n${lines.join('\n')}`,
      );
    });

    for (const f of FORMATS) {
      expect(await metricSum(base, 'tapwatch_input_records_total', `format="${f.format}"`)).toBe(
        BENIGN + SCAN,
      );
      const records = alertsOf(f.segment);
      for (const record of records) {
        const headers = Object.fromEntries(record.headers.map((h) => [h.key, h.value?.toString()]));
        expect(headers).toMatchObject({ 'content-type': 'application/json', 'tapwatch-schema': 'ecs-8.11' });
        const alert = JSON.parse(record.value!.toString());
        expect(alert.event.kind).toBe('alert');
        expect(alert.labels.segment).toBe(f.segment);
        expect(alert.tapwatch.input).toMatchObject({
          format: f.format,
          origin: `flows-${f.format}`,
          partition: 0,
        });
        // Produce time, not the (old) event time of the flow.
        expect(Math.abs(Number(record.timestamp) - Date.now())).toBeLessThan(120_000);
      }
      // The alerts are about the scanner, not the benign clients.
      const scanner = records.filter((r) => JSON.parse(r.value!.toString()).source.ip === `${f.net}.66`);
      expect(scanner.length / records.length).toBeGreaterThan(0.9);
    }
    expect(await metricSum(base, 'tapwatch_alert_latency_seconds_count')).toBeGreaterThan(0);
    await until('lag 0', async () => (await metricSum(base, 'tapwatch_kafka_consumer_lag')) === 0, 10_000);
    expect(broker.errors).toEqual([]);
  });

  it('drains, commits and exits 0 on SIGTERM', async () => {
    daemon.child.kill('SIGTERM');
    const { code } = await daemon.exited;
    expect(code, daemon.stderr()).toBe(0);
    for (const f of FORMATS) {
      expect(broker.committedOffset('tapwatch-it', `flows-${f.format}`, 0)).toBe(BENIGN + SCAN);
    }
  });
});
