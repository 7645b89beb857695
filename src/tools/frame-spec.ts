import { parseIp } from '../core/community-id.js';
import { FrameBuilder, type IpSpec, type LinkSpec } from './frames.js';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
} from './pcap-writer.js';

/** Link layers a {@link FrameSpec} can name, with their LINKTYPE_* values. */
export const SPEC_LINK_TYPES = {
  ethernet: LINKTYPE_ETHERNET,
  sll: LINKTYPE_LINUX_SLL,
  sll2: LINKTYPE_LINUX_SLL2,
  raw: LINKTYPE_RAW,
  null: LINKTYPE_NULL,
} as const;

/**
 * One packet described in a line of a test table: addresses as text, ports as numbers. The
 * bytes come from {@link FrameBuilder}, so fixtures and sample captures share one builder.
 */
export interface FrameSpec {
  src: string;
  dst: string;
  /** IANA protocol: 6, 17, 1 / 58 (ICMP), or any other (then only payload bytes follow IP). */
  proto: number;
  /** Ports; for ICMP / ICMPv6 the type and code. */
  srcPort?: number;
  dstPort?: number;
  tcpFlags?: number;
  /** Transport payload bytes. */
  payloadBytes?: number;
  /** 802.1Q VLAN id, and an 802.1ad service tag outside it. */
  vlan?: number;
  serviceVlan?: number;
  /** Fragment offset (8-byte units) and more-fragments flag (IPv6: needs extension header 44). */
  fragmentOffset?: number;
  moreFragments?: boolean;
  /** IPv4 option bytes (multiple of 4). */
  ipv4OptionBytes?: number;
  /** IPv6 extension headers before the transport (0, 43, 60, 51, 44). */
  ipv6Extensions?: number[];
  /** Link layer (default Ethernet). */
  link?: keyof typeof SPEC_LINK_TYPES;
}

const MAC_A = Uint8Array.from([0x02, 0, 0, 0, 0, 1]);
const MAC_B = Uint8Array.from([0x02, 0, 0, 0, 0, 2]);

/**
 * Builders by link type, made on first use: a builder prepares a 128 KiB filler block, too much
 * to repeat for each of the thousands of frames a test table can hold.
 */
const builders = new Map<number, FrameBuilder>();

/** The bytes of one frame as `spec` describes it, in a fresh array the caller may modify. */
export function buildFrame(spec: FrameSpec): Uint8Array {
  const linkType = SPEC_LINK_TYPES[spec.link ?? 'ethernet'];
  let builder = builders.get(linkType);
  if (builder === undefined) {
    builder = new FrameBuilder({ linkType });
    builders.set(linkType, builder);
  }
  const link: LinkSpec = { srcMac: MAC_A, dstMac: MAC_B, vlan: spec.vlan, serviceVlan: spec.serviceVlan };
  const ip: IpSpec = {
    src: address(spec.src),
    dst: address(spec.dst),
    dontFragment: false,
    fragmentOffset: spec.fragmentOffset,
    moreFragments: spec.moreFragments,
    optionBytes: spec.ipv4OptionBytes,
    extensionHeaders: spec.ipv6Extensions,
  };
  const srcPort = spec.srcPort ?? 0;
  const dstPort = spec.dstPort ?? 0;
  const payload = spec.payloadBytes ?? 0;
  let frame: Uint8Array;
  if (spec.proto === 6) {
    const tcp = { srcPort, dstPort, seq: 0, ack: 0, flags: spec.tcpFlags ?? 0 };
    frame = builder.tcp(link, ip, tcp, payload);
  } else if (spec.proto === 17) {
    frame = builder.udp(link, ip, { srcPort, dstPort }, payload);
  } else if (spec.proto === 1 || spec.proto === 58) {
    frame = builder.icmp(link, ip, { type: srcPort, code: dstPort, identifier: 0, sequence: 0 }, payload);
  } else {
    frame = builder.ipPayload(link, ip, spec.proto, payload);
  }
  // The builder reuses its buffer for the next frame: hand out a copy.
  return frame.slice();
}

/** IPv4 as a number, IPv6 as 16 bytes, as the frame builder takes them. */
function address(text: string): number | Uint8Array {
  const bytes = parseIp(text);
  if (bytes === undefined) throw new TypeError(`not an IP address: ${text}`);
  if (bytes.length === 16) return bytes;
  return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
}
