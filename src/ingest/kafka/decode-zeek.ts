import {
  type FlowRecord,
  type FlowSource,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
} from '../../core/flow-record.js';
import { type RecordScope, showValue } from './decode-context.js';
import {
  isJsonObject,
  isUnset,
  type JsonObject,
  readAddress,
  readCount,
  readOptionalInt,
  readOptionalText,
  readPort,
  readProtocol,
  readTime,
} from './json-fields.js';
import { zeekTcpFlags } from './zeek-tcp-flags.js';

/**
 * The conn record inside a zeek-kafka message: the record itself, or the value of its single
 * `conn` key when zeek-kafka tags records by log stream. Another tag (`{"dns": {...}}`) is a log
 * tapwatch does not read.
 */
function connRecord(record: JsonObject, scope: RecordScope): JsonObject {
  if (record.ts !== undefined) return record;
  const keys = Object.keys(record);
  if (keys.length !== 1 || !isJsonObject(record[keys[0]])) return record;
  if (keys[0] !== 'conn')
    scope.fail('unsupported_event', keys[0], `expected a conn.log record, got a "${keys[0]}" record`);
  return record[keys[0]] as JsonObject;
}

/** `id.orig_h` as a flat key (Zeek's JSON writer) or `orig_h` nested under `id` (some shippers). */
function idField(record: JsonObject, flatName: string, nestedName: string): unknown {
  const flat = record[flatName];
  if (flat !== undefined) return flat;
  const id = record.id;
  return isJsonObject(id) ? id[nestedName] : undefined;
}

/**
 * What a conn.log record says, in FlowRecord's units: the readers of conn.log fill it, {@link zeekFlowRecord}
 * builds the flow. `proto` is as Zeek names it: ICMPv6 is `icmp` too, told apart by the address family.
 */
export interface ZeekConn
  extends Pick<
    FlowRecord,
    | 'start'
    | 'srcIp'
    | 'dstIp'
    | 'srcPort'
    | 'dstPort'
    | 'proto'
    | 'bytesFwd'
    | 'pktsFwd'
    | 'bytesRev'
    | 'pktsRev'
  > {
  durationMs: number;
  /** TCP flags per direction, when the flow is TCP and Zeek says anything about them. */
  tcpFlags: Readonly<{ fwd: number; rev: number }> | undefined;
  vlan: number | undefined;
  exporter: string | undefined;
  communityId: string | undefined;
}

/**
 * The FlowRecord of a conn.log record's values. Every reader builds its flows here, so flows of
 * either reader have one shape (same fields, added in the same order).
 */
export function zeekFlowRecord(conn: ZeekConn, source: FlowSource): FlowRecord {
  // Zeek names ICMPv6 "icmp" too; the address family tells them apart.
  const proto = conn.proto === IPPROTO_ICMP && conn.srcIp.includes(':') ? IPPROTO_ICMPV6 : conn.proto;
  const flow: FlowRecord = {
    start: conn.start,
    end: conn.start + conn.durationMs,
    srcIp: conn.srcIp,
    dstIp: conn.dstIp,
    srcPort: conn.srcPort,
    dstPort: conn.dstPort,
    proto,
    bytesFwd: conn.bytesFwd,
    pktsFwd: conn.pktsFwd,
    bytesRev: conn.bytesRev,
    pktsRev: conn.pktsRev,
    tcpFlags: 0,
    source,
  };
  const flags = conn.tcpFlags;
  if (flags !== undefined) {
    flow.tcpFlags = flags.fwd | flags.rev;
    flow.tcpFlagsFwd = flags.fwd;
    flow.tcpFlagsRev = flags.rev;
  }
  if (conn.vlan !== undefined) flow.vlan = conn.vlan;
  if (conn.exporter !== undefined) flow.exporter = conn.exporter;
  if (conn.communityId !== undefined) flow.communityId = conn.communityId;
  return flow;
}

/**
 * The FlowRecord of one Zeek conn.log JSON record. `ts` may be epoch seconds, epoch milliseconds
 * (`JSON::TS_MILLIS`) or ISO 8601 (`JSON::TS_ISO8601`); `duration` is always seconds. Counters
 * prefer IP-level bytes (`orig_ip_bytes`) over payload bytes (`orig_bytes`), which leave out every
 * header. For ICMP, Zeek already puts type and code in the ports. Unset fields (`-`, absent) are
 * unknown: 0 for counters.
 */
export function decodeZeekRecord(tagged: JsonObject, scope: RecordScope): FlowRecord {
  const record = connRecord(tagged, scope);
  const start = readTime(scope, record.ts, 'ts');
  const durationValue = record.duration;
  let durationMs = 0;
  if (!isUnset(durationValue)) {
    durationMs = typeof durationValue === 'number' ? durationValue * 1000 : Number.NaN;
    // The end must stay a finite number, so absurd durations are rejected rather than overflowing.
    if (!(durationMs >= 0) || !Number.isFinite(start + durationMs)) {
      scope.fail('wrong_type', 'duration', `expected seconds >= 0, got ${showValue(durationValue)}`);
    }
  }
  const srcIp = readAddress(scope, idField(record, 'id.orig_h', 'orig_h'), 'id.orig_h');
  const dstIp = readAddress(scope, idField(record, 'id.resp_h', 'resp_h'), 'id.resp_h');
  const proto = record.proto === 'unknown_transport' ? 0 : readProtocol(scope, record.proto, 'proto');
  return zeekFlowRecord(
    {
      start,
      durationMs,
      srcIp,
      dstIp,
      srcPort: readPort(scope, idField(record, 'id.orig_p', 'orig_p'), 'id.orig_p'),
      dstPort: readPort(scope, idField(record, 'id.resp_p', 'resp_p'), 'id.resp_p'),
      proto,
      bytesFwd: counter(record, 'orig_ip_bytes', 'orig_bytes', scope),
      pktsFwd: readCount(scope, record.orig_pkts, 'orig_pkts'),
      bytesRev: counter(record, 'resp_ip_bytes', 'resp_bytes', scope),
      pktsRev: readCount(scope, record.resp_pkts, 'resp_pkts'),
      tcpFlags:
        proto === IPPROTO_TCP
          ? zeekTcpFlags(
              readOptionalText(scope, record.history, 'history'),
              readOptionalText(scope, record.conn_state, 'conn_state'),
            )
          : undefined,
      vlan: readOptionalInt(scope, record.vlan, 'vlan', 4095),
      exporter:
        readOptionalText(scope, record._node_name, '_node_name') ??
        readOptionalText(scope, record._system_name, '_system_name'),
      communityId: readOptionalText(scope, record.community_id, 'community_id'),
    },
    scope.source(),
  );
}

function counter(record: JsonObject, preferred: string, fallback: string, scope: RecordScope): number {
  const value = record[preferred];
  return isUnset(value) ? readCount(scope, record[fallback], fallback) : readCount(scope, value, preferred);
}
