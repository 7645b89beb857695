import { describe, expect, it } from 'vitest';
import { TCP_ACK, TCP_PSH } from '../core/flow-record.js';
import { FrameBuilder, finishSum, sumWords } from './frames.js';
import { LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_NULL, LINKTYPE_RAW } from './pcap-writer.js';

const link = { srcMac: Uint8Array.from([2, 0, 0, 0, 0, 1]), dstMac: Uint8Array.from([2, 0, 0, 0, 0, 2]) };
const v4 = { src: 0x0a0a0114, dst: 0xc6336417, ttl: 127, id: 0x1234 };
const v6src = Uint8Array.from([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
const v6dst = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);

/** One's-complement sum of a segment plus its pseudo-header; a correct checksum makes it 0xffff. */
function verifiesWithPseudoHeader(frame: Uint8Array, ipStart: number, v6: boolean): boolean {
  const view = new DataView(frame.buffer, frame.byteOffset);
  if (!v6) {
    const total = view.getUint16(ipStart + 2);
    const l4 = ipStart + 20;
    const pseudo = sumWords(frame, ipStart + 12, ipStart + 20, frame[ipStart + 9] + total - 20);
    return finishSum(sumWords(frame, l4, ipStart + total, pseudo)) === 0;
  }
  const length = view.getUint16(ipStart + 4);
  const pseudo = sumWords(frame, ipStart + 8, ipStart + 40, frame[ipStart + 6] + length);
  return finishSum(sumWords(frame, ipStart + 40, ipStart + 40 + length, pseudo)) === 0;
}

describe('FrameBuilder', () => {
  const builder = new FrameBuilder();

  it('builds an IPv4 TCP segment with correct lengths and checksums', () => {
    const prefix = Uint8Array.from([0x17, 3, 3]);
    const options = Uint8Array.from([2, 4, 5, 0xb4, 1]);
    const f = builder.tcp(
      link,
      v4,
      { srcPort: 50000, dstPort: 443, seq: 1, ack: 2, flags: TCP_ACK | TCP_PSH, options },
      100,
      prefix,
    );
    expect(f.length).toBe(14 + 20 + 28 + 100);
    const view = new DataView(f.buffer, f.byteOffset);
    expect(view.getUint16(12)).toBe(0x0800);
    expect(view.getUint16(16)).toBe(20 + 28 + 100);
    expect(view.getUint16(18)).toBe(0x1234);
    expect(f[22]).toBe(127);
    expect(f[23]).toBe(6);
    expect(finishSum(sumWords(f, 14, 34, 0))).toBe(0);
    expect(f[14 + 20 + 12] >> 4).toBe(7);
    expect(f[14 + 20 + 13]).toBe(TCP_ACK | TCP_PSH);
    expect([...f.subarray(14 + 20 + 20, 14 + 20 + 26)]).toEqual([2, 4, 5, 0xb4, 1, 0]);
    expect([...f.subarray(62, 65)]).toEqual([0x17, 3, 3]);
    expect(verifiesWithPseudoHeader(f, 14, false)).toBe(true);
  });

  it('inserts an 802.1Q tag and pads short frames to 60 bytes', () => {
    const f = builder.udp({ ...link, vlan: 130 }, v4, { srcPort: 5353, dstPort: 53 }, 4);
    const view = new DataView(f.buffer, f.byteOffset);
    expect(view.getUint16(12)).toBe(0x8100);
    expect(view.getUint16(14)).toBe(130);
    expect(view.getUint16(16)).toBe(0x0800);
    expect(view.getUint16(20)).toBe(20 + 8 + 4);
    expect(view.getUint16(18 + 20 + 4)).toBe(12);
    expect(f.length).toBe(60);
    expect([...f.subarray(18 + 32)]).toEqual(new Array(60 - 50).fill(0));
    expect(finishSum(sumWords(f, 18, 38, 0))).toBe(0);
    expect(verifiesWithPseudoHeader(f, 18, false)).toBe(true);
  });

  it('builds IPv6 TCP and ICMPv6 with pseudo-header checksums', () => {
    const ip = { src: v6src, dst: v6dst, ttl: 64 };
    const t = builder.tcp(link, ip, { srcPort: 1, dstPort: 2, seq: 0xfffffff0, ack: 0, flags: 2 }, 1401);
    const view = new DataView(t.buffer, t.byteOffset);
    expect(view.getUint16(12)).toBe(0x86dd);
    expect(view.getUint16(18)).toBe(20 + 1401);
    expect(t[20]).toBe(6);
    expect(t.length).toBe(14 + 40 + 20 + 1401);
    expect(view.getUint32(54 + 4)).toBe(0xfffffff0);
    expect(verifiesWithPseudoHeader(t, 14, true)).toBe(true);
    const e = builder.icmp(link, ip, { type: 128, code: 0, identifier: 7, sequence: 1 }, 56);
    expect(e[20]).toBe(58);
    expect(verifiesWithPseudoHeader(e, 14, true)).toBe(true);
  });

  it('checksums ICMPv4 over the message alone', () => {
    const f = builder.icmp(link, v4, { type: 8, code: 0, identifier: 1, sequence: 2 }, 56);
    expect(f[23]).toBe(1);
    expect(f.length).toBe(14 + 20 + 8 + 56);
    expect(finishSum(sumWords(f, 34, f.length, 0))).toBe(0);
  });

  it('leaves transport checksums zero when asked to', () => {
    const plain = new FrameBuilder({ transportChecksums: false, padToMinimum: false });
    const f = plain.udp(link, v4, { srcPort: 1, dstPort: 2 }, 3);
    expect(f.length).toBe(45);
    expect(f[40] | f[41]).toBe(0);
    expect(finishSum(sumWords(f, 14, 34, 0))).toBe(0);
  });

  it('writes SLL, SLL2, raw and BSD loopback link headers', () => {
    const udp = (linkType: number) =>
      new FrameBuilder({ linkType }).udp(link, v4, { srcPort: 1, dstPort: 2 }, 3);
    const sll = udp(LINKTYPE_LINUX_SLL);
    expect([sll.length, (sll[2] << 8) | sll[3], sll[5], (sll[14] << 8) | sll[15], sll[16]]).toEqual([
      16 + 31,
      1,
      6,
      0x0800,
      0x45,
    ]);
    const sll2 = udp(LINKTYPE_LINUX_SLL2);
    expect([(sll2[0] << 8) | sll2[1], sll2[11], sll2[20]]).toEqual([0x0800, 6, 0x45]);
    expect(udp(LINKTYPE_RAW)[0]).toBe(0x45);
    const loop = new FrameBuilder({ linkType: LINKTYPE_NULL }).udp(
      link,
      { src: v6src, dst: v6dst },
      { srcPort: 1, dstPort: 2 },
    );
    expect([...loop.subarray(0, 5)]).toEqual([30, 0, 0, 0, 0x60]);
    expect(() => new FrameBuilder({ linkType: 105 })).toThrow(RangeError);
  });

  it('stacks an 802.1ad service tag outside the 802.1Q tag', () => {
    const f = builder.udp({ ...link, serviceVlan: 300, vlan: 42 }, v4, { srcPort: 1, dstPort: 2 });
    const view = new DataView(f.buffer, f.byteOffset);
    expect([
      view.getUint16(12),
      view.getUint16(14),
      view.getUint16(16),
      view.getUint16(18),
      view.getUint16(20),
    ]).toEqual([0x88a8, 300, 0x8100, 42, 0x0800]);
  });

  it('writes IPv4 options and fragment fields with a valid header checksum', () => {
    const ip = { ...v4, optionBytes: 8, dontFragment: false, moreFragments: true, fragmentOffset: 185 };
    const f = builder.udp(link, ip, { srcPort: 1, dstPort: 2 }, 4);
    const view = new DataView(f.buffer, f.byteOffset);
    expect(f[14]).toBe(0x47);
    expect(view.getUint16(16)).toBe(28 + 8 + 4);
    expect(view.getUint16(20)).toBe(0x2000 | 185);
    expect([...f.subarray(34, 42)]).toEqual(new Array(8).fill(1));
    expect(finishSum(sumWords(f, 14, 42, 0))).toBe(0);
    expect(view.getUint16(42)).toBe(1);
  });

  it('chains IPv6 extension headers before the transport', () => {
    const ip = {
      src: v6src,
      dst: v6dst,
      extensionHeaders: [0, 51, 44],
      fragmentOffset: 10,
      moreFragments: true,
    };
    const t = builder.tcp(link, ip, { srcPort: 7, dstPort: 8, seq: 0, ack: 0, flags: 2 });
    const view = new DataView(t.buffer, t.byteOffset);
    expect([t[20], t[54], t[62], t[78]]).toEqual([0, 51, 44, 6]);
    expect([t[55], t[63]]).toEqual([0, 2]);
    expect(view.getUint16(80)).toBe((10 << 3) | 1);
    expect(view.getUint16(18)).toBe(8 + 16 + 8 + 20);
    expect(view.getUint16(86)).toBe(7);
  });

  it('carries other protocols as bare payload', () => {
    const f = builder.ipPayload(link, { src: v6src, dst: v6dst }, 50, 16);
    expect([f[20], f.length]).toEqual([50, 14 + 40 + 16]);
  });

  it('rejects mixed address families', () => {
    expect(() => builder.udp(link, { src: 1, dst: v6dst }, { srcPort: 1, dstPort: 2 })).toThrow(TypeError);
  });
});
