/**
 * The mutable result of decoding one captured frame. One instance is reused for every packet so
 * the hot path allocates nothing: addresses stay as four 32-bit words each (IPv4 uses only the
 * last word) and become text only when a flow is exported.
 */
export class DecodedPacket {
  /** 4 or 6 once an IP header was found. */
  ipVersion = 0;
  /** Source address words, most significant first, as signed int32 (IPv4: only `src3`). */
  src0 = 0;
  src1 = 0;
  src2 = 0;
  src3 = 0;
  dst0 = 0;
  dst1 = 0;
  dst2 = 0;
  dst3 = 0;
  /** IANA transport protocol (after IPv6 extension headers). */
  proto = 0;
  /** Ports; for ICMP / ICMPv6 the type and code. 0 for protocols without ports. */
  srcPort = 0;
  dstPort = 0;
  /** TCP flags byte (0 for other protocols). */
  tcpFlags = 0;
  /** Transport payload bytes as the IP header declares them (TCP: after the TCP header). */
  payloadBytes = 0;
  /** IP total length (IPv6: 40 + payload length): the byte count flows carry. */
  ipBytes = 0;
  /** Outer 802.1Q / 802.1ad VLAN id, -1 when untagged. */
  vlan = -1;
  /** True for the first fragment of a fragmented IPv4/IPv6 datagram (MF set, offset 0). */
  firstFragment = false;
  /** Why the last frame could not become part of a flow; '' when it can. */
  reason: DecodeReason | '' = '';

  /** Clears every field so nothing leaks from the previous packet. */
  reset(): void {
    this.ipVersion = 0;
    this.src0 = this.src1 = this.src2 = this.src3 = 0;
    this.dst0 = this.dst1 = this.dst2 = this.dst3 = 0;
    this.proto = 0;
    this.srcPort = this.dstPort = 0;
    this.tcpFlags = 0;
    this.payloadBytes = 0;
    this.ipBytes = 0;
    this.vlan = -1;
    this.firstFragment = false;
    this.reason = '';
  }
}

/**
 * Short fixed labels for frames that do not become part of a flow. They are metric label values
 * (`tapwatch_input_decode_errors_total{reason}`), so the set is closed.
 */
export const DECODE_REASONS = [
  'unsupported_link',
  'truncated_link',
  'non_ip',
  'truncated_ip',
  'bad_ip_header',
  'fragment',
  'truncated_l4',
] as const;

export type DecodeReason = (typeof DECODE_REASONS)[number];

/** Fresh per-reason counters, every reason present (zero) so the object keeps one shape. */
export function emptyDecodeCounts(): Record<DecodeReason, number> {
  const counts = {} as Record<DecodeReason, number>;
  for (const reason of DECODE_REASONS) counts[reason] = 0;
  return counts;
}
