import { describe, expect, it } from 'vitest';
import { formatIpv4, formatIpv6, parseIp } from './ip-text.js';

function words(text: string): [number, number, number, number] {
  const b = parseIp(text)!;
  const w = (i: number) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
  return [w(0), w(4), w(8), w(12)];
}

describe('ip text', () => {
  it('formats IPv4 from signed and unsigned words', () => {
    expect(formatIpv4(0xc0000201 | 0)).toBe('192.0.2.1');
    expect(formatIpv4(0xffffffff)).toBe('255.255.255.255');
  });

  it.each([
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80:0:0:0:200:86ff:fe05:80da', 'fe80::200:86ff:fe05:80da'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['2001:DB8::ABCD', '2001:db8::abcd'],
    ['1:0:0:0:0:0:0:0', '1::'],
  ])('formats %s as %s (RFC 5952)', (input, expected) => {
    expect(formatIpv6(...words(input))).toBe(expected);
  });
});
