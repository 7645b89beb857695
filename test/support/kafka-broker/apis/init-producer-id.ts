/**
 * InitProducerId (key 22), v0–v1: hands out producer ids for idempotent producers (KIP-98). Every call gets
 * a fresh id at epoch 0; transactional ids are accepted but transactions themselves are not served.
 */
import { KafkaWriter } from '../codec.js';
import { ErrorCode } from '../error-codes.js';
import { type ApiHandler, ApiKey } from './api.js';

/** InitProducerId v0–v1. */
export const initProducerId: ApiHandler = {
  apiKey: ApiKey.InitProducerId,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 1,
  handle(r, ctx) {
    r.string(); // transactional_id
    r.int32(); // transaction_timeout_ms
    return new KafkaWriter().int32(0).int16(ErrorCode.NONE).int64(ctx.state.allocateProducerId()).int16(0);
  },
};
