/**
 * CreateTopics (key 19), v0–v4. Replication factor must be 1 (or -1, "broker default") on a single broker;
 * `cleanup.policy=compact` in the configs makes a compacted topic.
 */
import { KafkaWriter } from '../codec.js';
import { ErrorCode, type ErrorCodeValue } from '../error-codes.js';
import { type ApiHandler, ApiKey } from './api.js';

const MESSAGES: Partial<Record<ErrorCodeValue, string>> = {
  [ErrorCode.TOPIC_ALREADY_EXISTS]: 'Topic already exists.',
  [ErrorCode.INVALID_PARTITIONS]: 'Number of partitions must be at least 1.',
  [ErrorCode.INVALID_REPLICATION_FACTOR]: 'Replication factor must be 1 on a single broker.',
  [ErrorCode.INVALID_TOPIC_EXCEPTION]: 'Topic name is not valid.',
};

/** CreateTopics v0–v4. */
export const createTopics: ApiHandler = {
  apiKey: ApiKey.CreateTopics,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 4,
  handle(r, ctx) {
    const v = ctx.apiVersion;
    const topics =
      r.array((t) => {
        const name = t.requiredString();
        const numPartitions = t.int32();
        const replicationFactor = t.int16();
        const assignments = t.array((a) => [a.int32(), a.array((b) => b.int32())]) ?? [];
        const configs = t.array((c) => ({ name: c.requiredString(), value: c.string() })) ?? [];
        return { name, numPartitions, replicationFactor, assignments, configs };
      }) ?? [];
    r.int32(); // timeout_ms: creation is immediate
    const validateOnly = v >= 1 ? r.boolean() : false;
    const results = topics.map((t) => {
      // An explicit replica assignment fixes the partition count; -1 (v4+) asks for the broker default.
      let partitions = t.assignments.length > 0 ? t.assignments.length : t.numPartitions;
      if (partitions === -1) partitions = ctx.state.defaultPartitions;
      const compacted = t.configs.some(
        (c) => c.name === 'cleanup.policy' && (c.value ?? '').includes('compact'),
      );
      let errorCode: ErrorCodeValue = ErrorCode.NONE;
      if (t.replicationFactor !== 1 && t.replicationFactor !== -1 && t.assignments.length === 0) {
        errorCode = ErrorCode.INVALID_REPLICATION_FACTOR;
      } else if (validateOnly) {
        errorCode = ctx.state.topics.has(t.name) ? ErrorCode.TOPIC_ALREADY_EXISTS : ErrorCode.NONE;
      } else {
        errorCode = ctx.state.createTopic({ name: t.name, partitions, compacted });
      }
      return { name: t.name, errorCode };
    });
    const w = new KafkaWriter();
    if (v >= 2) w.int32(0); // throttle_time_ms
    return w.array(results, (out, t) => {
      out.string(t.name).int16(t.errorCode);
      if (v >= 1) out.string(MESSAGES[t.errorCode] ?? null);
    });
  },
};
