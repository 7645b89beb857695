import { decodeLink } from './decode-link.js';
import type { DecodedPacket } from './decoded-packet.js';

const PROTO_HOPOPTS = 0;
const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ROUTING = 43;
const PROTO_FRAGMENT = 44;
const PROTO_AH = 51;
const PROTO_ICMPV6 = 58;
const PROTO_DSTOPTS = 60;
const PROTO_SCTP = 132;
/** Bound on chained IPv6 extension headers, so crafted packets cannot make the walk long. */
const MAX_EXTENSION_HEADERS = 8;

/**
 * Decodes one captured frame (`buf[start..end)`, link type from the capture) into `pkt`.
 *
 * Returns true when the packet can join a flow. Otherwise `pkt.reason` names why (non-IP frame,
 * a header cut short, a non-first fragment, ...). It never throws on any input bytes: malformed
 * traffic is data to count, not an error.
 */
export function decodePacket(
  pkt: DecodedPacket,
  buf: Uint8Array,
  start: number,
  end: number,
  linkType: number,
): boolean {
  pkt.reset();
  const ip = decodeLink(pkt, buf, start, end, linkType);
  if (ip < 0) return false;
  const version = buf[ip] >> 4;
  if (version === 4) return decodeIpv4(pkt, buf, ip, end);
  if (version === 6) return decodeIpv6(pkt, buf, ip, end);
  pkt.reason = 'bad_ip_header';
  return false;
}

function decodeIpv4(pkt: DecodedPacket, buf: Uint8Array, ip: number, end: number): boolean {
  if (end - ip < 20) return fail(pkt, 'truncated_ip');
  const headerLen = (buf[ip] & 0x0f) * 4;
  const totalLen = (buf[ip + 2] << 8) | buf[ip + 3];
  if (headerLen < 20) return fail(pkt, 'bad_ip_header');
  if (end - ip < headerLen) return fail(pkt, 'truncated_ip');
  pkt.ipVersion = 4;
  pkt.proto = buf[ip + 9];
  pkt.src3 = (buf[ip + 12] << 24) | (buf[ip + 13] << 16) | (buf[ip + 14] << 8) | buf[ip + 15];
  pkt.dst3 = (buf[ip + 16] << 24) | (buf[ip + 17] << 16) | (buf[ip + 18] << 8) | buf[ip + 19];
  // A zero total length happens on captures of TCP segmentation offload: trust the capture then.
  const ipBytes = totalLen === 0 ? end - ip : totalLen;
  if (ipBytes < headerLen) return fail(pkt, 'bad_ip_header');
  pkt.ipBytes = ipBytes;
  const fragment = (buf[ip + 6] << 8) | buf[ip + 7];
  if ((fragment & 0x1fff) !== 0) return fail(pkt, 'fragment');
  pkt.firstFragment = (fragment & 0x2000) !== 0;
  // Ethernet pads short frames: the transport ends where the IP header says, not at the capture's end.
  const ipEnd = Math.min(ip + ipBytes, end);
  return decodeTransport(pkt, buf, ip + headerLen, ipEnd, ipBytes - headerLen);
}

function decodeIpv6(pkt: DecodedPacket, buf: Uint8Array, ip: number, end: number): boolean {
  if (end - ip < 40) return fail(pkt, 'truncated_ip');
  pkt.ipVersion = 6;
  pkt.src0 = word(buf, ip + 8);
  pkt.src1 = word(buf, ip + 12);
  pkt.src2 = word(buf, ip + 16);
  pkt.src3 = word(buf, ip + 20);
  pkt.dst0 = word(buf, ip + 24);
  pkt.dst1 = word(buf, ip + 28);
  pkt.dst2 = word(buf, ip + 32);
  pkt.dst3 = word(buf, ip + 36);
  let payloadLen = (buf[ip + 4] << 8) | buf[ip + 5];
  // Jumbograms (RFC 2675) carry 0 here; count what was captured instead.
  if (payloadLen === 0) payloadLen = end - ip - 40;
  pkt.ipBytes = 40 + payloadLen;
  let next = buf[ip + 6];
  let at = ip + 40;
  for (let n = 0; n <= MAX_EXTENSION_HEADERS; n++) {
    if (next === PROTO_HOPOPTS || next === PROTO_ROUTING || next === PROTO_DSTOPTS || next === PROTO_AH) {
      if (end - at < 2) return fail(pkt, 'truncated_ip');
      const len = next === PROTO_AH ? (buf[at + 1] + 2) * 4 : (buf[at + 1] + 1) * 8;
      next = buf[at];
      at += len;
    } else if (next === PROTO_FRAGMENT) {
      if (end - at < 8) return fail(pkt, 'truncated_ip');
      const offsetAndFlags = (buf[at + 2] << 8) | buf[at + 3];
      if ((offsetAndFlags & 0xfff8) !== 0) return fail(pkt, 'fragment');
      pkt.firstFragment = (offsetAndFlags & 1) !== 0;
      next = buf[at];
      at += 8;
    } else {
      pkt.proto = next;
      const ipEnd = Math.min(ip + 40 + payloadLen, end);
      return decodeTransport(pkt, buf, at, ipEnd, payloadLen - (at - ip - 40));
    }
  }
  return fail(pkt, 'bad_ip_header');
}

/**
 * Reads ports / type and code / flags. `l4Bytes` is the transport length the IP header declares;
 * ESP, no-next-header and unknown protocols keep ports 0 and still form flows.
 */
function decodeTransport(
  pkt: DecodedPacket,
  buf: Uint8Array,
  at: number,
  end: number,
  l4Bytes: number,
): boolean {
  const avail = end - at;
  switch (pkt.proto) {
    case PROTO_TCP: {
      if (avail < 14) return fail(pkt, 'truncated_l4');
      pkt.srcPort = (buf[at] << 8) | buf[at + 1];
      pkt.dstPort = (buf[at + 2] << 8) | buf[at + 3];
      pkt.tcpFlags = buf[at + 13];
      const headerLen = (buf[at + 12] >> 4) * 4;
      pkt.payloadBytes = l4Bytes > headerLen ? l4Bytes - headerLen : 0;
      return true;
    }
    case PROTO_UDP:
    case PROTO_SCTP:
      if (avail < 4) return fail(pkt, 'truncated_l4');
      pkt.srcPort = (buf[at] << 8) | buf[at + 1];
      pkt.dstPort = (buf[at + 2] << 8) | buf[at + 3];
      pkt.payloadBytes = l4Bytes > 8 ? l4Bytes - 8 : 0;
      return true;
    case PROTO_ICMP:
    case PROTO_ICMPV6:
      if (avail < 2) return fail(pkt, 'truncated_l4');
      pkt.srcPort = buf[at];
      pkt.dstPort = buf[at + 1];
      pkt.payloadBytes = l4Bytes > 8 ? l4Bytes - 8 : 0;
      return true;
    default:
      pkt.payloadBytes = Math.max(l4Bytes, 0);
      return true;
  }
}

function word(buf: Uint8Array, at: number): number {
  return (buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3];
}

function fail(pkt: DecodedPacket, reason: DecodedPacket['reason']): boolean {
  pkt.reason = reason;
  return false;
}
