import { type FlowRecord, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP } from '../../core/flow-record.js';
import { type RecordScope, showValue } from './decode-context.js';
import {
  isJsonObject,
  isUnset,
  type JsonObject,
  readAddress,
  readCount,
  readOptionalInt,
  readOptionalText,
  readOptionalTime,
  readPort,
  readProtocol,
  readTcpFlags,
} from './json-fields.js';

const NO_OBJECT: JsonObject = {};

/**
 * The FlowRecord of one Suricata EVE `flow` or `netflow` event. A `flow` event covers both
 * directions (to-server = forward); a `netflow` event covers one, so its counters are forward
 * only. Flow times come from `flow.start`/`flow.end` (or `netflow.*`), falling back to the event
 * `timestamp`. ICMP events carry type and code in `icmp_type`/`icmp_code`, which become the ports.
 * The exporter is the sensor name (`host`), else the capture interface (`in_iface`). Every other
 * event type is rejected as `unsupported_event` so the caller counts and dead-letters it.
 */
export function decodeEveRecord(record: JsonObject, scope: RecordScope): FlowRecord {
  const eventType = record.event_type;
  if (isUnset(eventType))
    scope.fail('missing_field', 'event_type', 'expected "flow" or "netflow", got nothing');
  if (eventType !== 'flow' && eventType !== 'netflow') {
    scope.fail(
      'unsupported_event',
      'event_type',
      `expected "flow" or "netflow", got ${showValue(eventType)}`,
    );
  }
  const oneWay = eventType === 'netflow';
  const section = oneWay ? 'netflow' : 'flow';
  const counters = isJsonObject(record[section]) ? (record[section] as JsonObject) : NO_OBJECT;
  const proto = readProtocol(scope, record.proto, 'proto');
  const fallbackTime = readOptionalTime(scope, record.timestamp, 'timestamp');
  const start = readOptionalTime(scope, counters.start, `${section}.start`) ?? fallbackTime;
  if (start === undefined)
    scope.fail('missing_field', `${section}.start`, 'expected a timestamp, got nothing');
  const end = readOptionalTime(scope, counters.end, `${section}.end`) ?? start;
  const isIcmp = proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6;
  const flow: FlowRecord = {
    start,
    end: Math.max(end, start),
    srcIp: readAddress(scope, record.src_ip, 'src_ip'),
    dstIp: readAddress(scope, record.dest_ip, 'dest_ip'),
    srcPort: isIcmp
      ? (readOptionalInt(scope, record.icmp_type, 'icmp_type', 255) ?? 0)
      : readPort(scope, record.src_port, 'src_port'),
    dstPort: isIcmp
      ? (readOptionalInt(scope, record.icmp_code, 'icmp_code', 255) ?? 0)
      : readPort(scope, record.dest_port, 'dest_port'),
    proto,
    bytesFwd: readCount(
      scope,
      oneWay ? counters.bytes : counters.bytes_toserver,
      `${section}.bytes${oneWay ? '' : '_toserver'}`,
    ),
    pktsFwd: readCount(
      scope,
      oneWay ? counters.pkts : counters.pkts_toserver,
      `${section}.pkts${oneWay ? '' : '_toserver'}`,
    ),
    bytesRev: oneWay ? 0 : readCount(scope, counters.bytes_toclient, 'flow.bytes_toclient'),
    pktsRev: oneWay ? 0 : readCount(scope, counters.pkts_toclient, 'flow.pkts_toclient'),
    tcpFlags: 0,
    source: scope.source(),
  };
  if (proto === IPPROTO_TCP) addTcpFlags(flow, record.tcp, scope);
  const vlan = Array.isArray(record.vlan) ? record.vlan[0] : record.vlan;
  const vlanId = readOptionalInt(scope, vlan, 'vlan[0]', 4095);
  if (vlanId !== undefined) flow.vlan = vlanId;
  const exporter =
    readOptionalText(scope, record.host, 'host') ?? readOptionalText(scope, record.in_iface, 'in_iface');
  if (exporter !== undefined) flow.exporter = exporter;
  const communityId = readOptionalText(scope, record.community_id, 'community_id');
  if (communityId !== undefined) flow.communityId = communityId;
  return flow;
}

/** `tcp.tcp_flags` (both directions) and `tcp.tcp_flags_ts`/`_tc` (per direction), hex text. */
function addTcpFlags(flow: FlowRecord, tcp: unknown, scope: RecordScope): void {
  if (!isJsonObject(tcp)) return;
  const fwd = readTcpFlags(scope, tcp.tcp_flags_ts, 'tcp.tcp_flags_ts');
  const rev = readTcpFlags(scope, tcp.tcp_flags_tc, 'tcp.tcp_flags_tc');
  const both = readTcpFlags(scope, tcp.tcp_flags, 'tcp.tcp_flags');
  flow.tcpFlags = (both ?? 0) | (fwd ?? 0) | (rev ?? 0);
  if (fwd !== undefined) flow.tcpFlagsFwd = fwd;
  if (rev !== undefined) flow.tcpFlagsRev = rev;
}
