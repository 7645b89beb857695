import type { RecordScope } from './decode-context.js';
import { showValue } from './decode-context.js';
import { toEpochMs } from './epoch-ms.js';
import { normalizeIpText } from './ip-address.js';
import { protocolNumber } from './ip-protocols.js';

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** Plain object (not array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * True for a field that carries no value: absent, null, or Zeek's `-` (unset) and empty text.
 * Unset counters read as 0 and unset optional fields as absent.
 */
export function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '-' || value === '';
}

const UNSIGNED_TEXT = /^\d+(?:\.\d+)?$/;

/**
 * A non-negative finite number given as a number or as decimal text (protobuf JSON writes 64-bit
 * integers as strings), or undefined.
 */
function nonNegative(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && UNSIGNED_TEXT.test(value)
        ? Number(value)
        : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** A required address, normalised (RFC 5952 for IPv6, mapped IPv4 as a dotted quad). */
export function readAddress(scope: RecordScope, value: unknown, path: string): string {
  if (isUnset(value)) scope.fail('missing_field', path, 'expected an IP address, got nothing');
  const text = typeof value === 'string' ? normalizeIpText(value) : undefined;
  if (text === undefined) scope.fail('bad_address', path, `expected an IP address, got ${showValue(value)}`);
  return text;
}

/** An optional address (exporter, sampler): unset → undefined, present but bad → rejected. */
export function readOptionalAddress(scope: RecordScope, value: unknown, path: string): string | undefined {
  return isUnset(value) ? undefined : readAddress(scope, value, path);
}

/** A counter (bytes, packets): unset → 0 (unknown), else a finite number ≥ 0. */
export function readCount(scope: RecordScope, value: unknown, path: string): number {
  if (isUnset(value)) return 0;
  const n = nonNegative(value);
  if (n === undefined) scope.fail('wrong_type', path, `expected a count >= 0, got ${showValue(value)}`);
  return n;
}

/** An optional integer in [0, max]: unset → undefined. */
export function readOptionalInt(
  scope: RecordScope,
  value: unknown,
  path: string,
  max: number,
): number | undefined {
  if (isUnset(value)) return undefined;
  const n = nonNegative(value);
  if (n === undefined || !Number.isInteger(n) || n > max) {
    scope.fail('wrong_type', path, `expected an integer 0..${max}, got ${showValue(value)}`);
  }
  return n;
}

/** A port: unset → 0 (protocols without ports), else an integer 0..65535. */
export function readPort(scope: RecordScope, value: unknown, path: string): number {
  return readOptionalInt(scope, value, path, 65_535) ?? 0;
}

/** A required IP protocol as number, decimal text or name. */
export function readProtocol(scope: RecordScope, value: unknown, path: string): number {
  if (isUnset(value)) scope.fail('missing_field', path, 'expected an IP protocol, got nothing');
  const proto = protocolNumber(value);
  if (proto === undefined) {
    scope.fail('wrong_type', path, `expected an IP protocol number or name, got ${showValue(value)}`);
  }
  return proto;
}

/** A required timestamp (epoch s/ms/µs/ns by magnitude, or ISO 8601), as epoch ms. */
export function readTime(scope: RecordScope, value: unknown, path: string): number {
  if (isUnset(value)) scope.fail('missing_field', path, 'expected a timestamp, got nothing');
  const ms = toEpochMs(value);
  if (ms === undefined) scope.fail('wrong_type', path, `expected a timestamp, got ${showValue(value)}`);
  return ms;
}

/** An optional timestamp: unset → undefined. */
export function readOptionalTime(scope: RecordScope, value: unknown, path: string): number | undefined {
  return isUnset(value) ? undefined : readTime(scope, value, path);
}

/** Optional text: unset → undefined; numbers are accepted as their decimal text. */
export function readOptionalText(scope: RecordScope, value: unknown, path: string): string | undefined {
  if (isUnset(value)) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return scope.fail('wrong_type', path, `expected text, got ${showValue(value)}`);
}

const HEX_FLAGS = /^(?:0x)?[0-9a-fA-F]{1,4}$/;

/** TCP flags as Suricata's hex text (`1b`) or a number; unset → undefined; masked to 8 bits. */
export function readTcpFlags(scope: RecordScope, value: unknown, path: string): number | undefined {
  if (isUnset(value)) return undefined;
  if (typeof value === 'string' && HEX_FLAGS.test(value)) return Number.parseInt(value, 16) & 0xff;
  const n = readOptionalInt(scope, value, path, 0xffff);
  return n === undefined ? undefined : n & 0xff;
}
