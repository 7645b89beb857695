import type { DecodedPacket } from './decoded-packet.js';

/** LINKTYPE_* values (tcpdump.org link-layer header types) the decoder understands. */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const ETHERTYPE_QINQ_OLD = 0x9100;
/** More stacked tags than this is not a real frame; stop rather than walk attacker-chosen bytes. */
const MAX_VLAN_TAGS = 4;

/**
 * Walks the link-layer header of one frame and returns the byte offset where the IP header
 * starts, or -1 with `pkt.reason` set. `pkt.vlan` receives the outermost VLAN id.
 */
export function decodeLink(
  pkt: DecodedPacket,
  buf: Uint8Array,
  start: number,
  end: number,
  linkType: number,
): number {
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      return etherTypeChain(pkt, buf, start + 12, end);
    case LINKTYPE_LINUX_SLL:
      // 16-byte header; the protocol field sits where Ethernet's EtherType would end.
      return etherTypeChain(pkt, buf, start + 14, end);
    case LINKTYPE_LINUX_SLL2:
      if (end - start < 20) return fail(pkt, 'truncated_link');
      return etherTypeAt(pkt, buf, start, start + 20, end);
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      return start;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP:
      return loopback(pkt, buf, start, end, linkType === LINKTYPE_LOOP);
    default:
      return fail(pkt, 'unsupported_link');
  }
}

/** Reads an EtherType at `typeAt` (payload right after it), following 802.1Q / 802.1ad tags. */
function etherTypeChain(pkt: DecodedPacket, buf: Uint8Array, typeAt: number, end: number): number {
  let at = typeAt;
  for (let tags = 0; tags <= MAX_VLAN_TAGS; tags++) {
    if (at + 2 > end) return fail(pkt, 'truncated_link');
    const type = (buf[at] << 8) | buf[at + 1];
    if (type !== ETHERTYPE_VLAN && type !== ETHERTYPE_QINQ && type !== ETHERTYPE_QINQ_OLD) {
      return etherTypeAt(pkt, buf, at, at + 2, end);
    }
    if (at + 6 > end) return fail(pkt, 'truncated_link');
    // The outer tag identifies the segment; inner (customer) tags are walked past.
    if (pkt.vlan < 0) pkt.vlan = ((buf[at + 2] << 8) | buf[at + 3]) & 0x0fff;
    at += 4;
  }
  return fail(pkt, 'non_ip');
}

function etherTypeAt(
  pkt: DecodedPacket,
  buf: Uint8Array,
  typeAt: number,
  payload: number,
  end: number,
): number {
  const type = (buf[typeAt] << 8) | buf[typeAt + 1];
  if (type !== ETHERTYPE_IPV4 && type !== ETHERTYPE_IPV6) return fail(pkt, 'non_ip');
  if (payload >= end) return fail(pkt, 'truncated_ip');
  return payload;
}

/**
 * BSD loopback: a 4-byte address family, in the capturing host's byte order for NULL and in
 * network order for LOOP. AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30 depending on the OS.
 */
function loopback(
  pkt: DecodedPacket,
  buf: Uint8Array,
  start: number,
  end: number,
  networkOrder: boolean,
): number {
  if (end - start < 5) return fail(pkt, 'truncated_link');
  const be = ((buf[start] << 24) | (buf[start + 1] << 16) | (buf[start + 2] << 8) | buf[start + 3]) >>> 0;
  const le = ((buf[start + 3] << 24) | (buf[start + 2] << 16) | (buf[start + 1] << 8) | buf[start]) >>> 0;
  const family = networkOrder || be < 256 ? be : le;
  if (family === 2 || family === 24 || family === 28 || family === 30) return start + 4;
  return fail(pkt, 'non_ip');
}

function fail(pkt: DecodedPacket, reason: DecodedPacket['reason']): number {
  pkt.reason = reason;
  return -1;
}
