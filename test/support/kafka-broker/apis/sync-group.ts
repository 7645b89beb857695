/**
 * SyncGroup (key 14), v0–v3: the leader sends every member's assignment; each member receives its own.
 */
import { KafkaWriter } from '../codec.js';
import { type ApiHandler, ApiKey } from './api.js';

/** SyncGroup v0–v3. */
export const syncGroup: ApiHandler = {
  apiKey: ApiKey.SyncGroup,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 3,
  async handle(r, ctx) {
    const v = ctx.apiVersion;
    const groupId = r.requiredString();
    const generationId = r.int32();
    const memberId = r.requiredString();
    if (v >= 3) r.string(); // group_instance_id: static membership is not distinguished
    const assignments =
      r.array((a) => ({
        memberId: a.requiredString(),
        assignment: Buffer.from(a.bytes() ?? Buffer.alloc(0)),
      })) ?? [];
    const result = await ctx.groups.sync(groupId, generationId, memberId, assignments);
    const w = new KafkaWriter();
    if (v >= 1) w.int32(0); // throttle_time_ms
    return w.int16(result.errorCode).bytes(result.assignment);
  },
};
