import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestKafkaBroker } from '../../../test/support/kafka-broker/test-kafka-broker.js';
import { ipv6Alert, synFloodAlert } from '../formats/golden/sample-alerts.js';
import { KafkaSink, type KafkaSinkOptions } from './kafka-sink.js';

describe('KafkaSink', () => {
  let broker: TestKafkaBroker;
  let kafka: Kafka;

  beforeAll(async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'siem', partitions: 2 }] });
    kafka = new Kafka({
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 1, initialRetryTime: 50 },
    });
  });

  afterAll(async () => {
    await broker.close();
  });

  async function sink(options: Partial<KafkaSinkOptions> = {}) {
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    const made = new KafkaSink({
      producer,
      topic: 'siem',
      format: 'ecs',
      compression: 'none',
      acks: 'all',
      lingerMs: 5,
      maxBatchAlerts: 100,
      flushTimeoutMs: 1000,
      log: () => undefined,
      ...options,
    });
    return { sink: made, producer };
  }

  it('resolves writes once the broker holds them, keyed by segment with schema headers', async () => {
    const acknowledged: string[] = [];
    const { sink: s, producer } = await sink({
      onAcknowledged: (alerts) => acknowledged.push(...alerts.map((a) => a.event.id)),
    });
    const alerts = [synFloodAlert(), ipv6Alert()];
    await Promise.all(alerts.map((a) => s.write(a)));
    const records = broker.records('siem');
    expect(records).toHaveLength(2);
    expect(acknowledged.sort()).toEqual(alerts.map((a) => a.event.id).sort());
    for (const record of records) {
      const alert = JSON.parse(record.value!.toString());
      expect(record.key!.toString()).toBe(alert.labels.segment);
      expect(Object.fromEntries(record.headers.map((h) => [h.key, h.value!.toString()]))).toEqual({
        'content-type': 'application/json',
        'tapwatch-schema': 'ecs-8.11',
      });
      expect(Math.abs(record.timestamp - Date.now())).toBeLessThan(60_000);
    }
    await s.close();
    await producer.disconnect();
  });

  it('writes OCSF, gzip-compressed, for concurrent writes', async () => {
    const { sink: s, producer } = await sink({ format: 'ocsf', compression: 'gzip', topic: 'siem-ocsf' });
    await Promise.all(Array.from({ length: 20 }, () => s.write(synFloodAlert())));
    const records = broker.records('siem-ocsf');
    expect(records).toHaveLength(20);
    expect(JSON.parse(records[0]!.value!.toString()).class_uid).toBe(2004);
    expect(records[0]!.headers.find((h) => h.key === 'tapwatch-schema')!.value!.toString()).toBe('ocsf-1.3');
    await s.close();
    await producer.disconnect();
  });

  it('retries while the broker is away, counts the errors, and fails the writes at close', async () => {
    const errors: string[] = [];
    const { sink: s, producer } = await sink({ onProduceError: (topic) => errors.push(topic) });
    await broker.stop();
    const write = s.write(synFloodAlert());
    const outcome = write.then(
      () => 'delivered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 600));
    expect(errors.length).toBeGreaterThan(0);
    await s.close();
    expect(await outcome).toBe('failed');
    expect(s.failures).toBe(1);
    await broker.restart();
    await producer.disconnect();
  });
});
