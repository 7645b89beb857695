/**
 * Metadata (key 3), v0–v8. One broker leads every partition, so replicas and ISR are always `[nodeId]`.
 */
import type { Topic } from '../broker-state.js';
import { type KafkaReader, KafkaWriter } from '../codec.js';
import { ErrorCode } from '../error-codes.js';
import { type ApiHandler, ApiKey, AUTHORIZED_OPERATIONS_OMITTED, type RequestContext } from './api.js';

const CLUSTER_ID = 'tapwatch-test-cluster';

interface MetadataRequest {
  /** null = all topics. */
  topics: string[] | null;
  allowAutoTopicCreation: boolean;
}

function readRequest(r: KafkaReader, version: number): MetadataRequest {
  const names = r.array((item) => item.requiredString());
  // v0 has no null array: an empty list means "all topics". From v1, null means all and empty means none.
  const topics = version === 0 && names !== null && names.length === 0 ? null : names;
  // Before v4 there is no flag and a Kafka broker auto-creates whenever its configuration allows.
  const allowAutoTopicCreation = version >= 4 ? r.boolean() : true;
  return { topics, allowAutoTopicCreation };
}

function writeTopic(w: KafkaWriter, ctx: RequestContext, name: string, topic: Topic | undefined): void {
  const v = ctx.apiVersion;
  w.int16(topic === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NONE).string(name);
  if (v >= 1) w.boolean(false); // is_internal
  const partitions = topic?.partitions.map((_log, i) => i) ?? [];
  w.array(partitions, (out, index) => {
    out.int16(ErrorCode.NONE).int32(index).int32(ctx.node.nodeId);
    if (v >= 7) out.int32(0); // leader_epoch: one leader forever
    out.array([ctx.node.nodeId], (o, id) => o.int32(id)); // replica_nodes
    out.array([ctx.node.nodeId], (o, id) => o.int32(id)); // isr_nodes
    if (v >= 5) out.int32(0); // offline_replicas: an empty array
  });
  if (v >= 8) w.int32(AUTHORIZED_OPERATIONS_OMITTED);
}

/** Metadata v0–v8: brokers, cluster id, controller and the requested topics (auto-created when allowed). */
export const metadata: ApiHandler = {
  apiKey: ApiKey.Metadata,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 8,
  handle(r, ctx) {
    const v = ctx.apiVersion;
    const req = readRequest(r, v);
    const names = req.topics ?? [...ctx.state.topics.keys()];
    const w = new KafkaWriter();
    if (v >= 3) w.int32(0); // throttle_time_ms
    w.array([ctx.node], (out, node) => {
      out.int32(node.nodeId).string(node.host).int32(node.port);
      if (v >= 1) out.string(null); // rack
    });
    if (v >= 2) w.string(CLUSTER_ID);
    if (v >= 1) w.int32(ctx.node.nodeId); // controller_id
    w.array(names, (out, name) => {
      writeTopic(out, ctx, name, ctx.state.topicOrCreate(name, req.allowAutoTopicCreation));
    });
    if (v >= 8) w.int32(AUTHORIZED_OPERATIONS_OMITTED);
    return w;
  },
};
