import { describe, expect, it } from 'vitest';
import { Cidr } from './cidr.js';
import { parseIpAddress } from './ip-address.js';

describe('Cidr', () => {
  it('matches addresses of its own family inside the prefix', () => {
    const v4 = Cidr.parse('172.16.0.0/12');
    expect(v4.contains(parseIpAddress('172.31.255.255')!)).toBe(true);
    expect(v4.contains(parseIpAddress('172.32.0.1')!)).toBe(false);
    expect(v4.contains(parseIpAddress('::ffff:172.16.0.1')!)).toBe(false);
    const v6 = Cidr.parse('2001:db8:abcd:12::/62');
    expect(v6.contains(parseIpAddress('2001:db8:abcd:13::99')!)).toBe(true);
    expect(v6.contains(parseIpAddress('2001:db8:abcd:14::1')!)).toBe(false);
    expect(Cidr.parse('0.0.0.0/0').contains(parseIpAddress('8.8.8.8')!)).toBe(true);
  });

  it('throws an error naming the bad CIDR and where it is', () => {
    expect(() => Cidr.parse('10.0.0.0/33', 'segments.definitions[0].cidrs[1]')).toThrow(
      'segments.definitions[0].cidrs[1]: invalid CIDR "10.0.0.0/33": expected a prefix length 0..32',
    );
    expect(() => Cidr.parse('10.0.0/8')).toThrow(/invalid CIDR "10.0.0\/8"/);
    expect(() => Cidr.parse('2001:db8::')).toThrow(/address\/prefix-length/);
  });
});
