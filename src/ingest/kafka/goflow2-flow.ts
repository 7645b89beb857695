import { type FlowRecord, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP } from '../../core/flow-record.js';
import type { RecordScope } from './decode-context.js';

/** goflow2 fields after name and type normalisation, common to its protobuf and JSON outputs. */
export interface Goflow2Fields {
  srcAddr: string;
  dstAddr: string;
  startMs: number;
  endMs: number;
  /** Sampled counters, as exported (goflow2 never scales them). */
  bytes: number;
  packets: number;
  /** As exported; 0 means unsampled. */
  samplingRate: number;
  proto: number;
  srcPort: number;
  dstPort: number;
  icmpType: number;
  icmpCode: number;
  tcpFlags: number;
  inIf: number;
  outIf: number;
  /** First non-zero of vlan_id, src_vlan, dst_vlan; 0 = none. */
  vlan: number;
  exporter: string | undefined;
}

/**
 * The FlowRecord of one goflow2 flow. goflow2 flows are one-directional, so everything counts as
 * forward and the reverse counters are 0. Counters are multiplied by the sampling rate here
 * because goflow2 leaves that to its consumers (goflow2 issue #21). For ICMP the record's ports
 * carry type and code: from icmp_type/icmp_code when set, else from the NetFlow convention of
 * `type * 256 + code` in the destination port.
 */
export function goflow2Flow(fields: Goflow2Fields, scope: RecordScope): FlowRecord {
  const rate = fields.samplingRate > 0 ? fields.samplingRate : 1;
  const bytesFwd = fields.bytes * rate;
  const pktsFwd = fields.packets * rate;
  if (!Number.isFinite(bytesFwd) || !Number.isFinite(pktsFwd)) {
    scope.fail('wrong_type', 'bytes', `counters times sampling rate ${rate} overflow`);
  }
  let srcPort = fields.srcPort;
  let dstPort = fields.dstPort;
  if (fields.proto === IPPROTO_ICMP || fields.proto === IPPROTO_ICMPV6) {
    if (fields.icmpType !== 0 || fields.icmpCode !== 0) {
      srcPort = fields.icmpType;
      dstPort = fields.icmpCode;
    } else {
      srcPort = fields.dstPort >>> 8;
      dstPort = fields.dstPort & 0xff;
    }
  }
  const tcpFlags = fields.proto === IPPROTO_TCP ? fields.tcpFlags & 0xff : 0;
  const flow: FlowRecord = {
    start: fields.startMs,
    end: Math.max(fields.endMs, fields.startMs),
    srcIp: fields.srcAddr,
    dstIp: fields.dstAddr,
    srcPort,
    dstPort,
    proto: fields.proto,
    bytesFwd,
    pktsFwd,
    bytesRev: 0,
    pktsRev: 0,
    tcpFlags,
    samplingRate: rate,
    source: scope.source(),
  };
  if (fields.proto === IPPROTO_TCP) flow.tcpFlagsFwd = tcpFlags;
  if (fields.exporter !== undefined) flow.exporter = fields.exporter;
  if (fields.vlan > 0) flow.vlan = fields.vlan;
  // NetFlow uses interface index 0 for "unknown"; proto3 cannot tell it from absent either.
  if (fields.inIf > 0) flow.inIf = fields.inIf;
  if (fields.outIf > 0) flow.outIf = fields.outIf;
  return flow;
}

/**
 * Flow start and end in epoch ms from the first non-zero of nanosecond, millisecond and second
 * fields (v2, v1.x, v1/goflow respectively); end defaults to start (sFlow samples have one time).
 * The receive time stands in when the exporter gave no flow time at all.
 */
export function goflow2Times(
  start: { ns: number; ms: number; s: number },
  end: { ns: number; ms: number; s: number },
  received: { ns: number; s: number },
): { startMs: number; endMs: number } | undefined {
  const startMs = firstTime(start.ns, start.ms, start.s) ?? firstTime(received.ns, 0, received.s);
  if (startMs === undefined) return undefined;
  return { startMs, endMs: firstTime(end.ns, end.ms, end.s) ?? startMs };
}

/** Epoch ms of the first non-zero of a nanosecond, millisecond and second time; undefined when all are 0. */
export function firstTime(ns: number, ms: number, s: number): number | undefined {
  if (ns > 0) return ns / 1e6;
  if (ms > 0) return ms;
  if (s > 0) return s * 1000;
  return undefined;
}
