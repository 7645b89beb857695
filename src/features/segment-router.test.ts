import { describe, expect, it } from 'vitest';
import { type SegmentsConfig, segmentsSchema } from '../config/schema.js';
import type { FlowRecord } from '../core/flow-record.js';
import { OVERFLOW_SEGMENT, SegmentRouter } from './segment-router.js';

function flow(srcIp: string, dstIp: string, extra: Partial<FlowRecord> = {}): FlowRecord {
  return {
    start: 0,
    end: 0,
    srcIp,
    dstIp,
    srcPort: 40000,
    dstPort: 443,
    proto: 6,
    bytesFwd: 0,
    pktsFwd: 0,
    bytesRev: 0,
    pktsRev: 0,
    tcpFlags: 0,
    source: { format: 'tapwatch', origin: 'test' },
    ...extra,
  };
}

const config = (input: Partial<SegmentsConfig> = {}): SegmentsConfig => segmentsSchema.parse(input);

describe('SegmentRouter', () => {
  const named = config({
    definitions: [
      { name: 'dmz', cidrs: ['192.168.10.0/24', '2001:db8:10::/48'], vlans: [], exporters: [] },
      { name: 'ot', cidrs: [], vlans: [42], exporters: ['sensor-ot'] },
      { name: 'servers', cidrs: ['10.20.0.0/16'], vlans: [], exporters: [] },
    ],
  });

  it('routes by named CIDR, internal side first, and returns the same flow', () => {
    const router = new SegmentRouter(named);
    const f = flow('203.0.113.9', '192.168.10.5');
    expect(router.route(f)).toBe(f);
    expect(f.segment).toBe('dmz');
    expect(router.route(flow('10.20.1.1', '192.168.10.5')).segment).toBe('servers');
    expect(router.route(flow('10.99.1.1', '192.168.10.5')).segment).toBe('dmz');
  });

  it('gives VLAN, then exporter, precedence over addresses', () => {
    const router = new SegmentRouter(named);
    expect(router.route(flow('10.20.1.1', '8.8.8.8', { vlan: 42 })).segment).toBe('ot');
    expect(router.route(flow('10.20.1.1', '8.8.8.8', { exporter: 'sensor-ot' })).segment).toBe('ot');
    expect(router.route(flow('10.20.1.1', '8.8.8.8', { vlan: 7, exporter: 'x' })).segment).toBe('servers');
  });

  it('matches IPv6 CIDRs and builds automatic /64 segments', () => {
    const router = new SegmentRouter(named);
    expect(router.route(flow('2001:db8:10:5::1', '2606:4700::1111')).segment).toBe('dmz');
    expect(router.route(flow('fd00:1:2:3:aaaa::1', '2606:4700::1111')).segment).toBe('fd00:1:2:3::/64');
  });

  it('builds automatic /24 segments from the internal side, or the destination when none is', () => {
    const router = new SegmentRouter(config());
    expect(router.route(flow('8.8.4.4', '10.1.2.3')).segment).toBe('10.1.2.0/24');
    expect(router.route(flow('172.16.9.9', '8.8.8.8')).segment).toBe('172.16.9.0/24');
    expect(router.route(flow('198.51.100.7', '203.0.113.200')).segment).toBe('203.0.113.0/24');
    expect(router.route(flow('10.1.2.3', '10.7.7.7')).segment).toBe('10.1.2.0/24');
  });

  it('honours autoPrefixV4 / autoPrefixV6', () => {
    const router = new SegmentRouter(config({ autoPrefixV4: 16, autoPrefixV6: 48 }));
    expect(router.route(flow('10.1.2.3', '1.1.1.1')).segment).toBe('10.1.0.0/16');
    expect(router.route(flow('fd12:3456:789a:1::1', '2001:db8::1')).segment).toBe('fd12:3456:789a::/48');
  });

  it('folds segments beyond maxSegments into other and counts the flows', () => {
    const router = new SegmentRouter(config({ ...named, maxSegments: 5 }));
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) seen.add(router.route(flow(`10.0.${i}.1`, '8.8.8.8')).segment);
    expect(router.route(flow('10.0.0.200', '8.8.8.8')).segment).toBe('10.0.0.0/24');
    expect(router.route(flow('192.168.10.1', '8.8.8.8')).segment).toBe('dmz');
    expect(router.segments).toEqual(['dmz', 'ot', 'servers', '10.0.0.0/24', '10.0.1.0/24', OVERFLOW_SEGMENT]);
    expect(seen.size).toBe(3);
    expect(router.overflowCount).toBe(8);
  });

  it('routes unparsable addresses to other without throwing', () => {
    const router = new SegmentRouter(config());
    expect(router.route(flow('not-an-ip', 'also bad')).segment).toBe(OVERFLOW_SEGMENT);
    expect(router.unroutableCount).toBe(1);
    expect(router.route(flow('garbage', '10.3.3.3')).segment).toBe('10.3.3.0/24');
  });

  it('keeps routing correctly past the address cache size', () => {
    const router = new SegmentRouter(config({ maxSegments: 1000 }));
    let wrong = 0;
    for (let i = 0; i < 200_000; i++) {
      const segment = router.route(
        flow(`198.${18 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}`, `10.${i % 3}.0.9`),
      ).segment;
      if (segment !== `10.${i % 3}.0.0/24`) wrong++;
    }
    expect(wrong).toBe(0);
    expect(router.route(flow('198.18.0.1', '10.0.0.9')).segment).toBe('10.0.0.0/24');
  });

  it('throws a config error naming a bad CIDR', () => {
    const bad = config({ definitions: [{ name: 'x', cidrs: ['10.0.0.0/40'], vlans: [], exporters: [] }] });
    expect(() => new SegmentRouter(bad)).toThrow(
      /segments\.definitions\[0\]\.cidrs\[0\]: invalid CIDR "10\.0\.0\.0\/40"/,
    );
  });
});

describe('SegmentRouter.isInternal', () => {
  it('answers from segments.internalNetworks for IPv4 and IPv6', () => {
    const router = new SegmentRouter(segmentsSchema.parse({}));
    expect(router.isInternal('10.1.2.3')).toBe(true);
    expect(router.isInternal('fd00::1')).toBe(true);
    expect(router.isInternal('8.8.8.8')).toBe(false);
    expect(router.isInternal('not an ip')).toBe(false);
  });
});
