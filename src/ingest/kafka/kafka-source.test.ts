import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestKafkaBroker } from '../../../test/support/kafka-broker/test-kafka-broker.js';
import { FLOW_MESSAGE } from './goflow2-schema.js';
import { KafkaSource, type KafkaSourceBatch } from './kafka-source.js';
import { MessageDecoder } from './message-decoder.js';

const TOPIC = 'flows';
const GROUP = 'source-test';

function flowMessage(i: number): Buffer {
  const startNs = (1_767_225_600_000 + i * 1000) * 1e6;
  const fields = {
    time_flow_start_ns: startNs,
    src_addr: Buffer.from([10, 0, 0, 1 + i]),
    dst_addr: Buffer.from([10, 0, 1, 1]),
    proto: 6,
    bytes: 100,
    packets: 1,
  };
  return Buffer.from(FLOW_MESSAGE.encodeDelimited(FLOW_MESSAGE.create(fields)).finish());
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('KafkaSource', () => {
  let broker: TestKafkaBroker;

  beforeAll(async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: TOPIC, partitions: 1 }] });
    const kafka = new Kafka({ brokers: broker.brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    // One record batch per send: with a one-byte fetch limit each fetch returns exactly one.
    for (let i = 0; i < 3; i++) await producer.send({ topic: TOPIC, messages: [{ value: flowMessage(i) }] });
    await producer.disconnect();
  });

  afterAll(async () => {
    await broker.close();
  });

  it('has the next fetch sent before the pipeline gets a batch, and commits only acknowledged batches', async () => {
    // kafkajs logs every request just before writing it to the socket: count the fetches sent.
    let fetchesSent = 0;
    const kafka = new Kafka({
      brokers: broker.brokers,
      logLevel: logLevel.DEBUG,
      logCreator: () => (entry) => {
        if (entry.log.message.startsWith('Request Fetch(')) fetchesSent++;
      },
    });
    const source = new KafkaSource({
      kafka,
      groupId: GROUP,
      topics: [TOPIC],
      fromBeginning: true,
      decoder: new MessageDecoder({
        formats: new Map([[TOPIC, 'goflow2-pb']]),
        maxMessageBytes: 1 << 20,
        counters: { records: () => undefined, decodeError: () => undefined },
        log: () => undefined,
      }),
      deadLetters: undefined,
      allowedLatenessSeconds: 60,
      maxQueueBatches: 16,
      // No merging: each fetched record batch reaches the pipeline on its own.
      maxBatchFlows: 1,
      fetchMaxWaitMs: 100,
      commitIntervalMs: 20,
      lagIntervalMs: 60_000,
      shutdownTimeoutMs: 2000,
      consumer: { maxBytesPerPartition: 1 },
      log: () => undefined,
    });
    await source.start();
    const committed = () => broker.committedOffset(GROUP, TOPIC, 0) ?? 0;
    const handed: KafkaSourceBatch[] = [];
    const fetchesAtHandOver: number[] = [];
    for await (const batch of source.batches()) {
      fetchesAtHandOver.push(fetchesSent);
      handed.push(batch);
      if (handed.length === 1) {
        await batch.ack();
        await until(() => committed() === 1, 'the first commit');
      }
      if (handed.length === 3) break;
    }
    // Batch k came from fetch k; the fetch after it was already on its way when the pipeline got it.
    expect(fetchesAtHandOver.map((sent, i) => sent >= i + 2)).toEqual([true, true, true]);
    expect(handed.map((b) => b.flows[0]?.source.offset)).toEqual(['0', '1', '2']);

    // The third batch is done first: nothing past the unacknowledged second one is committed.
    await handed[2]!.ack();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(committed()).toBe(1);
    await handed[1]!.ack();
    await until(() => committed() === 3, 'the commit of the second and third batches');
    await source.disconnect();
  });
});
