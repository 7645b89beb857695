import type { FlowRecord } from '../../core/flow-record.js';
import { IPPROTO_TCP } from '../../core/flow-record.js';
import type { MessageOrigin } from './decode-context.js';
import { type ZeekConn, zeekFlowRecord } from './decode-zeek.js';
import { numberToMs, toEpochMs } from './epoch-ms.js';
import { ABSENT, FlatJsonFields, NUMBER, TEXT, UNSET } from './flat-json-bytes.js';
import { ipv4Text, normalizeIpText } from './ip-address.js';
import { protocolNumber } from './ip-protocols.js';
import { historyFlagBytes, zeekTcpFlags } from './zeek-tcp-flags.js';

// A Zeek conn.log message read straight from its bytes. Zeek's JSON writer emits one flat object per
// record, with ASCII keys and values, and most of its twenty-odd fields are of no use to tapwatch.
// Parsing the whole text allocates a string for the message, an object for the record and a string
// or number for every field; this reader allocates the flow and little else. It declines (returns
// undefined) whatever it does not fully understand: a message the scan cannot read (escapes, nested
// values), a field whose type the general decoder would reject or convert. The general decoder then
// reads that message, with its error reasons, so both paths give the same flows and the same errors.

/** The fields read, by slot. */
export const ZEEK_CONN_FIELDS = [
  'ts',
  'id.orig_h',
  'id.orig_p',
  'id.resp_h',
  'id.resp_p',
  'proto',
  'duration',
  'orig_ip_bytes',
  'orig_bytes',
  'orig_pkts',
  'resp_ip_bytes',
  'resp_bytes',
  'resp_pkts',
  'history',
  'conn_state',
  'vlan',
  '_node_name',
  '_system_name',
  'community_id',
  'event_type',
] as const;
const [
  TS,
  ORIG_H,
  ORIG_P,
  RESP_H,
  RESP_P,
  PROTO,
  DURATION,
  ORIG_IP_BYTES,
  ORIG_BYTES,
  ORIG_PKTS,
  RESP_IP_BYTES,
  RESP_BYTES,
  RESP_PKTS,
  HISTORY,
  CONN_STATE,
  VLAN,
  NODE_NAME,
  SYSTEM_NAME,
  COMMUNITY_ID,
  EVENT_TYPE,
] = ZEEK_CONN_FIELDS.map((_name, slot) => slot);

/** The conn.log fields of the message being read. */
const fields = new FlatJsonFields(ZEEK_CONN_FIELDS, 'conn');

/** Reused for each message's values; {@link zeekFlowRecord} copies what it keeps. */
const conn: ZeekConn = {
  start: 0,
  durationMs: 0,
  srcIp: '',
  dstIp: '',
  srcPort: 0,
  dstPort: 0,
  proto: 0,
  bytesFwd: 0,
  pktsFwd: 0,
  bytesRev: 0,
  pktsRev: 0,
  tcpFlags: undefined,
  vlan: undefined,
  exporter: undefined,
  communityId: undefined,
};

/**
 * The flow of a message that is one flat Zeek conn.log object, plain or tagged
 * (`{"conn": {...}}`), read from its bytes; undefined when the message needs the general decoder.
 * With `detect` (a topic of format `auto`), also undefined unless the general decoder would take
 * the message for Zeek too: tagged, or with `id.orig_h` and without Suricata's `event_type`.
 */
export function readZeekConnBytes(
  value: Uint8Array,
  origin: MessageOrigin,
  detect = false,
): FlowRecord | undefined {
  const bytes = Buffer.isBuffer(value)
    ? value
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const read =
    fields.scan(bytes) &&
    (!detect || fields.tagged || (fields.kind[ORIG_H] !== ABSENT && fields.kind[EVENT_TYPE] === ABSENT));
  const flow = read ? connFlow(origin) : undefined;
  fields.release();
  return flow;
}

/**
 * The flow of the scanned fields, read as {@link decodeZeekRecord} reads them, or undefined
 * where it would reject a field or accept it in a form read here only through text.
 */
function connFlow(origin: MessageOrigin): FlowRecord | undefined {
  const kind = fields.kind;
  if (kind[TS] === NUMBER) {
    const ms = numberToMs(fields.number[TS]);
    if (ms === undefined) return undefined;
    conn.start = ms;
  } else if (kind[TS] === TEXT) {
    const ms = toEpochMs(fields.text(TS));
    if (ms === undefined) return undefined;
    conn.start = ms;
  } else {
    return undefined;
  }
  if (kind[DURATION] === NUMBER) {
    const ms = fields.number[DURATION] * 1000;
    if (!(ms >= 0) || !Number.isFinite(conn.start + ms)) return undefined;
    conn.durationMs = ms;
  } else if (kind[DURATION] === ABSENT || kind[DURATION] === UNSET) {
    conn.durationMs = 0;
  } else {
    return undefined;
  }
  const srcIp = address(ORIG_H);
  const dstIp = address(RESP_H);
  if (srcIp === undefined || dstIp === undefined) return undefined;
  conn.srcIp = srcIp;
  conn.dstIp = dstIp;
  const proto = protocol();
  const srcPort = optionalInt(ORIG_P, 65_535);
  const dstPort = optionalInt(RESP_P, 65_535);
  const bytesFwd = count(
    kind[ORIG_IP_BYTES] === ABSENT || kind[ORIG_IP_BYTES] === UNSET ? ORIG_BYTES : ORIG_IP_BYTES,
  );
  const pktsFwd = count(ORIG_PKTS);
  const bytesRev = count(
    kind[RESP_IP_BYTES] === ABSENT || kind[RESP_IP_BYTES] === UNSET ? RESP_BYTES : RESP_IP_BYTES,
  );
  const pktsRev = count(RESP_PKTS);
  const vlan = optionalInt(VLAN, 4095);
  if (
    proto < 0 ||
    srcPort < -1 ||
    dstPort < -1 ||
    bytesFwd < 0 ||
    pktsFwd < 0 ||
    bytesRev < 0 ||
    pktsRev < 0 ||
    vlan < -1
  ) {
    return undefined;
  }
  conn.proto = proto;
  conn.srcPort = srcPort < 0 ? 0 : srcPort;
  conn.dstPort = dstPort < 0 ? 0 : dstPort;
  conn.bytesFwd = bytesFwd;
  conn.pktsFwd = pktsFwd;
  conn.bytesRev = bytesRev;
  conn.pktsRev = pktsRev;
  conn.vlan = vlan < 0 ? undefined : vlan;
  conn.tcpFlags = undefined;
  if (proto === IPPROTO_TCP) {
    if (!isOptionalText(HISTORY) || !isOptionalText(CONN_STATE)) return undefined;
    if (kind[HISTORY] === TEXT) {
      const bits = historyFlagBytes(fields.bytes, fields.from[HISTORY], fields.to[HISTORY]);
      conn.tcpFlags = { fwd: bits & 0xff, rev: bits >>> 8 };
    } else if (kind[CONN_STATE] === TEXT) {
      conn.tcpFlags = zeekTcpFlags(undefined, fields.text(CONN_STATE));
    }
  }
  // `_system_name` only counts without `_node_name`, as with `??`: it is not even checked otherwise.
  if (!isOptionalText(NODE_NAME)) return undefined;
  if (kind[NODE_NAME] === TEXT) {
    conn.exporter = fields.text(NODE_NAME);
  } else {
    if (!isOptionalText(SYSTEM_NAME)) return undefined;
    conn.exporter = kind[SYSTEM_NAME] === TEXT ? fields.text(SYSTEM_NAME) : undefined;
  }
  if (!isOptionalText(COMMUNITY_ID)) return undefined;
  conn.communityId = kind[COMMUNITY_ID] === TEXT ? fields.text(COMMUNITY_ID) : undefined;
  return zeekFlowRecord(conn, {
    format: 'zeek',
    origin: origin.topic,
    partition: origin.partition,
    offset: origin.offset,
  });
}

/** Unset or text; a number would be read as its decimal text, which only the general decoder does. */
function isOptionalText(slot: number): boolean {
  const k = fields.kind[slot];
  return k === ABSENT || k === UNSET || k === TEXT;
}

const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** A required address; IPv4 as a shared string without a string of its own. */
function address(slot: number): string | undefined {
  if (fields.kind[slot] !== TEXT) return undefined;
  const word = ipv4Word(fields.bytes, fields.from[slot], fields.to[slot]);
  return word >= 0 ? ipv4Text(word) : normalizeIpText(fields.text(slot));
}

/**
 * The address word of a dotted quad in `bytes[from, to)` written as net.isIP accepts it (decimal
 * octets 0–255, no leading zeros), or -1.
 */
function ipv4Word(bytes: Buffer, from: number, to: number): number {
  let word = 0;
  let at = from;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (bytes[at] !== DOT || at >= to) return -1;
      at++;
    }
    const first = at;
    let value = 0;
    while (at < to && at - first < 3 && bytes[at] >= ZERO && bytes[at] <= NINE) {
      value = value * 10 + (bytes[at] - ZERO);
      at++;
    }
    if (at === first || value > 255 || (bytes[first] === ZERO && at - first > 1)) return -1;
    word = word * 256 + value;
  }
  return at === to ? word : -1;
}

/** `proto` as a number, -1 where the general decoder would reject it. */
function protocol(): number {
  const k = fields.kind[PROTO];
  if (k === NUMBER) return protocolNumber(fields.number[PROTO]) ?? -1;
  if (k !== TEXT) return -1;
  const bytes = fields.bytes;
  const from = fields.from[PROTO];
  const length = fields.to[PROTO] - from;
  // Zeek's own names, without a string.
  if (length === 3 && bytes[from] === 0x74 && bytes[from + 1] === 0x63 && bytes[from + 2] === 0x70) return 6;
  if (length === 3 && bytes[from] === 0x75 && bytes[from + 1] === 0x64 && bytes[from + 2] === 0x70) return 17;
  const name = fields.text(PROTO);
  if (name === 'unknown_transport') return 0;
  return protocolNumber(name) ?? -1;
}

/** An integer 0..max; -1 unset or absent, -2 where the general decoder would reject it or read text. */
function optionalInt(slot: number, max: number): number {
  const k = fields.kind[slot];
  if (k === ABSENT || k === UNSET) return -1;
  if (k !== NUMBER) return -2;
  const n = fields.number[slot];
  return n >= 0 && n <= max && Number.isInteger(n) ? n : -2;
}

/** A counter: unset or absent 0, else a finite number >= 0; -1 where the general decoder would reject it or read text. */
function count(slot: number): number {
  const k = fields.kind[slot];
  if (k === ABSENT || k === UNSET) return 0;
  if (k !== NUMBER) return -1;
  const n = fields.number[slot];
  return n >= 0 && Number.isFinite(n) ? n : -1;
}
