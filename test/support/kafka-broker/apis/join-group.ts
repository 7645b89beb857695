/**
 * JoinGroup (key 11), v0–v5. The response is deferred until the join round ends (see GroupCoordinator).
 */
import { KafkaWriter } from '../codec.js';
import { type ApiHandler, ApiKey } from './api.js';

/** JoinGroup v0–v5. */
export const joinGroup: ApiHandler = {
  apiKey: ApiKey.JoinGroup,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 5,
  async handle(r, ctx) {
    const v = ctx.apiVersion;
    const groupId = r.requiredString();
    const sessionTimeoutMs = r.int32();
    // v0 has no rebalance_timeout_ms; Kafka then uses the session timeout for both.
    const rebalanceTimeoutMs = v >= 1 ? r.int32() : sessionTimeoutMs;
    const memberId = r.requiredString();
    const groupInstanceId = v >= 5 ? r.string() : null;
    const protocolType = r.requiredString();
    const protocols =
      r.array((p) => ({ name: p.requiredString(), metadata: Buffer.from(p.bytes() ?? Buffer.alloc(0)) })) ??
      [];
    const result = await ctx.groups.join({
      groupId,
      memberId,
      groupInstanceId,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      protocolType,
      protocols,
      clientId: ctx.clientId,
      clientHost: ctx.clientHost,
      requireKnownMemberId: v >= 4,
    });
    const w = new KafkaWriter();
    if (v >= 2) w.int32(0); // throttle_time_ms
    w.int16(result.errorCode).int32(result.generationId);
    w.string(result.protocolName ?? '')
      .string(result.leaderId)
      .string(result.memberId);
    w.array(result.members, (out, m) => {
      out.string(m.memberId);
      if (v >= 5) out.string(m.groupInstanceId);
      out.bytes(m.metadata);
    });
    return w;
  },
};
