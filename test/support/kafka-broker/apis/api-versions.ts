/**
 * ApiVersions (key 18), v0–v2. A client sends it first and then uses, per API, the highest version both sides
 * support — so advertising only the non-flexible versions implemented here keeps every client on them.
 */
import { KafkaWriter } from '../codec.js';
import { ErrorCode } from '../error-codes.js';
import { type ApiHandler, ApiKey, type RequestContext } from './api.js';

function writeBody(ctx: RequestContext, errorCode: number, withThrottle: boolean): KafkaWriter {
  const w = new KafkaWriter().int16(errorCode);
  w.array(ctx.supportedApis, (out, api) => out.int16(api.apiKey).int16(api.minVersion).int16(api.maxVersion));
  if (withThrottle) w.int32(0);
  return w;
}

/** ApiVersions v0–v2: the request body is empty; the response lists every API and version range. */
export const apiVersions: ApiHandler = {
  apiKey: ApiKey.ApiVersions,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 2,
  handle: (_request, ctx) => writeBody(ctx, ErrorCode.NONE, ctx.apiVersion >= 1),
};

/**
 * The answer to an ApiVersions request of a version the broker does not serve (librdkafka starts with v3):
 * KIP-511 has the broker reply in the v0 format with UNSUPPORTED_VERSION and its own ranges, and the client
 * retries with the highest ApiVersions version listed.
 */
export function unsupportedApiVersionsResponse(ctx: RequestContext): KafkaWriter {
  return writeBody(ctx, ErrorCode.UNSUPPORTED_VERSION, false);
}
