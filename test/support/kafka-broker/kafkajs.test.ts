import { CompressionTypes, type Consumer, type EachMessagePayload } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { kafkaClient, waitFor } from './test-helpers.js';
import { TestKafkaBroker } from './test-kafka-broker.js';

interface Received {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  headers: Record<string, string>;
}

function toReceived({ partition, message }: EachMessagePayload): Received {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
  return {
    partition,
    offset: Number(message.offset),
    key: message.key?.toString() ?? null,
    value: message.value?.toString() ?? null,
    timestamp: Number(message.timestamp),
    headers,
  };
}

/** Consumer settings that keep group rounds and long polls short. */
const FAST_CONSUMER = {
  sessionTimeout: 6000,
  heartbeatInterval: 300,
  maxWaitTimeInMs: 300,
  rebalanceTimeout: 5000,
};

describe('TestKafkaBroker with kafkajs', () => {
  let broker: TestKafkaBroker | undefined;
  const consumers: Consumer[] = [];

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
    expect(broker?.errors).toEqual([]);
    await broker?.close();
    broker = undefined;
  });

  it('round-trips keys, values, headers and timestamps over several partitions', async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'flows', partitions: 3 }] });
    const kafka = kafkaClient(broker.brokers);
    const producer = kafka.producer();
    await producer.connect();
    const base = 1_700_000_000_000;
    const messages = Array.from({ length: 30 }, (_v, i) => ({
      partition: i % 3,
      key: `k${i}`,
      value: `v${i}`,
      timestamp: String(base + i * 1000),
      headers: { seq: String(i), source: 'test' },
    }));
    await producer.send({ topic: 'flows', messages: messages.slice(0, 15) });
    await producer.send({ topic: 'flows', messages: messages.slice(15), compression: CompressionTypes.GZIP });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'round-trip', ...FAST_CONSUMER });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: 'flows', fromBeginning: true });
    const got: Received[] = [];
    await consumer.run({ eachMessage: async (p) => void got.push(toReceived(p)) });
    await waitFor(() => got.length >= 30, '30 messages');

    for (const m of got) {
      const i = Number(m.headers.seq);
      expect(m).toMatchObject({ partition: i % 3, key: `k${i}`, value: `v${i}`, timestamp: base + i * 1000 });
      expect(m.headers.source).toBe('test');
      expect(m.offset).toBe(i < 15 ? Math.floor(i / 3) : 5 + Math.floor((i - 15) / 3));
    }
    expect(got).toHaveLength(30);
    const stored = broker.records('flows', 1);
    expect(stored.map((r) => r.key?.toString())).toEqual([
      'k1',
      'k4',
      'k7',
      'k10',
      'k13',
      'k16',
      'k19',
      'k22',
      'k25',
      'k28',
    ]);
    expect(stored[9]).toMatchObject({ offset: 9, timestamp: base + 28_000 });
    expect(stored[9].headers.map((h) => [h.key, h.value?.toString()])).toEqual([
      ['seq', '28'],
      ['source', 'test'],
    ]);
    expect(broker.highWatermark('flows', 0)).toBe(10);
  });

  it('splits partitions between two consumers of a group and rebalances when one leaves', async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'split', partitions: 4 }] });
    const kafka = kafkaClient(broker.brokers);
    const assigned = new Map<string, number[]>();
    const got = new Map<string, Set<string>>();
    const start = async (name: string) => {
      const consumer = kafka.consumer({ groupId: 'split-group', ...FAST_CONSUMER });
      consumers.push(consumer);
      got.set(name, new Set());
      consumer.on(consumer.events.GROUP_JOIN, (e) =>
        assigned.set(name, e.payload.memberAssignment.split ?? []),
      );
      await consumer.connect();
      await consumer.subscribe({ topic: 'split', fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => void got.get(name)?.add(String(message.value)),
      });
      return consumer;
    };
    await start('a');
    await waitFor(() => assigned.get('a')?.length === 4, 'consumer a to own all 4 partitions');
    const b = await start('b');
    await waitFor(
      () => assigned.get('a')?.length === 2 && assigned.get('b')?.length === 2,
      'the two consumers to split the partitions',
    );
    expect([...(assigned.get('a') ?? []), ...(assigned.get('b') ?? [])].sort()).toEqual([0, 1, 2, 3]);

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'split',
      messages: Array.from({ length: 8 }, (_v, i) => ({ partition: i % 4, value: `m${i}` })),
    });
    await waitFor(() => (got.get('a')?.size ?? 0) + (got.get('b')?.size ?? 0) === 8, 'all 8 messages');
    expect(got.get('a')?.size).toBe(4);
    expect(got.get('b')?.size).toBe(4);

    await b.disconnect();
    consumers.splice(consumers.indexOf(b), 1);
    await waitFor(() => assigned.get('a')?.length === 4, 'consumer a to take over all partitions');
    await producer.send({
      topic: 'split',
      messages: [0, 1, 2, 3].map((p) => ({ partition: p, value: `late${p}` })),
    });
    await producer.disconnect();
    await waitFor(() => (got.get('a')?.size ?? 0) === 8, 'consumer a to read the 4 late messages');
    expect(broker.group('split-group')).toMatchObject({ state: 'Stable', members: [expect.any(String)] });
  });

  it('keeps committed offsets across restart()', async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'commits', partitions: 2 }] });
    const kafka = kafkaClient(broker.brokers);
    const producer = kafka.producer();
    await producer.connect();
    const send = (from: number, n: number) =>
      producer.send({
        topic: 'commits',
        messages: Array.from({ length: n }, (_v, i) => ({
          partition: (from + i) % 2,
          value: `c${from + i}`,
        })),
      });
    await send(0, 10);

    const first = kafka.consumer({ groupId: 'committer', ...FAST_CONSUMER });
    await first.connect();
    await first.subscribe({ topic: 'commits', fromBeginning: true });
    let seen = 0;
    await first.run({ eachMessage: async () => void seen++ });
    const committedBoth = () =>
      broker?.committedOffset('committer', 'commits', 0) === 5 &&
      broker?.committedOffset('committer', 'commits', 1) === 5;
    await waitFor(committedBoth, 'offsets 5/5 to be committed');
    await first.disconnect();
    expect(seen).toBe(10);

    await broker.stop();
    await broker.restart();
    expect(committedBoth()).toBe(true);
    await send(10, 4);
    await producer.disconnect();

    const second = kafka.consumer({ groupId: 'committer', ...FAST_CONSUMER });
    consumers.push(second);
    await second.connect();
    await second.subscribe({ topic: 'commits', fromBeginning: true });
    const values: string[] = [];
    await second.run({ eachMessage: async ({ message }) => void values.push(String(message.value)) });
    await waitFor(() => values.length >= 4, 'the 4 messages produced after the restart');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(values.sort()).toEqual(['c10', 'c11', 'c12', 'c13']);
  });

  it('survives stop()/restart() mid-stream: the producer retries and nothing is lost or duplicated', async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'outage', partitions: 2 }] });
    const kafka = kafkaClient(broker.brokers);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const consumer = kafka.consumer({ groupId: 'outage-reader', ...FAST_CONSUMER });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: 'outage', fromBeginning: true });
    const values = new Set<string>();
    await consumer.run({ eachMessage: async ({ message }) => void values.add(String(message.value)) });

    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      if (i === 20) {
        await broker.stop();
        setTimeout(() => void broker?.restart(), 800);
      }
      const send = producer.send({ topic: 'outage', messages: [{ key: `k${i % 5}`, value: `o${i}` }] });
      sends.push(send);
      if (i < 20) await send;
    }
    await Promise.all(sends);
    await producer.disconnect();
    await waitFor(() => values.size === 40, 'the consumer to read all 40 messages');

    const stored = broker.records('outage').map((r) => r.value?.toString());
    expect(stored).toHaveLength(40);
    expect(new Set(stored).size).toBe(40);
  });

  it('shows the latest value per key on a compacted topic', async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'state', partitions: 1, compacted: true }] });
    const kafka = kafkaClient(broker.brokers);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'state',
      messages: [
        { key: 'a', value: '1' },
        { key: 'b', value: '1' },
      ],
    });
    await producer.send({
      topic: 'state',
      messages: [
        { key: 'a', value: '2' },
        { key: 'c', value: '1' },
      ],
    });
    await producer.disconnect();
    expect(broker.records('state').map((r) => `${r.key}=${r.value}@${r.offset}`)).toEqual([
      'b=1@1',
      'a=2@2',
      'c=1@3',
    ]);

    const consumer = kafka.consumer({ groupId: 'restore', ...FAST_CONSUMER });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: 'state', fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => void seen.push(`${message.key}=${message.value}`),
    });
    await waitFor(() => seen.length >= 3, 'the compacted view');
    expect(seen).toEqual(['b=1', 'a=2', 'c=1']);
  });

  it('creates topics through the admin API, including compacted ones', async () => {
    broker = await TestKafkaBroker.start({ autoCreateTopics: false });
    const admin = kafkaClient(broker.brokers).admin();
    await admin.connect();
    const created = await admin.createTopics({
      topics: [
        { topic: 'made', numPartitions: 3 },
        {
          topic: 'made-compacted',
          numPartitions: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
    expect(created).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'made', numPartitions: 3 }] })).toBe(false);
    const meta = await admin.fetchTopicMetadata({ topics: ['made'] });
    expect(meta.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
    expect((await admin.listTopics()).sort()).toEqual(['made', 'made-compacted']);
    await admin.disconnect();
    expect(broker.highWatermark('made', 2)).toBe(0);
  });
});
