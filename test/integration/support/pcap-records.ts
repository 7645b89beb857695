import { readFileSync } from 'node:fs';

/** One record of a classic pcap file, as laid out on disk. */
export interface PcapRecord {
  /** 1-based, as the daemon numbers packets in its error messages. */
  packet: number;
  /** File offset of the 16-byte record header. */
  offset: number;
  capLen: number;
  /** Timestamp in whole microseconds since the epoch (exact: BigInt). */
  tsMicros: bigint;
}

export interface PcapLayout {
  buf: Buffer;
  linkType: number;
  records: PcapRecord[];
}

const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const LINKTYPE_ETHERNET = 1;

/**
 * Reads a classic pcap file's record layout independently of the daemon's reader, so tests can
 * compute expected offsets, timestamps and counts from the bytes themselves.
 */
export function readPcapLayout(file: string): PcapLayout {
  const buf = readFileSync(file);
  const magic = buf.readUInt32BE(0);
  const order = byteOrder(magic);
  if (order === undefined) throw new Error(`${file}: not a classic pcap (magic 0x${magic.toString(16)})`);
  const u32 = (at: number) => (order.littleEndian ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const records: PcapRecord[] = [];
  let at = FILE_HEADER_BYTES;
  while (at + RECORD_HEADER_BYTES <= buf.length) {
    const capLen = u32(at + 8);
    const frac = BigInt(u32(at + 4));
    const micros = order.nanoseconds ? frac / 1000n : frac;
    records.push({
      packet: records.length + 1,
      offset: at,
      capLen,
      tsMicros: BigInt(u32(at)) * 1_000_000n + micros,
    });
    at += RECORD_HEADER_BYTES + capLen;
  }
  if (at !== buf.length) throw new Error(`${file}: ${buf.length - at} trailing bytes after the last record`);
  return { buf, linkType: u32(20) & 0xffff, records };
}

/** Non-first IPv4 fragments (fragment offset > 0) in an Ethernet capture: what flow assembly skips. */
export function countNonFirstFragments(layout: PcapLayout): number {
  if (layout.linkType !== LINKTYPE_ETHERNET) throw new Error(`link type ${layout.linkType} is not Ethernet`);
  const { buf } = layout;
  let count = 0;
  for (const record of layout.records) {
    const frame = record.offset + RECORD_HEADER_BYTES;
    const end = frame + record.capLen;
    let typeAt = frame + 12;
    // 802.1Q and 802.1ad tags push the EtherType back four bytes each.
    while (typeAt + 2 <= end && [0x8100, 0x88a8].includes(buf.readUInt16BE(typeAt))) typeAt += 4;
    if (typeAt + 2 > end || buf.readUInt16BE(typeAt) !== 0x0800) continue;
    const ip = typeAt + 2;
    if (ip + 8 > end || buf[ip]! >> 4 !== 4) continue;
    if ((buf.readUInt16BE(ip + 6) & 0x1fff) > 0) count++;
  }
  return count;
}

function byteOrder(magic: number): { littleEndian: boolean; nanoseconds: boolean } | undefined {
  switch (magic) {
    case 0xa1b2c3d4:
      return { littleEndian: false, nanoseconds: false };
    case 0xd4c3b2a1:
      return { littleEndian: true, nanoseconds: false };
    case 0xa1b23c4d:
      return { littleEndian: false, nanoseconds: true };
    case 0x4d3cb2a1:
      return { littleEndian: true, nanoseconds: true };
    default:
      return undefined;
  }
}
