import { describe, expect, it } from 'vitest';
import { type IpAddress, parseIpAddress } from '../features/ip-address.js';
import { PrefixTable } from './prefix-table.js';

function ip(text: string): IpAddress {
  const parsed = parseIpAddress(text);
  if (parsed === null) throw new Error(`bad test address ${text}`);
  return parsed;
}

function matches(table: PrefixTable<string>, address: string): string[] {
  const out: string[] = [];
  table.forEachMatch(ip(address), (value) => out.push(value));
  return out;
}

describe('PrefixTable', () => {
  it('visits every containing network, most specific first, per family', () => {
    const table = new PrefixTable<string>();
    table.add(ip('0.0.0.0'), 0, 'any-v4');
    table.add(ip('10.0.0.0'), 8, 'ten');
    table.add(ip('10.1.2.3'), 24, 'ten-one-two');
    table.add(ip('10.1.2.3'), 32, 'host');
    table.add(ip('2001:db8::'), 32, 'doc');
    table.add(ip('2001:db8:0:1::'), 64, 'doc-1');
    expect(table.size).toBe(6);
    expect(matches(table, '10.1.2.3')).toEqual(['host', 'ten-one-two', 'ten', 'any-v4']);
    expect(matches(table, '10.1.3.1')).toEqual(['ten', 'any-v4']);
    expect(matches(table, '2001:db8:0:1::9')).toEqual(['doc-1', 'doc']);
    expect(matches(table, '2001:db9::1')).toEqual([]);
  });

  it('clears host bits of the stored network and keeps values added twice', () => {
    const table = new PrefixTable<string>();
    table.add(ip('192.0.2.200'), 25, 'a');
    table.add(ip('192.0.2.128'), 25, 'b');
    expect(matches(table, '192.0.2.129')).toEqual(['a', 'b']);
    expect(matches(table, '192.0.2.127')).toEqual([]);
  });
});
