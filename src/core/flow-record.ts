/**
 * The one internal record every source produces, whatever its format.
 * Event time (`start`, `end`) drives every window; arrival time never does.
 */
export interface FlowRecord {
  /** Flow start, epoch milliseconds (float), event time. */
  start: number;
  /** Flow end (last packet seen), epoch milliseconds (float), event time. */
  end: number;
  /** Initiator address: IPv4 dotted quad or RFC 5952 IPv6 text. */
  srcIp: string;
  dstIp: string;
  /** Ports; 0 where the protocol has none. For ICMP: srcPort = type, dstPort = code (Community ID convention). */
  srcPort: number;
  dstPort: number;
  /** IANA protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6). */
  proto: number;
  /** Counters in the initiator → responder direction, already multiplied by `samplingRate`. */
  bytesFwd: number;
  pktsFwd: number;
  /** Counters in the responder → initiator direction, already multiplied by `samplingRate`. */
  bytesRev: number;
  pktsRev: number;
  /** OR of the TCP flags seen in both directions (0 for non-TCP). */
  tcpFlags: number;
  /** Per-direction TCP flags where the source gives them. */
  tcpFlagsFwd?: number;
  tcpFlagsRev?: number;
  /** Sampling rate the counters were multiplied by (1 = unsampled). */
  samplingRate?: number;
  /** Exporter (flow collector's agent address, sensor name). */
  exporter?: string;
  /** Outer 802.1Q VLAN id. */
  vlan?: number;
  inIf?: number;
  outIf?: number;
  /**
   * Community ID v1 ("1:" + base64 SHA-1), see corelight community-id-spec. Flows assembled from
   * capture files leave it absent: the alert stage computes it for the few flows that become
   * alerts, which keeps SHA-1 off the per-flow ingest path.
   */
  communityId?: string;
  /** Segment name, assigned by the segment router; absent before routing. */
  segment?: string;
  /** Where the record came from, so every alert can point back to its input. */
  source: FlowSource;
}

/** Why a flow assembled from packets was exported. */
export type FlowEndReason = 'idle' | 'active' | 'fin' | 'rst' | 'evicted' | 'flush';

export interface FlowSource {
  /** Input format: `pcap`, `pcapng`, `goflow2-pb`, `goflow2-json`, `eve`, `zeek`, `tapwatch`, `iot23-csv`. */
  format: string;
  /** Capture file path, or Kafka topic. */
  origin: string;
  /** Capture files: 1-based index of the first and last packet of the flow in that file. */
  firstPacket?: number;
  lastPacket?: number;
  /** Kafka: partition and offset of the message carrying the record. */
  partition?: number;
  offset?: string;
  /** Capture files: why the flow assembler exported the flow. */
  endReason?: FlowEndReason;
}

/** A flow's event time (epoch ms): its end, or its start when the end is unknown. */
export function flowEventMs(flow: { start: number; end: number }): number {
  return Number.isFinite(flow.end) ? flow.end : flow.start;
}

/** A record after the segment router: the segment is always known. */
export type RoutedFlow = FlowRecord & { segment: string };

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

/** Lower-case transport name as ECS `network.transport` wants it. */
export function transportName(proto: number): string {
  switch (proto) {
    case IPPROTO_TCP:
      return 'tcp';
    case IPPROTO_UDP:
      return 'udp';
    case IPPROTO_ICMP:
      return 'icmp';
    case IPPROTO_ICMPV6:
      return 'ipv6-icmp';
    default:
      return String(proto);
  }
}
