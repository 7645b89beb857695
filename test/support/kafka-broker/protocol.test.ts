import { afterEach, describe, expect, it } from 'vitest';
import { ApiKey } from './apis/api.js';
import { type KafkaReader, KafkaWriter } from './codec.js';
import { ErrorCode } from './error-codes.js';
import { RawKafkaClient } from './raw-client.js';
import { encodeBatch } from './record-batch.js';
import { TestKafkaBroker } from './test-kafka-broker.js';

function batchOf(values: string[], producerId = -1, baseSequence = -1): Buffer {
  const records = values.map((v, i) => ({
    offset: i,
    timestamp: 1000 + i,
    key: null,
    value: Buffer.from(v),
    headers: [],
  }));
  const template = {
    baseOffset: 0,
    lastOffsetDelta: values.length - 1,
    producerId,
    producerEpoch: 0,
    baseSequence,
  };
  return encodeBatch(template, records).buffer;
}

/** Produce v7 with one topic and partition; returns [error_code, base_offset]. */
async function produce(
  client: RawKafkaClient,
  topic: string,
  records: Buffer,
  acks = 1,
): Promise<number[] | null> {
  const body = new KafkaWriter().string(null).int16(acks).int32(1000);
  body.array([topic], (w, t) => w.string(t).array([0], (p, index) => p.int32(index).bytes(records)));
  const r = await client.request(ApiKey.Produce, 7, body, { expectResponse: acks !== 0 });
  if (r === null) return null;
  // responses[1] → name, partition_responses[1] → index, error_code, base_offset, log_append_time, log_start
  r.int32();
  r.string();
  r.int32();
  r.int32();
  return [r.int16(), r.int64()];
}

/** Fetch v11 of partition 0 from `offset`; returns the error code and the records' byte length. */
async function fetchOnce(client: RawKafkaClient, topic: string, offset: number, maxWaitMs: number) {
  const body = new KafkaWriter()
    .int32(-1)
    .int32(maxWaitMs)
    .int32(1)
    .int32(1 << 20)
    .int8(0)
    .int32(0)
    .int32(-1);
  body.array([topic], (w, t) =>
    w.string(t).array([0], (p, index) =>
      p
        .int32(index)
        .int32(-1)
        .int64(offset)
        .int64(-1)
        .int32(1 << 20),
    ),
  );
  body.array([], () => undefined).string('');
  const r = (await client.request(ApiKey.Fetch, 11, body)) as KafkaReader;
  r.int32();
  r.int16();
  r.int32();
  const [[part]] =
    r.array((t) => {
      t.string();
      return (
        t.array((p) => {
          const index = p.int32();
          const errorCode = p.int16();
          const highWatermark = p.int64();
          p.int64();
          p.int64();
          p.array((a) => [a.int64(), a.int64()]);
          p.int32();
          return { index, errorCode, highWatermark, bytes: p.bytes()?.length ?? 0 };
        }) ?? []
      );
    }) ?? [];
  return part;
}

describe('TestKafkaBroker protocol edges', () => {
  let broker: TestKafkaBroker | undefined;
  let client: RawKafkaClient | undefined;

  afterEach(async () => {
    client?.close();
    await broker?.close();
    broker = undefined;
  });

  it('answers a flexible ApiVersions (v3) with UNSUPPORTED_VERSION and its ranges in the v0 format', async () => {
    broker = await TestKafkaBroker.start();
    client = await RawKafkaClient.connect(broker.port);
    // v3 body: client_software_name, client_software_version (compact strings) and tagged fields.
    const body = new KafkaWriter()
      .unsignedVarint(5)
      .raw(Buffer.from('test'))
      .unsignedVarint(2)
      .raw(Buffer.from('1'));
    const r = (await client.request(ApiKey.ApiVersions, 3, body.unsignedVarint(0), {
      flexibleHeader: true,
    })) as KafkaReader;
    expect(r.int16()).toBe(ErrorCode.UNSUPPORTED_VERSION);
    const ranges = r.array((a) => [a.int16(), a.int16(), a.int16()]) ?? [];
    expect(ranges).toContainEqual([ApiKey.ApiVersions, 0, 2]);
    expect(ranges).toContainEqual([ApiKey.Produce, 3, 7]);
    expect(ranges).toContainEqual([ApiKey.Fetch, 4, 11]);
    expect(r.remaining).toBe(0);
  });

  it('closes the connection on an unknown API and records the error without crashing', async () => {
    broker = await TestKafkaBroker.start();
    client = await RawKafkaClient.connect(broker.port);
    await expect(client.request(999, 0, new KafkaWriter())).rejects.toThrow('connection closed');
    expect(broker.errors.map((e) => e.message)).toEqual([expect.stringContaining('api key 999 version 0')]);
    broker.errors.length = 0;
    const again = await RawKafkaClient.connect(broker.port);
    const r = (await again.request(ApiKey.ApiVersions, 0, new KafkaWriter())) as KafkaReader;
    expect(r.int16()).toBe(ErrorCode.NONE);
    again.close();
  });

  it('rejects a batch with a bad CRC-32C with CORRUPT_MESSAGE and stores nothing', async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'crc', partitions: 1 }] });
    client = await RawKafkaClient.connect(broker.port);
    const corrupt = batchOf(['a', 'b']);
    corrupt[corrupt.length - 1] ^= 0xff;
    expect(await produce(client, 'crc', corrupt)).toEqual([ErrorCode.CORRUPT_MESSAGE, -1]);
    expect(broker.highWatermark('crc', 0)).toBe(0);
    expect(await produce(client, 'crc', batchOf(['a', 'b']))).toEqual([ErrorCode.NONE, 0]);
    expect(await produce(client, 'nope', batchOf(['a']))).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1]);
  });

  it('sends nothing back for acks=0 and keeps later responses in order', async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'fire', partitions: 1 }] });
    client = await RawKafkaClient.connect(broker.port);
    expect(await produce(client, 'fire', batchOf(['x']), 0)).toBeNull();
    expect(await produce(client, 'fire', batchOf(['y']), -1)).toEqual([ErrorCode.NONE, 1]);
  });

  it('acknowledges a retried idempotent batch with its original offset instead of writing it twice', async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'idem', partitions: 1 }] });
    client = await RawKafkaClient.connect(broker.port);
    expect(await produce(client, 'idem', batchOf(['a', 'b'], 7, 0))).toEqual([ErrorCode.NONE, 0]);
    expect(await produce(client, 'idem', batchOf(['a', 'b'], 7, 0))).toEqual([ErrorCode.NONE, 0]);
    expect(await produce(client, 'idem', batchOf(['c'], 7, 5))).toEqual([
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      -1,
    ]);
    expect(await produce(client, 'idem', batchOf(['c'], 7, 2))).toEqual([ErrorCode.NONE, 2]);
    expect(broker.records('idem').map((r) => r.value?.toString())).toEqual(['a', 'b', 'c']);
  });

  it('long-polls Fetch: waits up to max_wait_ms, and answers as soon as a record arrives', async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'poll', partitions: 1 }] });
    client = await RawKafkaClient.connect(broker.port);
    let started = Date.now();
    const idle = await fetchOnce(client, 'poll', 0, 300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(idle).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 0, bytes: 0 });

    const producer = await RawKafkaClient.connect(broker.port);
    started = Date.now();
    setTimeout(() => void produce(producer, 'poll', batchOf(['late'])), 150);
    const woken = await fetchOnce(client, 'poll', 0, 5000);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(woken.highWatermark).toBe(1);
    expect(woken.bytes).toBeGreaterThan(61);
    expect((await fetchOnce(client, 'poll', 5, 0)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    producer.close();
  });
});
