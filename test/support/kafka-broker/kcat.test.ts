import type { Consumer } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { type KcatProcess, kafkaClient, runKcat, spawnKcat, waitFor } from './test-helpers.js';
import { TestKafkaBroker } from './test-kafka-broker.js';

/** `kcat -f` format: partition|offset|key|value|headers|timestamp. */
const FORMAT = '%p|%o|%k|%s|%h|%T\\n';

function parseLines(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('|'));
}

describe('TestKafkaBroker cross-checked with kcat (librdkafka)', () => {
  let broker: TestKafkaBroker | undefined;
  let consumer: Consumer | undefined;
  const members: KcatProcess[] = [];

  afterEach(async () => {
    await Promise.all(members.splice(0).map((m) => m.stop('SIGKILL')));
    await consumer?.disconnect();
    consumer = undefined;
    expect(broker?.errors).toEqual([]);
    await broker?.close();
    broker = undefined;
  });

  it('serves what kcat produces to a kafkajs consumer (plain and gzip)', async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'from-kcat', partitions: 3 }] });
    const [bootstrap] = broker.brokers;
    const lines = (from: number) =>
      Array.from({ length: 5 }, (_v, i) => `k${from + i}:v${from + i}\n`).join('');
    const produce = ['-b', bootstrap, '-P', '-t', 'from-kcat', '-K:', '-H', 'origin=kcat', '-H', 'n=1'];
    expect((await runKcat(produce, lines(0))).code).toBe(0);
    expect((await runKcat([...produce, '-z', 'gzip'], lines(5))).code).toBe(0);

    consumer = kafkaClient(broker.brokers).consumer({ groupId: 'reads-kcat', maxWaitTimeInMs: 300 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'from-kcat', fromBeginning: true });
    const got = new Map<string, { value: string; headers: Record<string, string>; partition: number }>();
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        got.set(String(message.key), { value: String(message.value), headers, partition });
      },
    });
    await waitFor(() => got.size === 10, '10 messages produced by kcat');
    for (let i = 0; i < 10; i++) {
      expect(got.get(`k${i}`)).toMatchObject({ value: `v${i}`, headers: { origin: 'kcat', n: '1' } });
    }
    // librdkafka chose the partitions itself (its consistent_random partitioner hashes the key); the broker
    // must have stored each record where the consumer then found it.
    const stored = broker.records('from-kcat');
    expect(stored).toHaveLength(10);
    for (const rec of stored) expect(got.get(String(rec.key))?.partition).toBe(rec.partition);
  });

  it('lets kcat read what kafkajs produces, with keys, headers and timestamps', async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'to-kcat', partitions: 2 }] });
    const producer = kafkaClient(broker.brokers).producer();
    await producer.connect();
    const base = 1_700_000_000_000;
    await producer.send({
      topic: 'to-kcat',
      messages: Array.from({ length: 6 }, (_v, i) => ({
        partition: i % 2,
        key: `key${i}`,
        value: `value${i}`,
        timestamp: String(base + i),
        headers: { seq: String(i), kind: 'flow' },
      })),
    });
    await producer.disconnect();

    const { code, stdout, stderr } = await runKcat([
      '-b',
      broker.brokers[0],
      '-C',
      '-t',
      'to-kcat',
      '-e',
      '-q',
      '-f',
      FORMAT,
    ]);
    expect(code, stderr).toBe(0);
    const rows = parseLines(stdout).sort((a, b) => a[2].localeCompare(b[2]));
    expect(rows).toEqual(
      Array.from({ length: 6 }, (_v, i) => [
        String(i % 2),
        String(Math.floor(i / 2)),
        `key${i}`,
        `value${i}`,
        `seq=${i},kind=flow`,
        String(base + i),
      ]),
    );
  });

  it('serves a kcat consumer group (-G) and keeps its committed offsets', async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'grouped', partitions: 3 }] });
    const producer = kafkaClient(broker.brokers).producer();
    await producer.connect();
    const send = (from: number, n: number) =>
      producer.send({
        topic: 'grouped',
        messages: Array.from({ length: n }, (_v, i) => ({
          partition: (from + i) % 3,
          value: `g${from + i}`,
        })),
      });
    await send(0, 9);

    const group = [
      '-b',
      broker.brokers[0],
      '-G',
      'kcat-group',
      '-X',
      'auto.offset.reset=earliest',
      '-e',
      '-q',
    ];
    const first = await runKcat([...group, '-f', '%s\\n', 'grouped']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim().split('\n').sort()).toEqual(
      Array.from({ length: 9 }, (_v, i) => `g${i}`).sort(),
    );
    for (const p of [0, 1, 2]) expect(broker.committedOffset('kcat-group', 'grouped', p)).toBe(3);
    expect(broker.group('kcat-group')?.state).toBe('Empty');

    await send(9, 3);
    await producer.disconnect();
    const second = await runKcat([...group, '-f', '%s\\n', 'grouped']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout.trim().split('\n').sort()).toEqual(['g10', 'g11', 'g9']);
  });

  it('stores batches in codecs it cannot decode and serves them back intact (kcat zstd, lz4, snappy)', async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'codecs', partitions: 1 }] });
    const [bootstrap] = broker.brokers;
    for (const codec of ['zstd', 'lz4', 'snappy']) {
      const run = await runKcat(
        ['-b', bootstrap, '-P', '-t', 'codecs', '-K:', '-z', codec, '-X', 'enable.idempotence=true'],
        `${codec}:a\n${codec}:b\n`,
      );
      expect(run.code, run.stderr).toBe(0);
    }
    expect(broker.highWatermark('codecs', 0)).toBe(6);
    const read = await runKcat(['-b', bootstrap, '-C', '-t', 'codecs', '-e', '-q', '-f', '%o %k=%s\\n']);
    expect(read.stdout.trim().split('\n')).toEqual([
      '0 zstd=a',
      '1 zstd=b',
      '2 lz4=a',
      '3 lz4=b',
      '4 snappy=a',
      '5 snappy=b',
    ]);
  });

  it('splits partitions between two kcat group members and rebalances when one leaves', async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'shared', partitions: 4 }] });
    const member = (name: string) =>
      spawnKcat(
        [
          ...['-b', broker?.brokers[0] ?? '', '-G', 'kcat-pair', '-q', '-u', '-f', `${name} %p %s\\n`],
          ...['-X', 'auto.offset.reset=earliest', '-X', 'heartbeat.interval.ms=200', 'shared'],
        ],
        '',
        30_000,
      );
    const settled = (size: number, minGeneration: number) => () => {
      const g = broker?.group('kcat-pair');
      return g?.state === 'Stable' && g.members.length === size && g.generationId >= minGeneration;
    };
    const a = member('A');
    members.push(a);
    await waitFor(settled(1, 1), 'member A alone in the group');
    const b = member('B');
    members.push(b);
    await waitFor(settled(2, 2), 'members A and B in one generation');

    const producer = kafkaClient(broker.brokers).producer();
    await producer.connect();
    const send = (values: string[]) =>
      producer.send({ topic: 'shared', messages: values.map((value, i) => ({ partition: i % 4, value })) });
    await send(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    const lines = () => [...a.stdout().split('\n'), ...b.stdout().split('\n')].filter((l) => l.length > 0);
    await waitFor(() => lines().length === 8, 'the 8 messages across both members');
    const partitionsOf = (name: string) =>
      new Set(
        lines()
          .filter((l) => l.startsWith(name))
          .map((l) => l.split(' ')[1]),
      );
    expect(partitionsOf('A').size).toBe(2);
    expect(partitionsOf('B').size).toBe(2);
    expect([...partitionsOf('A'), ...partitionsOf('B')].sort()).toEqual(['0', '1', '2', '3']);

    members.splice(members.indexOf(b), 1);
    expect((await b.stop('SIGINT')).code).toBe(0);
    await waitFor(settled(1, 3), 'member A alone again after B left');
    await send(['n0', 'n1', 'n2', 'n3']);
    await producer.disconnect();
    await waitFor(
      () =>
        a
          .stdout()
          .split('\n')
          .filter((l) => / n\d$/.test(l)).length === 4,
      'A to read all 4 partitions',
    );
  });
});
