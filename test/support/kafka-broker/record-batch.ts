/**
 * Record batch v2 ("magic 2", protocol guide "Record Batch"): parsing the batches a producer sends, stamping
 * them with broker-assigned offsets, decoding their records, and encoding new batches.
 *
 * Layout of the batch header (byte offsets):
 *   0 baseOffset INT64 · 8 batchLength INT32 · 12 partitionLeaderEpoch INT32 · 16 magic INT8 · 17 crc UINT32 ·
 *   21 attributes INT16 · 23 lastOffsetDelta INT32 · 27 baseTimestamp INT64 · 35 maxTimestamp INT64 ·
 *   43 producerId INT64 · 51 producerEpoch INT16 · 53 baseSequence INT32 · 57 records count INT32 · 61 records
 * The CRC-32C covers attributes through the end of the batch, so the broker can rewrite baseOffset and
 * partitionLeaderEpoch without touching it.
 */
import { gunzipSync } from 'node:zlib';
import { KafkaReader, KafkaWriter } from './codec.js';
import { crc32c } from './crc32c.js';
import { ErrorCode, type ErrorCodeValue } from './error-codes.js';
import { readRecord, type StoredRecord, writeRecord } from './record.js';

const HEADER_BYTES = 61;
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;
/** `batchLength` counts the bytes after itself: total size = 12 + batchLength. */
const LOG_OVERHEAD = 12;

/** Values of the low three bits of `attributes`. */
export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

/** A batch rejected by {@link splitBatches}, with the error code the Produce response should carry. */
export class RecordBatchError extends Error {
  override readonly name = 'RecordBatchError';
  constructor(
    readonly errorCode: ErrorCodeValue,
    message: string,
  ) {
    super(message);
  }
}

/** The header fields of one v2 batch plus its bytes. */
export interface RecordBatch {
  /** The whole batch, header included (an own copy, safe to keep). */
  buffer: Buffer;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

function readHeader(buffer: Buffer): RecordBatch {
  const r = new KafkaReader(buffer, ATTRIBUTES_OFFSET);
  return {
    buffer,
    attributes: r.int16(),
    lastOffsetDelta: r.int32(),
    baseTimestamp: r.int64(),
    maxTimestamp: r.int64(),
    producerId: r.int64(),
    producerEpoch: r.int16(),
    baseSequence: r.int32(),
    recordCount: r.int32(),
  };
}

/**
 * Splits a Produce request's `records` field into batches and validates each: magic must be 2 (older message
 * formats are not accepted from Produce v3+), the length must fit, and the CRC-32C must match.
 *
 * @throws RecordBatchError with CORRUPT_MESSAGE, UNSUPPORTED_FOR_MESSAGE_FORMAT or INVALID_RECORD
 */
export function splitBatches(recordSet: Buffer): RecordBatch[] {
  const batches: RecordBatch[] = [];
  let pos = 0;
  while (pos < recordSet.length) {
    if (recordSet.length - pos < HEADER_BYTES) {
      throw new RecordBatchError(ErrorCode.CORRUPT_MESSAGE, `truncated batch header at byte ${pos}`);
    }
    const size = LOG_OVERHEAD + recordSet.readInt32BE(pos + 8);
    const magic = recordSet.readInt8(pos + 16);
    if (magic !== 2) {
      throw new RecordBatchError(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, `magic ${magic}, expected 2`);
    }
    if (size < HEADER_BYTES || pos + size > recordSet.length) {
      throw new RecordBatchError(ErrorCode.CORRUPT_MESSAGE, `batch at byte ${pos} claims ${size} bytes`);
    }
    const buffer = Buffer.from(recordSet.subarray(pos, pos + size));
    const expected = buffer.readUInt32BE(CRC_OFFSET);
    const actual = crc32c(buffer, ATTRIBUTES_OFFSET);
    if (expected !== actual) {
      throw new RecordBatchError(
        ErrorCode.CORRUPT_MESSAGE,
        `batch at byte ${pos}: crc 0x${expected.toString(16)}, computed 0x${actual.toString(16)}`,
      );
    }
    const batch = readHeader(buffer);
    if (batch.recordCount !== batch.lastOffsetDelta + 1) {
      throw new RecordBatchError(
        ErrorCode.INVALID_RECORD,
        `batch holds ${batch.recordCount} records but lastOffsetDelta is ${batch.lastOffsetDelta}`,
      );
    }
    batches.push(batch);
    pos += size;
  }
  return batches;
}

/**
 * Writes the broker-assigned `baseOffset` (and leader epoch 0) into a stored batch and recomputes its CRC, so
 * the batch a consumer fetches is byte-for-byte valid whatever header fields the broker rewrote.
 */
export function stampBatch(batch: RecordBatch, baseOffset: number): void {
  const buf = batch.buffer;
  buf.writeBigInt64BE(BigInt(baseOffset), 0);
  buf.writeInt32BE(0, 12);
  buf.writeUInt32BE(crc32c(buf, ATTRIBUTES_OFFSET), CRC_OFFSET);
}

/** Base offset currently written in a batch's header. */
export function batchBaseOffset(batch: RecordBatch): number {
  return Number(batch.buffer.readBigInt64BE(0));
}

/** True for transaction markers, which carry no user records. */
export function isControlBatch(batch: RecordBatch): boolean {
  return (batch.attributes & 0x20) !== 0;
}

/**
 * Decodes the records of a stored batch. Compression `none` and `gzip` are decoded; other codecs are stored
 * and fetched untouched but cannot be decoded here.
 *
 * @throws RecordBatchError with UNSUPPORTED_FOR_MESSAGE_FORMAT for snappy, lz4 and zstd batches
 */
export function decodeRecords(batch: RecordBatch): StoredRecord[] {
  const codec = batch.attributes & 0x07;
  let body = batch.buffer.subarray(HEADER_BYTES);
  if (codec === Compression.gzip) {
    body = gunzipSync(body);
  } else if (codec !== Compression.none) {
    throw new RecordBatchError(
      ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
      `compression codec ${codec} cannot be decoded (none and gzip can)`,
    );
  }
  const base = batchBaseOffset(batch);
  const r = new KafkaReader(body);
  const records: StoredRecord[] = [];
  for (let i = 0; i < batch.recordCount; i++) records.push(readRecord(r, base, batch.baseTimestamp));
  return records;
}

/** What {@link encodeBatch} needs besides the records: the header fields a rebuilt batch keeps. */
export interface BatchTemplate {
  baseOffset: number;
  lastOffsetDelta: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

/**
 * Encodes an uncompressed v2 batch. Records keep their own offsets, so a batch rebuilt after compaction keeps
 * gaps between offset deltas, just as Kafka's log cleaner leaves them.
 */
export function encodeBatch(template: BatchTemplate, records: readonly StoredRecord[]): RecordBatch {
  const baseTimestamp = records.length > 0 ? Math.min(...records.map((r) => r.timestamp)) : 0;
  const maxTimestamp = records.length > 0 ? Math.max(...records.map((r) => r.timestamp)) : 0;
  const w = new KafkaWriter();
  w.int64(template.baseOffset).int32(0).int32(0).int8(2).uint32(0);
  w.int16(Compression.none).int32(template.lastOffsetDelta);
  w.int64(baseTimestamp).int64(maxTimestamp);
  w.int64(template.producerId).int16(template.producerEpoch).int32(template.baseSequence);
  w.int32(records.length);
  for (const rec of records) writeRecord(w, rec, template.baseOffset, baseTimestamp);
  const buffer = Buffer.from(w.toBuffer());
  buffer.writeInt32BE(buffer.length - LOG_OVERHEAD, 8);
  const batch = readHeader(buffer);
  stampBatch(batch, template.baseOffset);
  return batch;
}
