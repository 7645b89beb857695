/**
 * FindCoordinator (key 10), v0–v2: the single broker coordinates every group (and would every transactional
 * id, though transactions are not served).
 */
import { KafkaWriter } from '../codec.js';
import { ErrorCode } from '../error-codes.js';
import { type ApiHandler, ApiKey } from './api.js';

/** FindCoordinator v0–v2. */
export const findCoordinator: ApiHandler = {
  apiKey: ApiKey.FindCoordinator,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 2,
  handle(r, ctx) {
    const v = ctx.apiVersion;
    r.string(); // key: the group id
    if (v >= 1) r.int8(); // key_type: 0 = group, 1 = transaction
    const w = new KafkaWriter();
    if (v >= 1) w.int32(0); // throttle_time_ms
    w.int16(ErrorCode.NONE);
    if (v >= 1) w.string(null); // error_message
    return w.int32(ctx.node.nodeId).string(ctx.node.host).int32(ctx.node.port);
  },
};
