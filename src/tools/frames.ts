import {
  LINKTYPE_ETHERNET,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
} from './pcap-writer.js';

/**
 * An IP address as the frame builder takes it: an IPv4 address as an unsigned 32-bit number,
 * or an IPv6 address as 16 bytes in network order.
 */
export type IpAddress = number | Uint8Array;

/**
 * Link-layer header fields: Ethernet II with optional 802.1Q / 802.1ad tags, or the same
 * addresses and tags in a Linux cooked (SLL) header when the builder's link type asks for it.
 */
export interface LinkSpec {
  /** Six bytes each (SLL keeps only the source address). */
  srcMac: Uint8Array;
  dstMac: Uint8Array;
  /** 802.1Q VLAN id (0-4095); absent means an untagged frame. */
  vlan?: number;
  /** 802.1ad service tag (EtherType 0x88a8) outside `vlan`, as QinQ provider networks add. */
  serviceVlan?: number;
}

/** IP header fields; the version follows from the address type (both must agree). */
export interface IpSpec {
  src: IpAddress;
  dst: IpAddress;
  /** IPv4 TTL / IPv6 hop limit (default 64). */
  ttl?: number;
  /** IPv4 identification (default 0); ignored for IPv6. */
  id?: number;
  /** IPv4 don't-fragment bit (default true, as modern stacks send TCP). */
  dontFragment?: boolean;
  /**
   * Fragment offset in 8-byte units and the more-fragments flag: in the IPv4 header, or in the
   * IPv6 fragment header (which `extensionHeaders` must then include). Default 0 / false.
   */
  fragmentOffset?: number;
  moreFragments?: boolean;
  /** IPv4 only: option bytes after the 20-byte header, a multiple of 4 (filled with NOPs). */
  optionBytes?: number;
  /**
   * IPv6 only: extension headers chained before the transport, in order: 0 (hop-by-hop),
   * 43 (routing), 60 (destination options), 51 (AH, 16 bytes) or 44 (fragment); others 8 bytes.
   */
  extensionHeaders?: number[];
}

/** TCP header fields. */
export interface TcpSpec {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** Flag bits as in FlowRecord (`TCP_SYN | TCP_ACK`, ...). */
  flags: number;
  /** Receive window (default 64240). */
  window?: number;
  /** Raw option bytes, padded here to a multiple of 4. */
  options?: Uint8Array;
}

/** UDP header fields. */
export interface UdpSpec {
  srcPort: number;
  dstPort: number;
}

/** ICMP / ICMPv6 header fields of the echo family (id and sequence fill the rest-of-header word). */
export interface IcmpSpec {
  type: number;
  code: number;
  identifier: number;
  sequence: number;
}

/** Options of {@link FrameBuilder}. */
export interface FrameBuilderOptions {
  /** Compute TCP, UDP and ICMP checksums (default true); the IPv4 header checksum is always computed. */
  transportChecksums?: boolean;
  /** Pad Ethernet frames to the 60-byte minimum, as a tap sees them on the wire (default true). */
  padToMinimum?: boolean;
  /**
   * Link-layer header of every frame: LINKTYPE_ETHERNET (default), LINKTYPE_LINUX_SLL,
   * LINKTYPE_LINUX_SLL2, LINKTYPE_RAW (IP first) or LINKTYPE_NULL (BSD loopback, host order).
   */
  linkType?: number;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const PROTO_FRAGMENT = 44;
const PROTO_AH = 51;
/** BSD address families in the NULL header; AF_INET6 is 30 as on macOS, where such captures come from. */
const AF_INET = 2;
const AF_INET6 = 30;
const MIN_FRAME_BYTES = 60;
const FILLER_BYTES = 1 << 17;
const MAX_PAYLOAD_BYTES = 65_535 - 60 - 40;

/**
 * Builds Ethernet frames carrying IPv4/IPv6 with TCP, UDP or ICMP into one reused buffer.
 *
 * Each call returns a view of the internal buffer that stays valid until the next call, so a
 * generator writing millions of packets allocates nothing per packet. Payload bytes are the
 * caller's prefix followed by a fixed pseudo-random filler, so captures look like opaque data
 * without spending a random draw per byte.
 */
export class FrameBuilder {
  readonly #buffer = new Uint8Array(65_535 + 64);
  readonly #view = new DataView(this.#buffer.buffer);
  readonly #filler = makeFiller();
  readonly #checksums: boolean;
  readonly #pad: boolean;
  readonly #linkType: number;
  #fillCursor = 0;

  constructor(options: FrameBuilderOptions = {}) {
    this.#linkType = options.linkType ?? LINKTYPE_ETHERNET;
    const known = [LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_RAW, LINKTYPE_NULL];
    if (!known.includes(this.#linkType))
      throw new RangeError(`linkType: expected one of ${known.join(', ')}, got ${this.#linkType}`);
    this.#checksums = options.transportChecksums ?? true;
    this.#pad = (options.padToMinimum ?? true) && this.#linkType === LINKTYPE_ETHERNET;
  }

  /** A TCP segment of `payloadLength` bytes, starting with `prefix` when given. */
  tcp(link: LinkSpec, ip: IpSpec, tcp: TcpSpec, payloadLength = 0, prefix?: Uint8Array): Uint8Array {
    const optionBytes = tcp.options ? (tcp.options.length + 3) & ~3 : 0;
    const headerBytes = 20 + optionBytes;
    const l4 = this.#writeIp(link, ip, 6, headerBytes + payloadLength);
    const b = this.#buffer;
    const v = this.#view;
    v.setUint16(l4, tcp.srcPort);
    v.setUint16(l4 + 2, tcp.dstPort);
    v.setUint32(l4 + 4, tcp.seq >>> 0);
    v.setUint32(l4 + 8, tcp.ack >>> 0);
    b[l4 + 12] = (headerBytes / 4) << 4;
    b[l4 + 13] = tcp.flags & 0xff;
    v.setUint16(l4 + 14, tcp.window ?? 64240);
    v.setUint32(l4 + 16, 0); // checksum and urgent pointer
    if (tcp.options) {
      b.fill(0, l4 + 20, l4 + headerBytes);
      b.set(tcp.options, l4 + 20);
    }
    const end = this.#writePayload(l4 + headerBytes, payloadLength, prefix);
    if (this.#checksums) v.setUint16(l4 + 16, this.#transportChecksum(ip, 6, l4, end));
    return this.#finish(end);
  }

  /** A UDP datagram of `payloadLength` bytes, starting with `prefix` when given. */
  udp(link: LinkSpec, ip: IpSpec, udp: UdpSpec, payloadLength = 0, prefix?: Uint8Array): Uint8Array {
    const l4 = this.#writeIp(link, ip, 17, 8 + payloadLength);
    const v = this.#view;
    v.setUint16(l4, udp.srcPort);
    v.setUint16(l4 + 2, udp.dstPort);
    v.setUint16(l4 + 4, 8 + payloadLength);
    v.setUint16(l4 + 6, 0);
    const end = this.#writePayload(l4 + 8, payloadLength, prefix);
    if (this.#checksums) {
      // RFC 768: a computed zero is sent as all ones, since zero means "no checksum".
      v.setUint16(l4 + 6, this.#transportChecksum(ip, 17, l4, end) || 0xffff);
    }
    return this.#finish(end);
  }

  /** An ICMP (IPv4) or ICMPv6 (IPv6) message of the echo family with `payloadLength` data bytes. */
  icmp(link: LinkSpec, ip: IpSpec, icmp: IcmpSpec, payloadLength = 0, prefix?: Uint8Array): Uint8Array {
    const v6 = typeof ip.src !== 'number';
    const proto = v6 ? 58 : 1;
    const l4 = this.#writeIp(link, ip, proto, 8 + payloadLength);
    const b = this.#buffer;
    const v = this.#view;
    b[l4] = icmp.type;
    b[l4 + 1] = icmp.code;
    v.setUint16(l4 + 2, 0);
    v.setUint16(l4 + 4, icmp.identifier);
    v.setUint16(l4 + 6, icmp.sequence);
    const end = this.#writePayload(l4 + 8, payloadLength, prefix);
    // ICMPv4 sums only the message; ICMPv6 adds the IPv6 pseudo-header (RFC 4443 section 2.3).
    const sum = v6 ? this.#transportChecksum(ip, proto, l4, end) : finishSum(sumWords(b, l4, end, 0));
    v.setUint16(l4 + 2, sum);
    return this.#finish(end);
  }

  /** Another transport (GRE, ESP, SCTP, ...): only `payloadLength` bytes follow the IP headers. */
  ipPayload(link: LinkSpec, ip: IpSpec, proto: number, payloadLength = 0, prefix?: Uint8Array): Uint8Array {
    const l4 = this.#writeIp(link, ip, proto, payloadLength);
    return this.#finish(this.#writePayload(l4, payloadLength, prefix));
  }

  /** Writes link and IP headers; returns the offset of the transport header. */
  #writeIp(link: LinkSpec, ip: IpSpec, proto: number, l4Bytes: number): number {
    if (l4Bytes - 8 > MAX_PAYLOAD_BYTES)
      throw new RangeError(`payload too large for one frame: ${l4Bytes} bytes`);
    const v4 = typeof ip.src === 'number';
    if (v4 !== (typeof ip.dst === 'number'))
      throw new TypeError(
        v4 ? 'IPv4 source with an IPv6 destination' : 'IPv6 source with an IPv4 destination',
      );
    const h = this.#writeLink(link, v4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6);
    return v4 ? this.#writeIpv4(h, ip, proto, l4Bytes) : this.#writeIpv6(h, ip, proto, l4Bytes);
  }

  /** Writes the link-layer header ending in `etherType`; returns where the IP header starts. */
  #writeLink(link: LinkSpec, etherType: number): number {
    const b = this.#buffer;
    const v = this.#view;
    switch (this.#linkType) {
      case LINKTYPE_RAW:
        return 0;
      case LINKTYPE_NULL:
        v.setUint32(0, etherType === ETHERTYPE_IPV4 ? AF_INET : AF_INET6, true);
        return 4;
      case LINKTYPE_LINUX_SLL2:
        if (link.vlan !== undefined || link.serviceVlan !== undefined)
          throw new TypeError('SLL2 frames carry no VLAN tags here');
        b.fill(0, 0, 20);
        v.setUint16(0, etherType);
        v.setUint16(8, 1); // ARPHRD_ETHER
        b[11] = 6;
        b.set(link.srcMac, 12);
        return 20;
      case LINKTYPE_LINUX_SLL:
        b.fill(0, 0, 14);
        v.setUint16(2, 1); // ARPHRD_ETHER
        v.setUint16(4, 6);
        b.set(link.srcMac, 6);
        return this.#writeTags(link, 14, etherType);
      default:
        b.set(link.dstMac, 0);
        b.set(link.srcMac, 6);
        return this.#writeTags(link, 12, etherType);
    }
  }

  /** Writes the VLAN tags (outermost first) and the EtherType from `at`; returns the offset after. */
  #writeTags(link: LinkSpec, at: number, etherType: number): number {
    const v = this.#view;
    let next = at;
    if (link.serviceVlan !== undefined) {
      v.setUint16(next, ETHERTYPE_QINQ);
      v.setUint16(next + 2, link.serviceVlan & 0x0fff);
      next += 4;
    }
    if (link.vlan !== undefined) {
      v.setUint16(next, ETHERTYPE_VLAN);
      v.setUint16(next + 2, link.vlan & 0x0fff);
      next += 4;
    }
    v.setUint16(next, etherType);
    return next + 2;
  }

  #writeIpv4(h: number, ip: IpSpec, proto: number, l4Bytes: number): number {
    const b = this.#buffer;
    const v = this.#view;
    const optionBytes = ip.optionBytes ?? 0;
    if (optionBytes % 4 !== 0 || optionBytes > 40)
      throw new RangeError(`optionBytes: expected a multiple of 4 up to 40, got ${optionBytes}`);
    const headerBytes = 20 + optionBytes;
    b[h] = 0x40 | (headerBytes / 4);
    b[h + 1] = 0;
    v.setUint16(h + 2, headerBytes + l4Bytes);
    v.setUint16(h + 4, (ip.id ?? 0) & 0xffff);
    const flags = ((ip.dontFragment ?? true) ? 0x4000 : 0) | (ip.moreFragments ? 0x2000 : 0);
    v.setUint16(h + 6, flags | ((ip.fragmentOffset ?? 0) & 0x1fff));
    b[h + 8] = ip.ttl ?? 64;
    b[h + 9] = proto;
    v.setUint16(h + 10, 0);
    v.setUint32(h + 12, (ip.src as number) >>> 0);
    v.setUint32(h + 16, (ip.dst as number) >>> 0);
    b.fill(1, h + 20, h + headerBytes); // NOP options
    v.setUint16(h + 10, finishSum(sumWords(b, h, h + headerBytes, 0)));
    return h + headerBytes;
  }

  #writeIpv6(h: number, ip: IpSpec, proto: number, l4Bytes: number): number {
    const b = this.#buffer;
    const v = this.#view;
    const extensions = ip.extensionHeaders ?? [];
    const extensionBytes = extensions.reduce((n, type) => n + (type === PROTO_AH ? 16 : 8), 0);
    v.setUint32(h, 0x60000000);
    v.setUint16(h + 4, extensionBytes + l4Bytes);
    b[h + 6] = extensions.length > 0 ? extensions[0] : proto;
    b[h + 7] = ip.ttl ?? 64;
    b.set(ip.src as Uint8Array, h + 8);
    b.set(ip.dst as Uint8Array, h + 24);
    let at = h + 40;
    for (let i = 0; i < extensions.length; i++) {
      const length = extensions[i] === PROTO_AH ? 16 : 8;
      b.fill(0, at, at + length);
      b[at] = i + 1 < extensions.length ? extensions[i + 1] : proto;
      if (extensions[i] === PROTO_FRAGMENT) {
        v.setUint16(at + 2, (((ip.fragmentOffset ?? 0) & 0x1fff) << 3) | (ip.moreFragments ? 1 : 0));
      } else {
        // Length field in the units RFC 8200 (8 bytes, minus one) and RFC 4302 (4 bytes, minus two) use.
        b[at + 1] = extensions[i] === PROTO_AH ? length / 4 - 2 : length / 8 - 1;
      }
      at += length;
    }
    return at;
  }

  #writePayload(start: number, length: number, prefix: Uint8Array | undefined): number {
    const b = this.#buffer;
    let at = start;
    if (prefix !== undefined && length > 0) {
      const n = Math.min(prefix.length, length);
      b.set(n === prefix.length ? prefix : prefix.subarray(0, n), at);
      at += n;
    }
    const rest = start + length - at;
    if (rest > 0) {
      const from = this.#fillCursor;
      b.set(this.#filler.subarray(from, from + rest), at);
      this.#fillCursor = (from + 4099) & (FILLER_BYTES / 2 - 1);
    }
    return start + length;
  }

  /** TCP/UDP/ICMPv6 checksum over the pseudo-header (RFC 793, 768, 8200) and the segment. */
  #transportChecksum(ip: IpSpec, proto: number, start: number, end: number): number {
    const length = end - start;
    let sum = proto + length;
    if (typeof ip.src === 'number') {
      const s = ip.src >>> 0;
      const d = (ip.dst as number) >>> 0;
      sum += (s >>> 16) + (s & 0xffff) + (d >>> 16) + (d & 0xffff);
    } else {
      sum = sumWords(ip.src, 0, 16, sum);
      sum = sumWords(ip.dst as Uint8Array, 0, 16, sum);
      // The IPv6 pseudo-header's 32-bit length only differs from IPv4's when a segment exceeds 64 KiB.
    }
    return finishSum(sumWords(this.#buffer, start, end, sum));
  }

  #finish(end: number): Uint8Array {
    let length = end;
    if (this.#pad && length < MIN_FRAME_BYTES) {
      this.#buffer.fill(0, length, MIN_FRAME_BYTES);
      length = MIN_FRAME_BYTES;
    }
    return this.#buffer.subarray(0, length);
  }
}

/** Adds the big-endian 16-bit words of `bytes[start, end)` to `sum` (an odd last byte is zero-padded). */
export function sumWords(bytes: Uint8Array, start: number, end: number, sum: number): number {
  let s = sum;
  let i = start;
  const last = end - 1;
  for (; i < last; i += 2) s += (bytes[i] << 8) | bytes[i + 1];
  if (i === last) s += bytes[i] << 8;
  return s;
}

/** Folds a one's-complement sum to 16 bits and complements it (RFC 1071). */
export function finishSum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

/** A fixed pseudo-random block (xorshift32, constant seed) used as opaque payload bytes. */
function makeFiller(): Uint8Array {
  const bytes = new Uint8Array(FILLER_BYTES);
  let x = 0x9e3779b9;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}
