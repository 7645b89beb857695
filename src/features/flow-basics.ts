import {
  type FlowRecord,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  TCP_ACK,
  TCP_RST,
  TCP_SYN,
} from '../core/flow-record.js';

/**
 * Counters above this are treated as this: a corrupt record must not turn into Infinity
 * once squared in the damped sums or narrowed to Float32 (max ≈ 3.4e38).
 */
const MAX_COUNTER = 1e15;

/** A counter from a record as a finite number in [0, 1e15]; NaN and negatives become 0. */
export function sanitizeCount(x: number): number {
  return x > 0 ? Math.min(x, MAX_COUNTER) : 0;
}

/** A port as an integer in [0, 65535]; anything else becomes 0. */
export function sanitizePort(x: number): number {
  return x > 0 && x <= 65535 ? x | 0 : 0;
}

/**
 * True for a TCP flow whose initiator sent SYN without ACK. Uses the initiator's own flags
 * when the source gives them; otherwise the OR of both directions, where a reply's SYN-ACK
 * makes the flow not SYN-only, which is the intent (an unanswered or refused SYN).
 */
export function isSynOnly(flow: FlowRecord): boolean {
  if (flow.proto !== IPPROTO_TCP) return false;
  const flags = flow.tcpFlagsFwd ?? flow.tcpFlags;
  return (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
}

/** True for a TCP flow with RST in either direction. */
export function hasReset(flow: FlowRecord): boolean {
  return flow.proto === IPPROTO_TCP && (flow.tcpFlags & TCP_RST) !== 0;
}

/** No reply packets, or reset: the failed-connection definition of SegmentWindowStats. */
export function isFailed(flow: FlowRecord): boolean {
  return !(flow.pktsRev > 0) || hasReset(flow);
}

/**
 * Writes the per-flow basic columns (`FLOW_FEATURES` order) at `out[offset..]` and returns
 * the offset after them. Every value is finite whatever the record holds.
 */
export function writeFlowBasics(flow: FlowRecord, out: Float32Array, offset: number): number {
  const bytesFwd = sanitizeCount(flow.bytesFwd);
  const bytesRev = sanitizeCount(flow.bytesRev);
  const pktsFwd = sanitizeCount(flow.pktsFwd);
  const pktsRev = sanitizeCount(flow.pktsRev);
  const proto = flow.proto;
  const hasPorts = proto === IPPROTO_TCP || proto === IPPROTO_UDP;
  const dstPort = sanitizePort(flow.dstPort);
  let o = offset;
  out[o++] = sanitizeCount((flow.end - flow.start) / 1000);
  out[o++] = bytesFwd;
  out[o++] = bytesRev;
  out[o++] = pktsFwd;
  out[o++] = pktsRev;
  out[o++] = pktsFwd > 0 ? bytesFwd / pktsFwd : 0;
  out[o++] = pktsRev > 0 ? bytesRev / pktsRev : 0;
  out[o++] = proto === IPPROTO_TCP ? 1 : 0;
  out[o++] = proto === IPPROTO_UDP ? 1 : 0;
  out[o++] = proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6 ? 1 : 0;
  // IANA port ranges (RFC 6335 section 6): system < 1024, user < 49152, dynamic above.
  out[o++] = hasPorts && dstPort < 1024 ? 1 : 0;
  out[o++] = hasPorts && dstPort >= 1024 && dstPort < 49152 ? 1 : 0;
  out[o++] = isSynOnly(flow) ? 1 : 0;
  out[o++] = hasReset(flow) ? 1 : 0;
  out[o++] = pktsRev > 0 ? 0 : 1;
  return o;
}
