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
  until,
} from './support/kafka-flows.js';

/**
 * Malformed messages never stop the consumer: each lands on the dead-letter topic unchanged, with
 * the reason and its original position in headers, is counted by reason, and its offset is
 * committed with the good ones around it.
 */
describe('Kafka dead-letter topic', () => {
  let broker: TestKafkaBroker;
  let daemon: DaemonRun;
  let base: string;

  beforeAll(async () => {
    broker = await TestKafkaBroker.start({
      topics: [
        { name: 'flows-zeek', partitions: 1 },
        { name: 'flows-pb', partitions: 1 },
        { name: 'flows-dlq', partitions: 1 },
      ],
    });
    const yaml = kafkaConfigYaml({
      brokers: broker.brokers,
      topics: [
        { name: 'flows-zeek', format: 'auto' },
        { name: 'flows-pb', format: 'goflow2-pb' },
      ],
      deadLetterTopic: 'flows-dlq',
    }).replace('    lagIntervalSeconds: 1', '    lagIntervalSeconds: 1\n    maxMessageBytes: 4096');
    daemon = startDaemon(['run', '--config', writeConfig(tempDir(), yaml)]);
    base = `http://${await daemon.telemetryAddress()}`;
    await waitForStatus(`${base}/-/ready`, 200);
  });

  afterAll(async () => {
    daemon?.child.kill('SIGKILL');
    await broker?.close();
  });

  it('dead-letters bad messages with reasons and keeps consuming', async () => {
    const good = benignFlows(40).map((f) => encodeFlow(f, 'zeek'));
    const bad = [
      Buffer.from('{"ts": 1767225600, "id.orig_h": '),
      Buffer.from('{"hello": "world"}'),
      Buffer.from(`{"ts": 1767225600, "id.orig_h": "${'x'.repeat(5000)}"}`),
      Buffer.from('{"ts": 1767225600, "id.orig_h": "not-an-ip", "id.resp_h": "10.1.0.5", "proto": "tcp"}'),
    ];
    // Bad messages between good ones: offsets 10, 21, 32, 43.
    const zeek = [
      ...good.slice(0, 10),
      bad[0]!,
      ...good.slice(10, 20),
      bad[1]!,
      ...good.slice(20, 30),
      bad[2]!,
      ...good.slice(30),
      bad[3]!,
    ];
    await produceValues(broker.brokers, 'flows-zeek', zeek);
    await produceValues(broker.brokers, 'flows-pb', [
      Buffer.from([0x0a, 0xff, 0xff, 0x01, 0x02]),
      encodeFlow(benignFlows(1)[0]!, 'goflow2-pb'),
    ]);

    await until(
      'every message committed',
      () =>
        broker.committedOffset('tapwatch-it', 'flows-zeek', 0) === zeek.length &&
        broker.committedOffset('tapwatch-it', 'flows-pb', 0) === 2,
    );
    const letters = broker.records('flows-dlq');
    expect(letters).toHaveLength(5);
    const headers = letters.map((r) =>
      Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString()])),
    );
    expect(
      headers
        .map((h) => [h['tapwatch-original-topic'], h['tapwatch-original-offset'], h['tapwatch-error-reason']])
        .sort(),
    ).toEqual(
      [
        ['flows-pb', '0', 'bad_protobuf'],
        ['flows-zeek', '10', 'not_json'],
        ['flows-zeek', '21', 'unknown_format'],
        ['flows-zeek', '32', 'oversized'],
        ['flows-zeek', '43', expect.stringMatching(/^(bad_address|not_ip)$/)],
      ].sort(),
    );
    for (const h of headers) {
      expect(h['tapwatch-original-partition']).toBe('0');
      expect(h['tapwatch-error-detail']).toMatch(/^flows-(zeek|pb)\[0\]@\d+/);
    }
    // The message travels unchanged, so it can be fixed and replayed.
    const notJson = letters.find((r) => r.headers.some((h) => h.value?.toString() === 'not_json'))!;
    expect(notJson.value).toEqual(bad[0]);

    expect(await metricSum(base, 'tapwatch_input_dead_lettered_total')).toBe(5);
    expect(await metricSum(base, 'tapwatch_input_dead_lettered_total', 'reason="oversized"')).toBe(1);
    expect(await metricSum(base, 'tapwatch_input_decode_errors_total', 'reason="not_json"')).toBe(1);
    expect(await metricSum(base, 'tapwatch_input_records_total', 'format="zeek"')).toBe(40);
    expect(await metricSum(base, 'tapwatch_input_records_total', 'format="goflow2-pb"')).toBe(1);
    // Only the first lines of a repeating problem are logged, and never the payload.
    expect(daemon.stderr()).not.toContain('x'.repeat(100));
    expect(broker.errors).toEqual([]);
  });
});
