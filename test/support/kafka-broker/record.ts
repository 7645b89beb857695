/**
 * One record inside a v2 record batch (protocol guide, "Record"): every field is a VARINT/VARLONG or a
 * VARINT-length byte string, and key, value and header values use length -1 for null.
 */
import { KafkaDecodeError, type KafkaReader, KafkaWriter } from './codec.js';

/** A record header; keys are strings on the wire, values are bytes or null. */
export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A record as stored by the broker, with its absolute offset and timestamp resolved from the batch. */
export interface StoredRecord {
  offset: number;
  /** Epoch milliseconds (CreateTime as sent by the producer). */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

function varBytes(r: KafkaReader): Buffer | null {
  const len = r.varint();
  return len < 0 ? null : Buffer.from(r.raw(len));
}

/**
 * Reads one record. `baseOffset` and `baseTimestamp` come from the batch header: the record itself only holds
 * `offsetDelta` and `timestampDelta`.
 */
export function readRecord(r: KafkaReader, baseOffset: number, baseTimestamp: number): StoredRecord {
  const length = r.varint();
  const end = r.offset + length;
  r.int8(); // record attributes: unused by the v2 format, always 0
  const timestampDelta = r.varint();
  const offsetDelta = r.varint();
  const key = varBytes(r);
  const value = varBytes(r);
  const headerCount = r.varint();
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headerCount; i++) {
    const headerKey = varBytes(r);
    if (headerKey === null) throw new KafkaDecodeError('record header with a null key');
    headers.push({ key: headerKey.toString('utf8'), value: varBytes(r) });
  }
  if (r.offset !== end) {
    throw new KafkaDecodeError(`record length says it ends at ${end}, its fields end at ${r.offset}`);
  }
  return {
    offset: baseOffset + offsetDelta,
    timestamp: baseTimestamp + timestampDelta,
    key,
    value,
    headers,
  };
}

function writeVarBytes(w: KafkaWriter, v: Uint8Array | null): void {
  if (v === null) {
    w.varint(-1);
    return;
  }
  w.varint(v.length).raw(v);
}

/** Appends one record, its `length` prefix included, relative to the batch's base offset and timestamp. */
export function writeRecord(
  w: KafkaWriter,
  rec: StoredRecord,
  baseOffset: number,
  baseTimestamp: number,
): void {
  const body = new KafkaWriter();
  body.int8(0);
  body.varint(rec.timestamp - baseTimestamp);
  body.varint(rec.offset - baseOffset);
  writeVarBytes(body, rec.key);
  writeVarBytes(body, rec.value);
  body.varint(rec.headers.length);
  for (const h of rec.headers) {
    writeVarBytes(body, Buffer.from(h.key, 'utf8'));
    writeVarBytes(body, h.value);
  }
  w.varint(body.length).raw(body.toBuffer());
}
