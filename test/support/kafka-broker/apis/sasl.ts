/**
 * SaslHandshake (key 17) v0–v1 and SaslAuthenticate (key 36) v0–v1: the mechanism is agreed by the handshake,
 * then each SaslAuthenticate carries one token of the mechanism's exchange. After a v0 handshake the tokens
 * come as bare frames instead (the server reads them before any header parsing). librdkafka insists on v0
 * being advertised even though it then uses v1. The state lives in the connection's {@link ConnectionAuth}.
 */
import { KafkaWriter } from '../codec.js';
import { type ApiHandler, ApiKey } from './api.js';

/** SaslHandshake v0–v1: mechanism → error code and the enabled mechanisms. */
export const saslHandshake: ApiHandler = {
  apiKey: ApiKey.SaslHandshake,
  name: 'SaslHandshake',
  minVersion: 0,
  maxVersion: 1,
  handle(r, ctx) {
    const { errorCode, mechanisms } = ctx.auth.handshake(r.requiredString(), ctx.apiVersion);
    return new KafkaWriter().int16(errorCode).array(mechanisms, (w, m) => w.string(m));
  },
};

/** SaslAuthenticate v0–v1 (v1 adds session_lifetime_ms; 0 = no re-authentication required). */
export const saslAuthenticate: ApiHandler = {
  apiKey: ApiKey.SaslAuthenticate,
  name: 'SaslAuthenticate',
  minVersion: 0,
  maxVersion: 1,
  handle(r, ctx) {
    const reply = ctx.auth.authenticate(r.bytes() ?? Buffer.alloc(0));
    const w = new KafkaWriter().int16(reply.errorCode).string(reply.errorMessage).bytes(reply.bytes);
    if (ctx.apiVersion >= 1) w.int64(0);
    return w;
  },
};
