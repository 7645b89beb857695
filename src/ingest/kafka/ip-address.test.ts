import { describe, expect, it } from 'vitest';
import { ipFromBytes, ipFromRange, normalizeIpText } from './ip-address.js';

describe('normalizeIpText', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::ffff:198.51.100.7', '198.51.100.7'],
    ['::FFFF:c633:6407', '198.51.100.7'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::', '::'],
  ])('normalises %s to %s', (input, expected) => {
    expect(normalizeIpText(input)).toBe(expected);
  });

  it.each(['', 'x', '1.2.3.256', '01.2.3.4', '1.2.3', '2001:db8::1::2', ' 1.2.3.4'])(
    'rejects %j',
    (input) => {
      expect(normalizeIpText(input)).toBeUndefined();
    },
  );
});

describe('normalizeIpText on repeated addresses', () => {
  it('gives the same canonical text on every lookup, also after more distinct addresses than it remembers', () => {
    const first = normalizeIpText('2001:0DB8::0001');
    for (let i = 0; i < 40_000; i++) {
      const text = `172.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      expect(normalizeIpText(text)).toBe(text);
    }
    expect(normalizeIpText('2001:0DB8::0001')).toBe(first);
    expect(first).toBe('2001:db8::1');
    expect(normalizeIpText('1.2.3.256')).toBeUndefined();
    expect(normalizeIpText('1.2.3.256')).toBeUndefined();
  });
});

describe('ipFromBytes', () => {
  it('formats 4 and 16 byte addresses', () => {
    expect(ipFromBytes(Uint8Array.of(10, 0, 0, 1))).toBe('10.0.0.1');
    const v6 = new Uint8Array(16);
    v6.set([0x20, 0x01, 0x0d, 0xb8]);
    v6[15] = 1;
    expect(ipFromBytes(v6)).toBe('2001:db8::1');
  });

  it('turns IPv4-mapped IPv6 into a dotted quad', () => {
    const mapped = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, 9);
    expect(ipFromBytes(mapped)).toBe('203.0.113.9');
  });

  it('gives the same text for the same bytes wherever they sit', () => {
    const a = Uint8Array.of(9, 198, 51, 100, 7);
    const b = Uint8Array.of(198, 51, 100, 7);
    expect(ipFromRange(a, 1, 4)).toBe('198.51.100.7');
    expect(ipFromRange(b, 0, 4)).toBe(ipFromRange(a, 1, 4));
    expect(ipFromBytes(Uint8Array.of(198, 51, 100, 8))).toBe('198.51.100.8');
  });

  it('rejects other lengths', () => {
    expect(ipFromBytes(new Uint8Array(0))).toBeUndefined();
    expect(ipFromBytes(new Uint8Array(5))).toBeUndefined();
  });
});

describe('ipFromRange', () => {
  it('reads an address inside a larger buffer without touching its neighbours', () => {
    const v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10];
    const bytes = Uint8Array.of(0xff, 192, 0, 2, 1, ...v6, 0xff);
    expect(ipFromRange(bytes, 1, 4)).toBe('192.0.2.1');
    expect(ipFromRange(bytes, 5, 16)).toBe('2001:db8::10');
    expect(ipFromRange(bytes, 1, 3)).toBeUndefined();
  });
});
