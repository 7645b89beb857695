import { readFileSync, writeFileSync } from 'node:fs';
import { InputError } from '../core/errors.js';

/** One record of a classic libpcap file: timestamp (µs since the epoch) and the header + frame bytes. */
interface PcapRecord {
  tsUs: number;
  inclLen: number;
  origLen: number;
  data: Buffer;
}

interface PcapFile {
  snapLength: number;
  linkType: number;
  records: PcapRecord[];
}

/**
 * Reads a classic libpcap file of either byte order, micro- or nanosecond timestamps (the magic number decides,
 * not the file name: several StopDDoS `.pcapng` files are classic pcap).
 */
export function readClassicPcap(path: string): PcapFile {
  const buf = readFileSync(path);
  const fail = (why: string) => new InputError('TAPWATCH_INPUT_MALFORMED', 'pcap', `${path}: ${why}`);
  if (buf.length < 24) throw fail('shorter than a pcap header');
  const magicLe = buf.readUInt32LE(0);
  const magicBe = buf.readUInt32BE(0);
  const le = magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d;
  if (!le && magicBe !== 0xa1b2c3d4 && magicBe !== 0xa1b23c4d) throw fail('not a classic pcap file');
  const u32 = (at: number) => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const nanos = u32(0) === 0xa1b23c4d;
  const records: PcapRecord[] = [];
  for (let at = 24; at + 16 <= buf.length; ) {
    const inclLen = u32(at + 8);
    if (at + 16 + inclLen > buf.length) break; // a truncated last record is dropped, as readers do
    const frac = u32(at + 4);
    records.push({
      tsUs: u32(at) * 1e6 + (nanos ? Math.floor(frac / 1000) : frac),
      inclLen,
      origLen: u32(at + 12),
      data: buf.subarray(at + 16, at + 16 + inclLen),
    });
    at += 16 + inclLen;
  }
  return { snapLength: u32(16), linkType: u32(20), records };
}

/** What {@link mixCaptures} wrote. */
export interface MixResult {
  packets: number;
  attackPackets: number;
  /** Attack span in the mix, epoch ms. */
  attackStartMs: number;
  attackEndMs: number;
}

/**
 * Writes `out` (little-endian µs pcap): the benign capture's packets and the attack capture's, shifted so its
 * first packet lands at `attackStartMs`, merged in time order (benign first on ties), and `<out>.labels.csv`
 * with one label per packet by source: 0 from the benign capture, 1 from the attack capture. Both captures
 * must share a link type.
 */
export function mixCaptures(
  benignPath: string,
  attackPath: string,
  out: string,
  attackStartMs: number,
): MixResult {
  const benign = readClassicPcap(benignPath);
  const attack = readClassicPcap(attackPath);
  if (benign.linkType !== attack.linkType)
    throw new InputError(
      'TAPWATCH_INPUT_MALFORMED',
      'pcap',
      `${attackPath}: link type ${attack.linkType} differs from ${benignPath}'s ${benign.linkType}`,
    );
  const first = attack.records.reduce((m, r) => Math.min(m, r.tsUs), Number.POSITIVE_INFINITY);
  const shift = attackStartMs * 1000 - first;
  const tagged = [
    ...benign.records.map((r) => ({ r, label: 0, ts: r.tsUs })),
    ...attack.records.map((r) => ({ r, label: 1, ts: r.tsUs + shift })),
  ];
  // Stable sort: within equal times the benign packets (listed first) stay first, each file keeps its order.
  tagged.sort((a, b) => a.ts - b.ts);
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(Math.max(benign.snapLength, attack.snapLength), 16);
  header.writeUInt32LE(benign.linkType, 20);
  const parts: Buffer[] = [header];
  for (const { r, ts } of tagged) {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(Math.floor(ts / 1e6), 0);
    h.writeUInt32LE(Math.round(ts % 1e6), 4);
    h.writeUInt32LE(r.inclLen, 8);
    h.writeUInt32LE(r.origLen, 12);
    parts.push(h, r.data);
  }
  writeFileSync(out, Buffer.concat(parts));
  writeFileSync(`${out}.labels.csv`, `${tagged.map((t) => t.label).join('\n')}\n`);
  const last = attack.records.reduce((m, r) => Math.max(m, r.tsUs), first);
  return {
    packets: tagged.length,
    attackPackets: attack.records.length,
    attackStartMs,
    attackEndMs: attackStartMs + (last - first) / 1000,
  };
}
