import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KafkaReader, KafkaWriter } from './codec.js';
import { crc32c } from './crc32c.js';
import { ErrorCode } from './error-codes.js';
import type { StoredRecord } from './record.js';
import { decodeRecords, encodeBatch, RecordBatchError, splitBatches, stampBatch } from './record-batch.js';

const RECORDS: StoredRecord[] = [
  { offset: 0, timestamp: 1_700_000_000_000, key: Buffer.from('k'), value: Buffer.from('v'), headers: [] },
  {
    offset: 1,
    timestamp: 1_700_000_000_500,
    key: null,
    value: null,
    headers: [
      { key: 'h', value: Buffer.from('x') },
      { key: 'n', value: null },
    ],
  },
];
const TEMPLATE = { baseOffset: 0, lastOffsetDelta: 1, producerId: -1, producerEpoch: -1, baseSequence: -1 };

describe('record batch v2', () => {
  it('encodes, validates and decodes a batch', () => {
    const encoded = encodeBatch(TEMPLATE, RECORDS).buffer;
    const [batch] = splitBatches(Buffer.concat([encoded]));
    expect(batch).toMatchObject({ recordCount: 2, lastOffsetDelta: 1, maxTimestamp: 1_700_000_000_500 });
    expect(decodeRecords(batch)).toEqual(RECORDS);
  });

  it('stamps a new base offset and keeps the CRC valid', () => {
    const [batch] = splitBatches(encodeBatch(TEMPLATE, RECORDS).buffer);
    stampBatch(batch, 42);
    expect(batch.buffer.readUInt32BE(17)).toBe(crc32c(batch.buffer, 21));
    expect(decodeRecords(splitBatches(batch.buffer)[0]).map((r) => r.offset)).toEqual([42, 43]);
  });

  it('rejects a flipped byte with CORRUPT_MESSAGE and an old magic with UNSUPPORTED_FOR_MESSAGE_FORMAT', () => {
    const corrupt = Buffer.from(encodeBatch(TEMPLATE, RECORDS).buffer);
    corrupt[70] ^= 1;
    expect(() => splitBatches(corrupt)).toThrow(
      expect.objectContaining({ errorCode: ErrorCode.CORRUPT_MESSAGE }),
    );
    const old = Buffer.from(encodeBatch(TEMPLATE, RECORDS).buffer);
    old[16] = 1;
    expect(() => splitBatches(old)).toThrow(RecordBatchError);
    expect(() => splitBatches(old.subarray(0, 30))).toThrow(RecordBatchError);
  });

  it('decodes gzip-compressed records', () => {
    const plain = encodeBatch(TEMPLATE, RECORDS).buffer;
    const header = Buffer.from(plain.subarray(0, 61));
    const gzipped = Buffer.concat([header, gzipSync(plain.subarray(61))]);
    gzipped.writeInt32BE(gzipped.length - 12, 8);
    gzipped.writeInt16BE(1, 21);
    gzipped.writeUInt32BE(crc32c(gzipped, 21), 17);
    expect(decodeRecords(splitBatches(gzipped)[0])).toEqual(RECORDS);
  });

  it('round-trips zig-zag varints and varlongs, including values beyond 32 bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), (n) => {
        const r = new KafkaReader(new KafkaWriter().varint(n).toBuffer());
        expect(r.varint()).toBe(n);
        expect(r.remaining).toBe(0);
      }),
    );
    expect([...new KafkaWriter().varint(-1).varint(300).toBuffer()]).toEqual([0x01, 0xd8, 0x04]);
  });

  it('never throws anything but decode errors on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          splitBatches(Buffer.from(bytes));
        } catch (err) {
          expect(err).toBeInstanceOf(RecordBatchError);
        }
      }),
    );
  });
});
