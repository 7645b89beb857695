import type { FlowFormat } from './decode-context.js';
import { isJsonObject, type JsonObject } from './json-fields.js';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * True when a message value is JSON rather than varint-delimited protobuf. A `{` first is not
 * enough: 0x7b is also the length prefix of a 123-byte FlowMessage. JSON is recognised by an
 * opening bracket followed by a byte that can follow it in a record stream (`"` or `}` after `{`;
 * `{`, `[` or `]` after `[`). As protobuf, those would be field tags goflow2 never writes (field 4
 * as length-delimited, field 15 as fixed32), and goflow2 writes `type` (tag 0x08) first anyway.
 */
export function looksLikeJson(value: Uint8Array): boolean {
  let first = 0;
  while (first < value.length && isBlank(value[first])) first++;
  let next = first + 1;
  while (next < value.length && isBlank(value[next])) next++;
  if (next >= value.length) return false;
  const open = value[first];
  const second = value[next];
  if (open === OPEN_BRACE) return second === QUOTE || second === CLOSE_BRACE;
  if (open === OPEN_BRACKET)
    return second === OPEN_BRACE || second === OPEN_BRACKET || second === CLOSE_BRACKET;
  return false;
}

/** Keys only goflow2 writes, in v2 snake_case and v1/goflow CamelCase. */
const GOFLOW2_KEYS = [
  'src_addr',
  'SrcAddr',
  'time_flow_start_ns',
  'TimeFlowStart',
  'time_received_ns',
  'TimeReceived',
  'sampler_address',
  'SamplerAddress',
];

/**
 * Which JSON flow format a record is in, by its keys: `event_type` → Suricata EVE; `id.orig_h`,
 * a nested `id`, or a zeek-kafka stream tag (`{"conn": {...}}`) → Zeek; `srcIp` → tapwatch;
 * goflow2's own key names → goflow2 JSON. Undefined when none fits.
 */
export function detectJsonFormat(record: JsonObject): FlowFormat | undefined {
  if (record.event_type !== undefined) return 'eve';
  if (record['id.orig_h'] !== undefined || isJsonObject(record.id)) return 'zeek';
  if (record.srcIp !== undefined) return 'tapwatch';
  for (const key of GOFLOW2_KEYS) if (record[key] !== undefined) return 'goflow2-json';
  if (record.uid !== undefined && record.ts !== undefined) return 'zeek';
  return isZeekTag(record) ? 'zeek' : undefined;
}

/** `{"conn": {...}}`: one key holding a Zeek record (which always has `ts`). */
function isZeekTag(record: JsonObject): boolean {
  let only: unknown;
  let count = 0;
  for (const key in record) {
    if (++count > 1) return false;
    only = record[key];
  }
  return count === 1 && isJsonObject(only) && only.ts !== undefined;
}
