import { describe, expect, it } from 'vitest';
import { buildFrame } from './frame-spec.js';
import { FrameBuilder } from './frames.js';

describe('buildFrame', () => {
  it('gives the bytes FrameBuilder gives for the same packet, as a copy', () => {
    const spec = { src: '10.0.0.1', dst: '10.0.0.2', proto: 6, srcPort: 1234, dstPort: 80, tcpFlags: 0x02 };
    const a = buildFrame(spec);
    const direct = new FrameBuilder().tcp(
      { srcMac: Uint8Array.from([2, 0, 0, 0, 0, 1]), dstMac: Uint8Array.from([2, 0, 0, 0, 0, 2]) },
      { src: 0x0a000001, dst: 0x0a000002, dontFragment: false },
      { srcPort: 1234, dstPort: 80, seq: 0, ack: 0, flags: 0x02 },
    );
    expect(a).toEqual(direct);
    buildFrame({ ...spec, srcPort: 9 });
    expect((a[34] << 8) | a[35]).toBe(1234);
  });

  it('maps ICMP type and code, other protocols and IPv6 text', () => {
    const icmp = buildFrame({ src: '2001:db8::1', dst: '2001:db8::2', proto: 58, srcPort: 128, dstPort: 0 });
    expect([icmp[20], icmp[54], icmp[55]]).toEqual([58, 128, 0]);
    const gre = buildFrame({ src: '10.0.0.1', dst: '10.0.0.2', proto: 47, payloadBytes: 4, link: 'raw' });
    expect([gre.length, gre[9]]).toEqual([24, 47]);
    expect(() => buildFrame({ src: 'nope', dst: '10.0.0.2', proto: 6 })).toThrow(TypeError);
  });
});
