/**
 * OffsetCommit (key 8), v2–v7, and OffsetFetch (key 9), v1–v5: committed consumer positions, kept in the
 * broker state so they survive member changes and broker restarts (Kafka keeps them in
 * `__consumer_offsets`). v0 of both stored offsets in ZooKeeper and is not served.
 */
import type { BrokerState } from '../broker-state.js';
import { KafkaWriter } from '../codec.js';
import { ErrorCode, type ErrorCodeValue } from '../error-codes.js';
import { type ApiHandler, ApiKey } from './api.js';

/** OffsetCommit v2–v7. */
export const offsetCommit: ApiHandler = {
  apiKey: ApiKey.OffsetCommit,
  name: 'OffsetCommit',
  minVersion: 2,
  maxVersion: 7,
  handle(r, ctx) {
    const v = ctx.apiVersion;
    const groupId = r.requiredString();
    const generationId = r.int32();
    const memberId = r.requiredString();
    if (v >= 7) r.string(); // group_instance_id
    if (v <= 4) r.int64(); // retention_time_ms: offsets never expire here
    const groupError = ctx.groups.canCommit(groupId, generationId, memberId);
    const topics =
      r.array((t) => {
        const name = t.requiredString();
        const partitions =
          t.array((p) => {
            const index = p.int32();
            const offset = p.int64();
            if (v >= 6) p.int32(); // committed_leader_epoch
            const metadata = p.string();
            let errorCode: ErrorCodeValue = groupError;
            if (errorCode === ErrorCode.NONE && ctx.state.partition(name, index) === undefined) {
              errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
            }
            if (errorCode === ErrorCode.NONE)
              ctx.state.commitOffset(groupId, name, index, { offset, metadata });
            return { index, errorCode };
          }) ?? [];
        return { name, partitions };
      }) ?? [];
    const w = new KafkaWriter();
    if (v >= 3) w.int32(0); // throttle_time_ms
    return w.array(topics, (out, t) => {
      out.string(t.name).array(t.partitions, (o, p) => o.int32(p.index).int16(p.errorCode));
    });
  },
};

/** Every partition the group has an offset for, grouped by topic. */
function allCommitted(state: BrokerState, groupId: string): { name: string; partitions: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of state.committedOffsets(groupId)) {
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
  }
  return [...byTopic].map(([name, partitions]) => ({ name, partitions }));
}

/** OffsetFetch v1–v5; from v2 a null topic list asks for every partition the group has committed. */
export const offsetFetch: ApiHandler = {
  apiKey: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  minVersion: 1,
  maxVersion: 5,
  handle(r, ctx) {
    const v = ctx.apiVersion;
    const groupId = r.requiredString();
    const requested = r.array((t) => ({
      name: t.requiredString(),
      partitions: t.array((p) => p.int32()) ?? [],
    }));
    const topics = requested ?? allCommitted(ctx.state, groupId);
    const w = new KafkaWriter();
    if (v >= 3) w.int32(0); // throttle_time_ms
    w.array(topics, (out, t) => {
      out.string(t.name).array(t.partitions, (o, index) => {
        const committed = ctx.state.committedOffset(groupId, t.name, index);
        o.int32(index).int64(committed?.offset ?? -1);
        if (v >= 5) o.int32(-1); // committed_leader_epoch: unknown
        // No commit yet: offset -1 and, as Kafka sends, an empty metadata string.
        o.string(committed?.metadata ?? '').int16(ErrorCode.NONE);
      });
    });
    if (v >= 2) w.int16(ErrorCode.NONE);
    return w;
  },
};
