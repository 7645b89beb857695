/**
 * DescribeGroups (key 15), v0–v4, and ListGroups (key 16), v0–v2: read-only views of the coordinator, used
 * by admin clients and handy when a test has to wait for a group to settle.
 */
import { KafkaWriter } from '../codec.js';
import { ErrorCode } from '../error-codes.js';
import { type ApiHandler, ApiKey, AUTHORIZED_OPERATIONS_OMITTED } from './api.js';

/** DescribeGroups v0–v4. An unknown group is reported as `Dead` with no members, as Kafka does. */
export const describeGroups: ApiHandler = {
  apiKey: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 4,
  handle(r, ctx) {
    const v = ctx.apiVersion;
    const groupIds = r.array((g) => g.requiredString()) ?? [];
    if (v >= 3) r.boolean(); // include_authorized_operations
    const w = new KafkaWriter();
    if (v >= 1) w.int32(0); // throttle_time_ms
    w.array(groupIds, (out, groupId) => {
      const group = ctx.groups.groups.get(groupId);
      const members = group === undefined ? [] : [...group.members.values()];
      out
        .int16(ErrorCode.NONE)
        .string(groupId)
        .string(group?.state ?? 'Dead');
      out.string(group?.protocolType ?? '').string(group?.protocolName ?? '');
      out.array(members, (o, m) => {
        o.string(m.memberId);
        if (v >= 4) o.string(m.groupInstanceId);
        o.string(m.clientId)
          .string(m.clientHost)
          .bytes(group?.metadataFor(m) ?? null)
          .bytes(m.assignment);
      });
      if (v >= 3) out.int32(AUTHORIZED_OPERATIONS_OMITTED);
    });
    return w;
  },
};

/** ListGroups v0–v2. */
export const listGroups: ApiHandler = {
  apiKey: ApiKey.ListGroups,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 2,
  handle(_r, ctx) {
    const w = new KafkaWriter();
    if (ctx.apiVersion >= 1) w.int32(0); // throttle_time_ms
    w.int16(ErrorCode.NONE);
    return w.array([...ctx.groups.groups.values()], (out, g) =>
      out.string(g.groupId).string(g.protocolType ?? ''),
    );
  },
};
