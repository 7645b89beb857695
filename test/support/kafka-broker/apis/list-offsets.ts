/**
 * ListOffsets (key 2), v1–v5: the offset for a timestamp, with the special timestamps -1 (latest, i.e. the
 * high watermark) and -2 (earliest, the log start offset).
 */
import { type KafkaReader, KafkaWriter } from '../codec.js';
import { ErrorCode } from '../error-codes.js';
import type { PartitionLog } from '../log.js';
import { type ApiHandler, ApiKey } from './api.js';

const LATEST = -1;
const EARLIEST = -2;

function lookup(log: PartitionLog, timestamp: number): { timestamp: number; offset: number } {
  if (timestamp === LATEST) return { timestamp: -1, offset: log.highWatermark };
  if (timestamp === EARLIEST) return { timestamp: -1, offset: log.logStartOffset };
  const offset = log.offsetForTimestamp(timestamp);
  // Kafka answers -1/-1 when no record is that recent, and clients fall back to the latest offset.
  return offset < log.highWatermark ? { timestamp, offset } : { timestamp: -1, offset: -1 };
}

/** ListOffsets v1–v5. */
export const listOffsets: ApiHandler = {
  apiKey: ApiKey.ListOffsets,
  name: 'ListOffsets',
  minVersion: 1,
  maxVersion: 5,
  handle(r: KafkaReader, ctx) {
    const v = ctx.apiVersion;
    r.int32(); // replica_id
    if (v >= 2) r.int8(); // isolation_level: no transactions, so committed and uncommitted reads agree
    const topics = r.array((t) => ({
      name: t.requiredString(),
      partitions:
        t.array((p) => {
          const index = p.int32();
          if (v >= 4) p.int32(); // current_leader_epoch
          return { index, timestamp: p.int64() };
        }) ?? [],
    }));
    const w = new KafkaWriter();
    if (v >= 2) w.int32(0); // throttle_time_ms
    w.array(topics ?? [], (out, topic) => {
      out.string(topic.name).array(topic.partitions, (o, p) => {
        const log = ctx.state.partition(topic.name, p.index);
        o.int32(p.index);
        if (log === undefined) {
          o.int16(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).int64(-1).int64(-1);
        } else {
          const found = lookup(log, p.timestamp);
          o.int16(ErrorCode.NONE).int64(found.timestamp).int64(found.offset);
        }
        if (v >= 4) o.int32(0); // leader_epoch
      });
    });
    return w;
  },
};
