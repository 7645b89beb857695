import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv4, formatIpv6 } from '../../core/ip-text.js';
import { buildFrame, type FrameSpec, SPEC_LINK_TYPES } from '../../tools/frame-spec.js';
import { decodePacket } from './decode-packet.js';
import { DecodedPacket } from './decoded-packet.js';

function decode(spec: FrameSpec, cut?: number): DecodedPacket {
  const frame = buildFrame(spec);
  const pkt = new DecodedPacket();
  decodePacket(pkt, frame, 0, cut ?? frame.length, SPEC_LINK_TYPES[spec.link ?? 'ethernet']);
  return pkt;
}

const tcp: FrameSpec = {
  src: '192.0.2.1',
  dst: '198.51.100.7',
  proto: 6,
  srcPort: 40000,
  dstPort: 443,
  tcpFlags: 0x12,
  payloadBytes: 10,
};

describe('decodePacket', () => {
  it('decodes Ethernet / IPv4 / TCP', () => {
    const p = decode(tcp);
    expect(p.reason).toBe('');
    expect([p.ipVersion, formatIpv4(p.src3), formatIpv4(p.dst3)]).toEqual([4, '192.0.2.1', '198.51.100.7']);
    expect([p.proto, p.srcPort, p.dstPort, p.tcpFlags, p.ipBytes, p.payloadBytes, p.vlan]).toEqual([
      6, 40000, 443, 0x12, 50, 10, -1,
    ]);
  });

  it.each(['sll', 'sll2', 'raw', 'null'] as const)('decodes the %s link layer', (link) => {
    const p = decode({ ...tcp, link });
    expect([p.reason, p.srcPort, p.dstPort]).toEqual(['', 40000, 443]);
    const v6 = decode({ ...tcp, src: '2001:db8::1', dst: '2001:db8::2', link });
    expect([v6.reason, v6.ipVersion, v6.dstPort]).toEqual(['', 6, 443]);
  });

  it('keeps the outer VLAN id of 802.1Q and QinQ stacks', () => {
    expect(decode({ ...tcp, vlan: 100 }).vlan).toBe(100);
    const qinq = decode({ ...tcp, serviceVlan: 300, vlan: 42 });
    expect([qinq.reason, qinq.vlan, qinq.dstPort]).toEqual(['', 300, 443]);
    expect(decode({ ...tcp, link: 'sll', vlan: 7 }).vlan).toBe(7);
  });

  it('skips IPv4 options', () => {
    const p = decode({ ...tcp, ipv4OptionBytes: 12 });
    expect([p.reason, p.srcPort, p.ipBytes]).toEqual(['', 40000, 62]);
  });

  it('counts non-first fragments and keeps first fragments', () => {
    expect(decode({ ...tcp, proto: 17, fragmentOffset: 185 }).reason).toBe('fragment');
    const first = decode({ ...tcp, proto: 17, moreFragments: true });
    expect([first.reason, first.firstFragment, first.srcPort]).toEqual(['', true, 40000]);
    const v6 = { ...tcp, proto: 17, src: '2001:db8::1', dst: '2001:db8::2', ipv6Extensions: [44] };
    expect(decode({ ...v6, fragmentOffset: 10 }).reason).toBe('fragment');
    expect(decode({ ...v6, moreFragments: true }).firstFragment).toBe(true);
  });

  it('walks IPv6 extension headers', () => {
    const p = decode({ ...tcp, src: '2001:db8::1', dst: 'fe80::2', ipv6Extensions: [0, 43, 60, 51] });
    expect([p.reason, p.proto, p.srcPort, p.dstPort, p.tcpFlags]).toEqual(['', 6, 40000, 443, 0x12]);
    expect(formatIpv6(p.src0, p.src1, p.src2, p.src3)).toBe('2001:db8::1');
    expect(p.ipBytes).toBe(40 + 8 + 8 + 8 + 16 + 20 + 10);
  });

  it('stops at ESP and no-next-header, keeping ports 0', () => {
    for (const proto of [50, 59]) {
      const p = decode({
        src: '2001:db8::1',
        dst: '2001:db8::2',
        proto,
        payloadBytes: 16,
        ipv6Extensions: [60],
      });
      expect([p.reason, p.proto, p.srcPort, p.dstPort]).toEqual(['', proto, 0, 0]);
    }
  });

  it('reads ICMP and ICMPv6 type and code, and other protocols with ports 0', () => {
    const icmp = decode({ src: '10.0.0.1', dst: '10.0.0.2', proto: 1, srcPort: 3, dstPort: 13 });
    expect([icmp.proto, icmp.srcPort, icmp.dstPort]).toEqual([1, 3, 13]);
    const icmp6 = decode({ src: 'fe80::1', dst: 'ff02::1', proto: 58, srcPort: 135, dstPort: 0 });
    expect([icmp6.proto, icmp6.srcPort, icmp6.dstPort]).toEqual([58, 135, 0]);
    const gre = decode({ src: '10.0.0.1', dst: '10.0.0.2', proto: 47, payloadBytes: 4 });
    expect([gre.reason, gre.proto, gre.srcPort]).toEqual(['', 47, 0]);
  });

  it('counts non-IP, truncated and malformed frames by reason', () => {
    const arp = buildFrame(tcp);
    arp[12] = 0x08;
    arp[13] = 0x06;
    const pkt = new DecodedPacket();
    expect(decodePacket(pkt, arp, 0, arp.length, 1)).toBe(false);
    expect(pkt.reason).toBe('non_ip');
    expect(decode(tcp, 10).reason).toBe('truncated_link');
    expect(decode(tcp, 14 + 19).reason).toBe('truncated_ip');
    expect(decode(tcp, 14 + 20 + 10).reason).toBe('truncated_l4');
    const bad = buildFrame(tcp);
    bad[14] = 0x43; // header length 12 bytes
    expect(decodePacket(pkt, bad, 0, bad.length, 1)).toBe(false);
    expect(pkt.reason).toBe('bad_ip_header');
    expect(decodePacket(pkt, bad, 0, bad.length, 999)).toBe(false);
    expect(pkt.reason).toBe('unsupported_link');
  });

  it('decodes at an offset inside a larger buffer', () => {
    const frame = buildFrame(tcp);
    const big = new Uint8Array(frame.length + 100);
    big.set(frame, 37);
    const pkt = new DecodedPacket();
    expect(decodePacket(pkt, big, 37, 37 + frame.length, 1)).toBe(true);
    expect(pkt.dstPort).toBe(443);
  });

  it('never throws on arbitrary bytes', () => {
    const pkt = new DecodedPacket();
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom(0, 1, 101, 108, 113, 228, 229, 276, 7),
        (bytes, link) => {
          const ok = decodePacket(pkt, bytes, 0, bytes.length, link);
          expect(ok ? pkt.reason === '' : pkt.reason !== '').toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
