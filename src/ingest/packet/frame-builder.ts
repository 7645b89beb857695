import { parseIp } from './ip-text.js';

/** One synthetic packet, for fixtures and sample captures. */
export interface FrameSpec {
  src: string;
  dst: string;
  /** IANA protocol (6, 17, 1, 58, 132, or any other: then only the payload follows IP). */
  proto: number;
  /** Ports; for ICMP / ICMPv6 the type and code. */
  srcPort?: number;
  dstPort?: number;
  tcpFlags?: number;
  /** Transport payload bytes (zeros). */
  payloadBytes?: number;
  /** 802.1Q tags, outermost first; the first uses EtherType 0x88a8 when `qinq` is set. */
  vlans?: number[];
  qinq?: boolean;
  /** IPv4 only: fragment offset in 8-byte units, more-fragments flag, and option bytes (multiple of 4). */
  fragmentOffset?: number;
  moreFragments?: boolean;
  ipv4OptionBytes?: number;
  /** IPv6 only: extension headers to chain before the transport (0, 43, 60, 51, 44). */
  ipv6Extensions?: number[];
  /** Link layer (default Ethernet). */
  link?: 'ethernet' | 'sll' | 'sll2' | 'raw' | 'null';
}

/** Builds the bytes of one frame as `spec` describes (checksums left zero: nothing here checks them). */
export function buildFrame(spec: FrameSpec): Uint8Array {
  const src = parseIp(spec.src);
  const dst = parseIp(spec.dst);
  if (src === undefined || dst === undefined || src.length !== dst.length)
    throw new TypeError(`bad addresses ${spec.src} ${spec.dst}`);
  const l4 = transport(spec);
  const ip = src.length === 4 ? ipv4(spec, src, dst, l4) : ipv6(spec, src, dst, l4);
  return concat(link(spec, src.length === 4 ? 0x0800 : 0x86dd), ip);
}

function transport(spec: FrameSpec): Uint8Array {
  const payload = spec.payloadBytes ?? 0;
  const sp = spec.srcPort ?? 0;
  const dp = spec.dstPort ?? 0;
  switch (spec.proto) {
    case 6: {
      const b = new Uint8Array(20 + payload);
      put16(b, 0, sp);
      put16(b, 2, dp);
      b[12] = 5 << 4;
      b[13] = spec.tcpFlags ?? 0;
      return b;
    }
    case 17:
    case 132: {
      const b = new Uint8Array(8 + payload);
      put16(b, 0, sp);
      put16(b, 2, dp);
      put16(b, 4, 8 + payload);
      return b;
    }
    case 1:
    case 58: {
      const b = new Uint8Array(8 + payload);
      b[0] = sp;
      b[1] = dp;
      return b;
    }
    default:
      return new Uint8Array(payload);
  }
}

function ipv4(spec: FrameSpec, src: Uint8Array, dst: Uint8Array, l4: Uint8Array): Uint8Array {
  const headerLen = 20 + (spec.ipv4OptionBytes ?? 0);
  const b = new Uint8Array(headerLen + l4.length);
  b[0] = 0x40 | (headerLen / 4);
  put16(b, 2, b.length);
  put16(b, 6, ((spec.moreFragments ? 1 : 0) << 13) | (spec.fragmentOffset ?? 0));
  b[8] = 64;
  b[9] = spec.proto;
  b.set(src, 12);
  b.set(dst, 16);
  b.fill(1, 20, headerLen);
  b.set(l4, headerLen);
  return b;
}

function ipv6(spec: FrameSpec, src: Uint8Array, dst: Uint8Array, l4: Uint8Array): Uint8Array {
  const ext = spec.ipv6Extensions ?? [];
  const extLen = ext.reduce((n, type) => n + (type === 44 ? 8 : type === 51 ? 16 : 8), 0);
  const b = new Uint8Array(40 + extLen + l4.length);
  b[0] = 0x60;
  put16(b, 4, extLen + l4.length);
  b[6] = ext.length > 0 ? ext[0] : spec.proto;
  b[7] = 64;
  b.set(src, 8);
  b.set(dst, 24);
  let at = 40;
  for (let i = 0; i < ext.length; i++) {
    b[at] = i + 1 < ext.length ? ext[i + 1] : spec.proto;
    if (ext[i] === 44) {
      put16(b, at + 2, ((spec.fragmentOffset ?? 0) << 3) | (spec.moreFragments ? 1 : 0));
      at += 8;
    } else if (ext[i] === 51) {
      b[at + 1] = 2; // (2 + 2) * 4 = 16 bytes
      at += 16;
    } else {
      b[at + 1] = 0; // (0 + 1) * 8 = 8 bytes
      at += 8;
    }
  }
  b.set(l4, at);
  return b;
}

function link(spec: FrameSpec, etherType: number): Uint8Array {
  const vlans = spec.vlans ?? [];
  switch (spec.link ?? 'ethernet') {
    case 'raw':
      return new Uint8Array(0);
    case 'null': {
      const b = new Uint8Array(4);
      b[0] = etherType === 0x0800 ? 2 : 30; // host order (little-endian), AF_INET6 as on macOS
      return b;
    }
    case 'sll2': {
      const b = new Uint8Array(20);
      put16(b, 0, etherType);
      return b;
    }
    case 'sll': {
      const b = new Uint8Array(16 + vlans.length * 4);
      tagChain(b, 14, vlans, etherType, spec.qinq);
      return b;
    }
    default: {
      const b = new Uint8Array(14 + vlans.length * 4);
      b.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1]);
      tagChain(b, 12, vlans, etherType, spec.qinq);
      return b;
    }
  }
}

function tagChain(b: Uint8Array, typeAt: number, vlans: number[], etherType: number, qinq = false): void {
  let at = typeAt;
  vlans.forEach((vlan, i) => {
    put16(b, at, i === 0 && qinq ? 0x88a8 : 0x8100);
    put16(b, at + 2, vlan);
    at += 4;
  });
  put16(b, at, etherType);
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >> 8) & 255;
  b[at + 1] = v & 255;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
