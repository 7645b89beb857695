/**
 * Heartbeat (key 12) and LeaveGroup (key 13), v0–v3 each: the two requests that keep or end a membership
 * without a join round of their own.
 */
import { KafkaWriter } from '../codec.js';
import { ErrorCode } from '../error-codes.js';
import { type ApiHandler, ApiKey } from './api.js';

/** Heartbeat v0–v3. */
export const heartbeat: ApiHandler = {
  apiKey: ApiKey.Heartbeat,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 3,
  handle(r, ctx) {
    const groupId = r.requiredString();
    const generationId = r.int32();
    const memberId = r.requiredString();
    if (ctx.apiVersion >= 3) r.string(); // group_instance_id
    const w = new KafkaWriter();
    if (ctx.apiVersion >= 1) w.int32(0); // throttle_time_ms
    return w.int16(ctx.groups.heartbeat(groupId, generationId, memberId));
  },
};

/** LeaveGroup v0–v3; v3 (KIP-345) takes a batch of members and reports an error per member. */
export const leaveGroup: ApiHandler = {
  apiKey: ApiKey.LeaveGroup,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 3,
  handle(r, ctx) {
    const v = ctx.apiVersion;
    const groupId = r.requiredString();
    const w = new KafkaWriter();
    if (v >= 1) w.int32(0); // throttle_time_ms
    if (v < 3) return w.int16(ctx.groups.leave(groupId, r.requiredString()));
    const members = r.array((m) => ({ memberId: m.requiredString(), groupInstanceId: m.string() })) ?? [];
    const results = members.map((m) => ({ ...m, errorCode: ctx.groups.leave(groupId, m.memberId) }));
    w.int16(ErrorCode.NONE);
    return w.array(results, (out, m) => out.string(m.memberId).string(m.groupInstanceId).int16(m.errorCode));
  },
};
