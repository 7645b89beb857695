/**
 * Produce (key 0), v3–v7: the versions that carry record batch v2 (v0–v2 carry the old message sets).
 * With one replica, acks=1 and acks=-1 mean the same: the batch is in the log when the response is sent.
 */
import type { BrokerState } from '../broker-state.js';
import { type KafkaReader, KafkaWriter } from '../codec.js';
import { ErrorCode, type ErrorCodeValue } from '../error-codes.js';
import { RecordBatchError, splitBatches } from '../record-batch.js';
import { type ApiHandler, ApiKey } from './api.js';

interface PartitionResult {
  index: number;
  errorCode: ErrorCodeValue;
  baseOffset: number;
}

function appendPartition(
  state: BrokerState,
  topic: string,
  index: number,
  records: Buffer | null,
): PartitionResult {
  const log = state.partition(topic, index);
  if (log === undefined) return { index, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, baseOffset: -1 };
  if (records === null || records.length === 0)
    return { index, errorCode: ErrorCode.CORRUPT_MESSAGE, baseOffset: -1 };
  try {
    const { errorCode, baseOffset } = log.append(splitBatches(records));
    return { index, errorCode, baseOffset };
  } catch (err) {
    if (err instanceof RecordBatchError) return { index, errorCode: err.errorCode, baseOffset: -1 };
    throw new Error(`produce to ${topic}-${index}: cannot store the batch`, { cause: err });
  }
}

/** Produce v3–v7: validates and appends each partition's batches, then wakes waiting fetches. */
export const produce: ApiHandler = {
  apiKey: ApiKey.Produce,
  name: 'Produce',
  minVersion: 3,
  maxVersion: 7,
  handle(r: KafkaReader, ctx) {
    r.string(); // transactional_id: transactions are not supported, plain and idempotent produce are
    const acks = r.int16();
    r.int32(); // timeout_ms: nothing to wait for with a single replica
    const validAcks = acks === 0 || acks === 1 || acks === -1;
    const topics = r.array((t) => {
      const name = t.requiredString();
      const partitions = t.array((p) => {
        const index = p.int32();
        const records = p.bytes();
        return validAcks
          ? appendPartition(ctx.state, name, index, records)
          : { index, errorCode: ErrorCode.INVALID_REQUIRED_ACKS, baseOffset: -1 };
      });
      return { name, partitions: partitions ?? [] };
    });
    ctx.state.notifyAppend();
    // acks=0: the producer does not wait and the broker sends nothing back, errors included.
    if (acks === 0) return null;
    const w = new KafkaWriter();
    w.array(topics ?? [], (out, topic) => {
      out.string(topic.name).array(topic.partitions, (o, p) => {
        o.int32(p.index).int16(p.errorCode).int64(p.baseOffset);
        o.int64(-1); // log_append_time_ms: -1 because topics use CreateTime
        if (ctx.apiVersion >= 5) o.int64(0); // log_start_offset
      });
    });
    w.int32(0); // throttle_time_ms
    return w;
  },
};
