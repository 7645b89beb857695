import type { FlowRecord } from '../../core/flow-record.js';
import type { RecordScope } from './decode-context.js';
import { goflow2Flow, goflow2Times } from './goflow2-flow.js';
import {
  isUnset,
  type JsonObject,
  readAddress,
  readCount,
  readOptionalAddress,
  readOptionalInt,
  readPort,
  readProtocol,
} from './json-fields.js';

/** Ethertypes goflow2 v2 prints by name in JSON; anything else is not an IP flow. */
const IP_ETYPES: ReadonlySet<unknown> = new Set(['IPv4', 'IPv6', 0x0800, 0x86dd, '2048', '34525']);

/**
 * A field under goflow2 v2's snake_case name, else under the CamelCase name goflow2 v1 and
 * Cloudflare's goflow used (`src_addr` / `SrcAddr`).
 */
function field(record: JsonObject, snake: string, camel: string): unknown {
  const value = record[snake];
  return value !== undefined ? value : record[camel];
}

/**
 * The FlowRecord of one goflow2 JSON record, in either naming. Time fields are read by the unit
 * their name gives (`_ns`, `_ms`, or seconds for the unsuffixed v1 names); `proto` may be a number
 * or a name (v2 prints `"TCP"`); addresses are text.
 */
export function decodeGoflow2JsonRecord(record: JsonObject, scope: RecordScope): FlowRecord {
  const srcValue = field(record, 'src_addr', 'SrcAddr');
  const dstValue = field(record, 'dst_addr', 'DstAddr');
  if (isUnset(srcValue) || isUnset(dstValue)) {
    const etype = field(record, 'etype', 'Etype');
    if (!isUnset(etype) && !IP_ETYPES.has(etype)) {
      scope.fail(
        'not_ip',
        isUnset(srcValue) ? 'src_addr' : 'dst_addr',
        `ethertype ${String(etype)} carries no IP flow`,
      );
    }
  }
  const count = (snake: string, camel: string) => readCount(scope, field(record, snake, camel), snake);
  const times = goflow2Times(
    {
      ns: count('time_flow_start_ns', 'TimeFlowStartNs'),
      ms: count('time_flow_start_ms', 'TimeFlowStartMs'),
      s: count('time_flow_start', 'TimeFlowStart'),
    },
    {
      ns: count('time_flow_end_ns', 'TimeFlowEndNs'),
      ms: count('time_flow_end_ms', 'TimeFlowEndMs'),
      s: count('time_flow_end', 'TimeFlowEnd'),
    },
    { ns: count('time_received_ns', 'TimeReceivedNs'), s: count('time_received', 'TimeReceived') },
  );
  if (times === undefined)
    scope.fail('missing_field', 'time_flow_start_ns', 'expected a flow or receive time, got none');
  const uint = (snake: string, camel: string, max: number) =>
    readOptionalInt(scope, field(record, snake, camel), snake, max) ?? 0;
  const tcpFlagsValue = record.tcp_flags ?? record.TCPFlags ?? record.TcpFlags;
  return goflow2Flow(
    {
      srcAddr: readAddress(scope, srcValue, 'src_addr'),
      dstAddr: readAddress(scope, dstValue, 'dst_addr'),
      startMs: times.startMs,
      endMs: times.endMs,
      bytes: count('bytes', 'Bytes'),
      packets: count('packets', 'Packets'),
      samplingRate: count('sampling_rate', 'SamplingRate'),
      proto: readProtocol(scope, field(record, 'proto', 'Proto'), 'proto'),
      srcPort: readPort(scope, field(record, 'src_port', 'SrcPort'), 'src_port'),
      dstPort: readPort(scope, field(record, 'dst_port', 'DstPort'), 'dst_port'),
      icmpType: uint('icmp_type', 'IcmpType', 255),
      icmpCode: uint('icmp_code', 'IcmpCode', 255),
      tcpFlags: readOptionalInt(scope, tcpFlagsValue, 'tcp_flags', 0xffff) ?? 0,
      inIf: uint('in_if', 'InIf', 0xffffffff),
      outIf: uint('out_if', 'OutIf', 0xffffffff),
      vlan:
        uint('vlan_id', 'VlanId', 4095) ||
        uint('src_vlan', 'SrcVlan', 4095) ||
        uint('dst_vlan', 'DstVlan', 4095),
      exporter: readOptionalAddress(
        scope,
        field(record, 'sampler_address', 'SamplerAddress'),
        'sampler_address',
      ),
    },
    scope,
  );
}
