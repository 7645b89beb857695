import { hash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMPV6 = 58;
const PROTO_SCTP = 132;

/**
 * ICMP message types that have a counterpart (request/reply), mapped to it. Zeek, and Community ID
 * after it, use the counterpart as the "destination port" so both directions hash alike; every
 * other type is one-way and keeps (type, code) without ordering the endpoints.
 */
const ICMP_COUNTERPART = new Map<number, number>([
  [8, 0],
  [0, 8],
  [13, 14],
  [14, 13],
  [15, 16],
  [16, 15],
  [10, 9],
  [9, 10],
  [17, 18],
  [18, 17],
]);
const ICMPV6_COUNTERPART = new Map<number, number>([
  [128, 129],
  [129, 128],
  [130, 131],
  [131, 130],
  [133, 134],
  [134, 133],
  [135, 136],
  [136, 135],
  [139, 140],
  [140, 139],
  [144, 145],
  [145, 144],
]);

/**
 * Hash inputs, seed(2) + two addresses + proto(1) + pad(1) + ports(4 or none), one buffer per
 * exact length so hashing needs no per-call view.
 */
const scratchByLength = new Map<number, Buffer>([12, 16, 36, 40].map((n) => [n, Buffer.alloc(n)]));

/**
 * The counterpart of an ICMP (proto 1) or ICMPv6 (proto 58) message type, e.g. echo reply for
 * echo request, or -1 for one-way types. Flow assembly uses it so a request and its reply key alike.
 */
export function icmpCounterpart(proto: number, type: number): number {
  return (proto === PROTO_ICMP ? ICMP_COUNTERPART : ICMPV6_COUNTERPART).get(type) ?? -1;
}

/**
 * Community ID v1 (corelight community-id-spec) of a flow given network-order address bytes
 * (both 4 or both 16 long). For ICMP / ICMPv6 the ports are the message type and code.
 */
export function communityIdFromBytes(
  src: Uint8Array,
  dst: Uint8Array,
  srcPort: number,
  dstPort: number,
  proto: number,
  seed = 0,
): string {
  const sport = srcPort;
  let dport = dstPort;
  let oneWay = false;
  if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
    const counterpart = icmpCounterpart(proto, srcPort);
    oneWay = counterpart < 0;
    if (!oneWay) dport = counterpart;
  }
  const hasPorts =
    proto === PROTO_TCP ||
    proto === PROTO_UDP ||
    proto === PROTO_SCTP ||
    proto === PROTO_ICMP ||
    proto === PROTO_ICMPV6;
  // Lower (address, port) first, so both directions of a flow hash alike.
  const order = compareBytes(src, dst);
  const flip = !oneWay && (order > 0 || (order === 0 && hasPorts && sport > dport));
  const first = flip ? dst : src;
  const second = flip ? src : dst;
  const scratch = scratchByLength.get(2 * first.length + (hasPorts ? 8 : 4))!;
  let at = scratch.writeUInt16BE(seed & 0xffff, 0);
  scratch.set(first, at);
  at += first.length;
  scratch.set(second, at);
  at += second.length;
  scratch[at++] = proto & 255;
  scratch[at++] = 0;
  if (hasPorts) {
    at = scratch.writeUInt16BE(flip ? dport : sport, at);
    at = scratch.writeUInt16BE(flip ? sport : dport, at);
  }
  return `1:${hash('sha1', scratch, 'base64')}`;
}

/** Community ID v1 from address text; undefined when an address does not parse or families differ. */
export function communityId(
  flow: { srcIp: string; dstIp: string; srcPort: number; dstPort: number; proto: number },
  seed = 0,
): string | undefined {
  const src = parseIp(flow.srcIp);
  const dst = parseIp(flow.dstIp);
  if (src === undefined || dst === undefined || src.length !== dst.length) return undefined;
  return communityIdFromBytes(src, dst, flow.srcPort, flow.dstPort, flow.proto, seed);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return 0;
}

/**
 * Network-order bytes of an IPv4 or IPv6 address text (any valid form, including `::` and an
 * embedded dotted quad), or undefined when the text is not an address.
 */
export function parseIp(text: string): Uint8Array | undefined {
  if (isIPv4(text)) return Uint8Array.from(text.split('.').map(Number));
  if (!isIPv6(text)) return undefined;
  const zone = text.indexOf('%');
  let body = zone >= 0 ? text.slice(0, zone) : text;
  const lastColon = body.lastIndexOf(':');
  const tail = body.slice(lastColon + 1);
  if (tail.includes('.')) {
    // Rewrite an embedded dotted quad as two hex groups so one path parses every form.
    const [a, b, c, d] = tail.split('.').map(Number);
    body = `${body.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const gap = body.indexOf('::');
  const left = gap < 0 ? body : body.slice(0, gap);
  const right = gap < 0 ? '' : body.slice(gap + 2);
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === '' ? [] : right.split(':');
  const zeros = new Array<string>(8 - leftGroups.length - rightGroups.length).fill('0');
  const groups = [...leftGroups, ...zeros, ...rightGroups];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const value = Number.parseInt(groups[i], 16);
    out[i * 2] = value >> 8;
    out[i * 2 + 1] = value & 255;
  }
  return out;
}
