import { describe, expect, it } from 'vitest';
import { formatPrefix, parseIpAddress } from './ip-address.js';

describe('parseIpAddress', () => {
  it('parses dotted quads and rejects near misses', () => {
    expect(parseIpAddress('192.168.1.20')).toEqual({ family: 4, w0: 0xc0a80114, w1: 0, w2: 0, w3: 0 });
    for (const bad of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '1..2.3', 'a.b.c.d', '', '1.2.3.4 ']) {
      expect(parseIpAddress(bad)).toBeNull();
    }
  });

  it('parses IPv6 forms: full, compressed, embedded IPv4, zone', () => {
    expect(parseIpAddress('2001:db8:0:0:1:0:0:1')).toEqual({
      family: 6,
      w0: 0x20010db8,
      w1: 0,
      w2: 0x10000,
      w3: 1,
    });
    expect(parseIpAddress('2001:db8::1:0:0:1')).toEqual(parseIpAddress('2001:db8:0:0:1:0:0:1'));
    expect(parseIpAddress('::')).toEqual({ family: 6, w0: 0, w1: 0, w2: 0, w3: 0 });
    expect(parseIpAddress('::1')?.w3).toBe(1);
    expect(parseIpAddress('fe80::1%eth0')?.w0).toBe(0xfe800000);
    expect(parseIpAddress('::ffff:192.0.2.1')).toEqual({
      family: 6,
      w0: 0,
      w1: 0,
      w2: 0xffff,
      w3: 0xc0000201,
    });
    for (const bad of ['1::2::3', ':1::2', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '1:2:3:4:5:6:7:']) {
      expect(parseIpAddress(bad)).toBeNull();
    }
  });
});

describe('formatPrefix', () => {
  it('clears host bits and formats IPv6 per RFC 5952', () => {
    expect(formatPrefix(parseIpAddress('10.1.2.77')!, 24)).toBe('10.1.2.0/24');
    expect(formatPrefix(parseIpAddress('10.1.2.77')!, 20)).toBe('10.1.0.0/20');
    expect(formatPrefix(parseIpAddress('2001:db8:0:1:aa::5')!, 64)).toBe('2001:db8:0:1::/64');
    expect(formatPrefix(parseIpAddress('2001:0:0:1:0:0:0:1')!, 128)).toBe('2001:0:0:1::1/128');
    expect(formatPrefix(parseIpAddress('2001:db8:1:2::3')!, 48)).toBe('2001:db8:1::/48');
  });
});
