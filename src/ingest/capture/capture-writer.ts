/** One packet to write: timestamp in nanoseconds since the epoch, the captured bytes. */
export interface PacketToWrite {
  tsNs: bigint;
  data: Uint8Array;
  /** Length on the wire (default: `data.length`). */
  origLen?: number;
  /** pcapng: interface the packet was seen on (default 0). */
  interfaceId?: number;
}

/** Classic pcap variants. */
export interface PcapWriteOptions {
  linkType?: number;
  nanoseconds?: boolean;
  bigEndian?: boolean;
  snaplen?: number;
}

/** One pcapng interface: link type and `if_tsresol` (decimal exponent, or 0x80 | binary exponent). */
export interface PcapngInterface {
  linkType: number;
  tsresol?: number;
  snaplen?: number;
}

export interface PcapngWriteOptions {
  interfaces: PcapngInterface[];
  bigEndian?: boolean;
  /** Write Simple Packet Blocks (no timestamp, interface 0) instead of Enhanced Packet Blocks. */
  simple?: boolean;
}

/**
 * Writes packets as a classic pcap file. Used for test fixtures and sample captures; the
 * readers in this folder are checked against it and against real captures.
 */
export function writePcap(packets: PacketToWrite[], options: PcapWriteOptions = {}): Buffer {
  const le = !options.bigEndian;
  const ns = options.nanoseconds ?? false;
  const parts: Buffer[] = [];
  const header = Buffer.alloc(24);
  u32(header, 0, ns ? 0xa1b23c4d : 0xa1b2c3d4, le);
  u16(header, 4, 2, le);
  u16(header, 6, 4, le);
  u32(header, 16, options.snaplen ?? 65535, le);
  u32(header, 20, options.linkType ?? 1, le);
  parts.push(header);
  for (const p of packets) {
    const rec = Buffer.alloc(16);
    const sec = p.tsNs / 1_000_000_000n;
    const frac = p.tsNs % 1_000_000_000n;
    u32(rec, 0, Number(sec), le);
    u32(rec, 4, Number(ns ? frac : frac / 1000n), le);
    u32(rec, 8, p.data.length, le);
    u32(rec, 12, p.origLen ?? p.data.length, le);
    parts.push(rec, Buffer.from(p.data));
  }
  return Buffer.concat(parts);
}

/** Writes packets as one pcapng section (SHB, one IDB per interface, then EPBs or SPBs). */
export function writePcapng(packets: PacketToWrite[], options: PcapngWriteOptions): Buffer {
  const le = !options.bigEndian;
  const parts: Buffer[] = [block(0x0a0d0d0a, shbBody(le), le)];
  for (const iface of options.interfaces) parts.push(block(1, idbBody(iface, le), le));
  for (const p of packets) {
    const padded = Buffer.alloc((p.data.length + 3) & ~3);
    padded.set(p.data);
    if (options.simple) {
      const head = Buffer.alloc(4);
      u32(head, 0, p.origLen ?? p.data.length, le);
      parts.push(block(3, Buffer.concat([head, padded]), le));
      continue;
    }
    const iface = options.interfaces[p.interfaceId ?? 0];
    const units = toUnits(p.tsNs, iface?.tsresol ?? 6);
    const head = Buffer.alloc(20);
    u32(head, 0, p.interfaceId ?? 0, le);
    u32(head, 4, Number(units >> 32n), le);
    u32(head, 8, Number(units & 0xffffffffn), le);
    u32(head, 12, p.data.length, le);
    u32(head, 16, p.origLen ?? p.data.length, le);
    parts.push(block(6, Buffer.concat([head, padded]), le));
  }
  return Buffer.concat(parts);
}

function toUnits(tsNs: bigint, tsresol: number): bigint {
  if (tsresol & 0x80) return (tsNs * 2n ** BigInt(tsresol & 0x7f)) / 1_000_000_000n;
  const perSecond = 10n ** BigInt(tsresol);
  return perSecond >= 1_000_000_000n
    ? tsNs * (perSecond / 1_000_000_000n)
    : tsNs / (1_000_000_000n / perSecond);
}

function shbBody(le: boolean): Buffer {
  const b = Buffer.alloc(16);
  u32(b, 0, 0x1a2b3c4d, le);
  u16(b, 4, 1, le);
  u16(b, 6, 0, le);
  b.fill(0xff, 8, 16); // section length unknown (-1)
  return b;
}

function idbBody(iface: PcapngInterface, le: boolean): Buffer {
  const head = Buffer.alloc(8);
  u16(head, 0, iface.linkType, le);
  u32(head, 4, iface.snaplen ?? 0, le);
  if (iface.tsresol === undefined) return head;
  const opts = Buffer.alloc(12);
  u16(opts, 0, 9, le);
  u16(opts, 2, 1, le);
  opts[4] = iface.tsresol;
  // opts[8..12) stays zero: opt_endofopt
  return Buffer.concat([head, opts]);
}

function block(type: number, body: Buffer, le: boolean): Buffer {
  const total = 12 + body.length;
  const b = Buffer.alloc(total);
  u32(b, 0, type, le);
  u32(b, 4, total, le);
  body.copy(b, 8);
  u32(b, total - 4, total, le);
  return b;
}

function u16(b: Buffer, at: number, v: number, le: boolean): void {
  if (le) b.writeUInt16LE(v, at);
  else b.writeUInt16BE(v, at);
}

function u32(b: Buffer, at: number, v: number, le: boolean): void {
  if (le) b.writeUInt32LE(v >>> 0, at);
  else b.writeUInt32BE(v >>> 0, at);
}
