import { describe, expect, it } from 'vitest';
import { allowListEntrySchema } from '../config/schema.js';
import type { RoutedFlow } from '../core/flow-record.js';
import { AllowList } from './allow-list.js';
import type { RuleId } from './rules.js';
import { makeFlow } from './testing/make-detection.js';

/** Compile rows as the config loader would see them (schema defaults applied). */
function compile(...rows: unknown[]): AllowList {
  return AllowList.compile(
    rows.map((row, i) => ({ entry: allowListEntrySchema.parse(row), origin: `allow.yaml: [${i}]` })),
  );
}

function allows(list: AllowList, flow: Partial<RoutedFlow>, rule: RuleId = 'port-scan'): string | undefined {
  return list.match(makeFlow(flow), rule)?.origin;
}

describe('AllowList', () => {
  it('matches IPv4 networks and bare addresses on either side by default', () => {
    const list = compile({ cidr: '192.0.2.0/24' }, { cidr: '198.51.100.7' });
    expect(allows(list, { srcIp: '192.0.2.77' })).toBe('allow.yaml: [0]');
    expect(allows(list, { dstIp: '192.0.2.1' })).toBe('allow.yaml: [0]');
    expect(allows(list, { srcIp: '198.51.100.7' })).toBe('allow.yaml: [1]');
    expect(allows(list, { srcIp: '198.51.100.8' })).toBeUndefined();
    expect(allows(list, { srcIp: '192.0.3.1' })).toBeUndefined();
  });

  it('matches IPv6 networks and never mixes families', () => {
    const list = compile({ cidr: ['2001:db8:1::/48', '::ffff:0:0/96'] });
    expect(allows(list, { srcIp: '2001:db8:1:ff::5' })).toBe('allow.yaml: [0]');
    expect(allows(list, { srcIp: '2001:db8:2::5' })).toBeUndefined();
    expect(allows(list, { srcIp: '10.1.0.5', dstIp: '10.2.0.10' })).toBeUndefined();
    expect(allows(list, { srcIp: 'not-an-ip' })).toBeUndefined();
  });

  it('checks only the side its direction names', () => {
    const list = compile(
      { cidr: '10.9.0.0/16', direction: 'src' },
      { cidr: '10.8.0.0/16', direction: 'dst' },
    );
    expect(allows(list, { srcIp: '10.9.1.1' })).toBe('allow.yaml: [0]');
    expect(allows(list, { dstIp: '10.9.1.1' })).toBeUndefined();
    expect(allows(list, { dstIp: '10.8.1.1' })).toBe('allow.yaml: [1]');
    expect(allows(list, { srcIp: '10.8.1.1' })).toBeUndefined();
  });

  it('limits a row to destination ports, rules and a segment', () => {
    const list = compile({
      cidr: '10.1.0.0/16',
      ports: [22, 443],
      rules: ['tapwatch-port-scan', 'host-scan'],
      segment: 'servers',
    });
    expect(allows(list, {})).toBe('allow.yaml: [0]');
    expect(allows(list, {}, 'host-scan')).toBe('allow.yaml: [0]');
    expect(allows(list, {}, 'syn-flood')).toBeUndefined();
    expect(allows(list, { dstPort: 80 })).toBeUndefined();
    expect(allows(list, { srcPort: 443, dstPort: 80 })).toBeUndefined();
    expect(allows(list, { segment: 'office' })).toBeUndefined();
  });

  it('lets a row without networks match any address', () => {
    const list = compile({ ports: [53], reason: 'resolvers are noisy' });
    expect(list.match(makeFlow({ dstPort: 53 }), 'anomalous-flow')).toEqual({
      origin: 'allow.yaml: [0]',
      reason: 'resolvers are noisy',
    });
    expect(allows(list, { dstPort: 54 })).toBeUndefined();
  });

  it('reports the earliest matching row, whatever its prefix length', () => {
    const list = compile({ cidr: '10.0.0.0/8', reason: 'wide' }, { cidr: '10.1.0.5/32', reason: 'narrow' });
    expect(list.match(makeFlow(), 'port-scan')?.reason).toBe('wide');
  });

  it('names the field of an unknown rule id', () => {
    expect(() => compile({ cidr: '10.0.0.0/8' }, { rules: ['port-scan', 'portscan'] })).toThrow(
      /^allow\.yaml: \[1\]\.rules\[1\]: expected one of .*"tapwatch-port-scan".*, got "portscan"$/,
    );
  });

  it('is empty without rows', () => {
    expect(AllowList.compile([]).size).toBe(0);
    expect(AllowList.EMPTY.match(makeFlow(), 'syn-flood')).toBeUndefined();
  });
});
