import { describe, expect, it } from 'vitest';
import { featuresSchema, segmentsSchema } from '../config/schema.js';
import type { FlowRecord } from '../core/flow-record.js';
import { FeatureExtractor } from './extract-features.js';
import { FEATURE_NAMES, FEATURE_SCHEMA_VERSION } from './feature-names.js';

const segments = segmentsSchema.parse({});
const features = featuresSchema.parse({});

function flow(over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    start: 1_700_000_000_000,
    end: 1_700_000_000_050,
    srcIp: '10.0.0.5',
    dstIp: '93.184.216.34',
    srcPort: 50000,
    dstPort: 443,
    proto: 6,
    bytesFwd: 600,
    pktsFwd: 6,
    bytesRev: 4000,
    pktsRev: 5,
    tcpFlags: 0x1b,
    source: { format: 'tapwatch', origin: 'test' },
    ...over,
  };
}

/** Value of column `name` in row `row`. */
function column(values: Float32Array, row: number, name: string, names = FEATURE_NAMES): number {
  const index = names.indexOf(name);
  if (index < 0) throw new Error(`no feature ${name}`);
  return values[row * names.length + index];
}

describe('FeatureExtractor', () => {
  it('has a fixed, unique, documented layout of 81 columns for the default λs', () => {
    const extractor = new FeatureExtractor(segments, features);
    expect(extractor.featureNames).toEqual(FEATURE_NAMES);
    expect(FEATURE_NAMES).toHaveLength(81);
    expect(new Set(FEATURE_NAMES).size).toBe(81);
    expect(extractor.schemaVersion).toBe(FEATURE_SCHEMA_VERSION);
    const custom = new FeatureExtractor(segments, featuresSchema.parse({ lambdas: [1, 0.1] }));
    expect(custom.featureNames).toHaveLength(26 + 22);
    expect(custom.featureNames).toContain('pair_iat_std_l0.1');
    const batch = custom.extract([flow()]);
    expect(batch.values).toHaveLength(48);
  });

  it('puts each value in the column its name says', () => {
    const extractor = new FeatureExtractor(segments, features);
    const batch = extractor.extract([flow({ bytesFwd: 300, pktsFwd: 3, bytesRev: 400, pktsRev: 4 })]);
    const row = Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, batch.values[i]]));
    expect(row).toMatchObject({
      bytes_fwd: 300,
      bytes_rev: 400,
      pkts_fwd: 3,
      pkts_rev: 4,
      bytes_per_pkt_fwd: 100,
      bytes_per_pkt_rev: 100,
      is_tcp: 1,
      is_udp: 0,
      dport_well_known: 1,
      tcp_syn_only: 0,
      no_reply: 0,
      host_w_l5: 1,
      host_bytes_mean_l5: 300,
      'host_bytes_std_l0.01': 0,
      'pair_w_l0.01': 1,
      pair_magnitude_l1: 500,
      pair_radius_l1: 0,
      'pair_iat_mean_l0.1': 0,
      socket_w_l3: 1,
      seg_flows: 1,
      seg_bytes: 700,
      seg_packets: 7,
      seg_failed_ratio: 0,
      seg_dst_port_entropy: 0,
    });
    expect(row.duration_s).toBeCloseTo(0.05, 6);
    expect(row.src_fanout_dst_hosts).toBeCloseTo(1, 1);
    expect(row.seg_distinct_dst_hosts).toBeCloseTo(1, 3);
  });

  it('writes only finite values for edge-case records', () => {
    const extractor = new FeatureExtractor(segments, features);
    const edge: FlowRecord[] = [
      flow({ end: 1_700_000_000_000 }),
      flow({ pktsRev: 0, bytesRev: 0, tcpFlags: 0x02, tcpFlagsFwd: 0x02 }),
      flow({ proto: 1, srcPort: 8, dstPort: 0, tcpFlags: 0, pktsRev: 1, bytesRev: 84 }),
      flow({ proto: 58, srcIp: 'fd00::1', dstIp: 'ff02::1', srcPort: 135, dstPort: 0, tcpFlags: 0 }),
      flow({ pktsFwd: 0, bytesFwd: 0, pktsRev: 0, bytesRev: 0 }),
      flow({ bytesFwd: Number.NaN, pktsFwd: -5, bytesRev: 1e300, pktsRev: Number.POSITIVE_INFINITY }),
      flow({ start: Number.NaN, end: Number.NaN }),
      flow({ end: 1_699_999_999_000 }),
      flow({ srcIp: 'bogus', dstIp: '', srcPort: -1, dstPort: 1e9, proto: 300 }),
      ...Array.from({ length: 50 }, () => flow()),
    ];
    const batch = extractor.extract(edge);
    expect(batch.values.length).toBe(edge.length * FEATURE_NAMES.length);
    const bad = [...batch.values.keys()].filter((i) => !Number.isFinite(batch.values[i]));
    expect(bad.map((i) => FEATURE_NAMES[i % FEATURE_NAMES.length])).toEqual([]);
    expect(column(batch.values, 1, 'tcp_syn_only')).toBe(1);
    expect(column(batch.values, 1, 'no_reply')).toBe(1);
    expect(column(batch.values, 2, 'is_icmp')).toBe(1);
    expect(column(batch.values, 2, 'dport_well_known')).toBe(0);
    for (const windows of batch.windows.values())
      for (const w of windows) expect(Object.values(w).every(Number.isFinite)).toBe(true);
    expect(extractor.extract([]).values).toHaveLength(0);
  });

  it('routes flows and reports each batch segment’s windows at the latest event time', () => {
    const extractor = new FeatureExtractor(segments, features);
    const batch = extractor.extract([
      flow({ end: 1_700_000_000_100 }),
      flow({ srcIp: '10.0.9.1', end: 1_700_000_000_900 }),
      flow({ end: 1_700_000_000_500 }),
    ]);
    expect(batch.flows.map((f) => f.segment)).toEqual(['10.0.0.0/24', '10.0.9.0/24', '10.0.0.0/24']);
    expect([...batch.windows.keys()]).toEqual(['10.0.0.0/24', '10.0.9.0/24']);
    const windows = batch.windows.get('10.0.0.0/24')!;
    expect(windows.map((w) => w.windowSeconds)).toEqual([1, 10, 60]);
    expect(windows[0]).toMatchObject({ endMs: 1_700_000_000_900, flows: 2 });
    expect(column(batch.values, 2, 'seg_flows')).toBe(2);
  });

  it('raises the source fan-out features during a port scan', () => {
    const extractor = new FeatureExtractor(segments, features);
    const t0 = 1_700_000_100_000;
    const normal = Array.from({ length: 100 }, (_, i) =>
      flow({ srcIp: '10.0.0.7', dstIp: `10.0.1.${i % 3}`, dstPort: 443, end: t0 + i * 20 }),
    );
    const horizontal = Array.from({ length: 100 }, (_, i) =>
      flow({
        srcIp: '10.0.0.66',
        dstIp: `10.0.1.${i}`,
        dstPort: 445,
        pktsRev: 0,
        bytesRev: 0,
        end: t0 + i * 20,
      }),
    );
    const vertical = Array.from({ length: 100 }, (_, i) =>
      flow({
        srcIp: '10.0.0.99',
        dstIp: '10.0.1.5',
        dstPort: 1 + i,
        pktsRev: 0,
        bytesRev: 0,
        end: t0 + i * 20,
      }),
    );
    const last = (rows: FlowRecord[], name: string): number =>
      column(extractor.extract(rows).values, rows.length - 1, name);
    const normalHosts = last(normal, 'src_fanout_dst_hosts');
    expect(normalHosts).toBeLessThan(4);
    expect(last(horizontal, 'src_fanout_dst_hosts')).toBeGreaterThan(80);
    expect(last(vertical, 'src_fanout_dst_ports')).toBeGreaterThan(80);
    expect(last(vertical, 'src_fanout_dst_hosts')).toBeLessThan(2);
  });

  it('shows periodic beaconing as low inter-arrival jitter', () => {
    const extractor = new FeatureExtractor(segments, features);
    const t0 = 1_700_000_200_000;
    let seed = 3;
    const uniform = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    let tRandom = t0;
    const flows: FlowRecord[] = [];
    for (let i = 0; i < 60; i++) {
      flows.push(flow({ srcIp: '10.0.0.20', dstIp: '198.51.100.66', end: t0 + i * 30_000 + uniform() * 50 }));
      tRandom += -Math.log(1 - uniform()) * 30_000;
      flows.push(flow({ srcIp: '10.0.0.21', dstIp: '203.0.113.80', end: tRandom }));
    }
    flows.sort((a, b) => a.end - b.end);
    const batch = extractor.extract(flows);
    const lastRow = (src: string): number => flows.map((f) => f.srcIp).lastIndexOf(src);
    const beacon = lastRow('10.0.0.20');
    const human = lastRow('10.0.0.21');
    expect(column(batch.values, beacon, 'pair_iat_mean_l0.01')).toBeCloseTo(30, 0);
    expect(column(batch.values, beacon, 'pair_iat_std_l0.01')).toBeLessThan(0.1);
    expect(column(batch.values, human, 'pair_iat_std_l0.01')).toBeGreaterThan(10);
  });

  it('keeps the host tables bounded under a spoofed SYN flood', () => {
    const extractor = new FeatureExtractor(segments, featuresSchema.parse({ maxTrackedKeys: 500 }));
    const t0 = 1_700_000_300_000;
    for (let b = 0; b < 50; b++) {
      const batch = Array.from({ length: 2000 }, (_, i) => {
        const n = b * 2000 + i;
        return flow({
          srcIp: `${11 + (n >>> 16)}.${(n >>> 8) & 255}.${n & 255}.9`,
          dstIp: '10.0.0.80',
          srcPort: 1024 + (n % 60000),
          dstPort: 80,
          tcpFlags: 0x02,
          pktsFwd: 1,
          bytesFwd: 60,
          pktsRev: 0,
          bytesRev: 0,
          end: t0 + n * 0.01,
        });
      });
      extractor.extract(batch);
    }
    expect(extractor.tracking).toMatchObject({ hosts: 500, pairs: 500, sockets: 500 });
    expect(extractor.router.segments).toEqual(['10.0.0.0/24']);
    const last = extractor.extract([
      flow({ dstIp: '10.0.0.80', tcpFlags: 0x02, pktsRev: 0, end: t0 + 1001 }),
    ]);
    expect(column(last.values, 0, 'seg_syn_only_ratio')).toBeGreaterThan(0.99);
    expect(column(last.values, 0, 'seg_distinct_src_hosts')).toBeGreaterThan(80_000);
  });

  it('continues identically after restoring host statistics and segment windows', () => {
    const make = () => new FeatureExtractor(segments, features);
    const rows = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => {
        const i = from + k;
        return flow({
          srcIp: `10.0.0.${i % 11}`,
          dstIp: `10.0.2.${i % 7}`,
          dstPort: 80 + (i % 4),
          end: 1e12 + i * 333,
        });
      });
    const a = make();
    a.extract(rows(0, 300));
    const b = make();
    b.restoreHostStatistics(structuredClone(a.snapshotHostStatistics()));
    for (const segment of a.windows.segments)
      b.windows.restoreSegment(segment, a.windows.snapshotSegment(segment)!);
    const next = a.extract(rows(300, 400)).values;
    const restored = b.extract(rows(300, 400)).values;
    const differing = [...next.keys()].filter(
      (i) => Math.abs(next[i] - restored[i]) > 1e-6 * Math.abs(next[i]),
    );
    expect(differing.map((i) => FEATURE_NAMES[i % FEATURE_NAMES.length])).toEqual([]);
    expect(() => make().restoreHostStatistics({ ...a.snapshotHostStatistics(), capacity: 5 })).toThrow(
      /config has/,
    );
  });
});

describe('FeatureExtractor weights early in a segment', () => {
  /** `host_w_l0.01` after one host of `net` sends a flow every 100 ms from `fromS` to `toS` seconds. */
  const feed = (extractor: FeatureExtractor, net: string, fromS: number, toS: number): number => {
    const flows: FlowRecord[] = [];
    for (let t = fromS * 1000; t <= toS * 1000; t += 100) {
      flows.push(flow({ srcIp: `${net}.7`, dstIp: `${net}.1`, start: 1e12 + t, end: 1e12 + t }));
    }
    const batch = extractor.extract(flows);
    return column(batch.values, flows.length - 1, 'host_w_l0.01');
  };
  /** 10 flows/s, settled: 10 / (λ ln 2). */
  const settled = 10 / (0.01 * Math.LN2);

  it('extrapolates from each segment’s own first flow; a checkpoint without it counts as long observed', () => {
    const extractor = new FeatureExtractor(segments, features);
    expect(feed(extractor, '10.0.0', 0, 5) / settled).toBeCloseTo(1, 1);
    // A segment first seen ten minutes later is extrapolated from its own start, not the extractor's.
    expect(feed(extractor, '10.0.9', 600, 605) / settled).toBeCloseTo(1, 1);

    const restored = new FeatureExtractor(segments, features);
    const { sinceMs: _dropped, ...older } = extractor.windows.snapshotSegment('10.0.9.0/24')!;
    restored.windows.restoreSegment('10.0.9.0/24', older);
    // 51 flows counted as they come: no extrapolation.
    expect(feed(restored, '10.0.9', 1200, 1205)).toBeLessThan(52);
  });
});

describe('FeatureExtractor host statistics per segment', () => {
  const rows = (net: string, from: number, to: number) =>
    Array.from({ length: to - from }, (_, k) => {
      const i = from + k;
      return flow({
        srcIp: `${net}.${i % 11}`,
        dstIp: `93.184.216.${i % 7}`,
        dstPort: 80 + (i % 4),
        end: 1e12 + i * 333,
      });
    });

  it('moves the hosts the router assigns to a segment; that segment’s rows continue identically', () => {
    const make = () => new FeatureExtractor(segments, features);
    const a = make();
    a.extract([...rows('10.0.0', 0, 300), ...rows('10.0.1', 0, 300)]);
    const b = make();
    b.extract(rows('10.0.2', 0, 100));
    const moved = structuredClone(a.snapshotHostSegments(['10.0.0.0/24']));
    expect([...moved.keys()]).toEqual(['10.0.0.0/24']);
    b.restoreHostSegments(moved);
    b.windows.restoreSegment('10.0.0.0/24', a.windows.snapshotSegment('10.0.0.0/24')!);
    const next = a.extract(rows('10.0.0', 300, 400)).values;
    const restored = b.extract(rows('10.0.0', 300, 400)).values;
    const differing = [...next.keys()].filter(
      (i) => Math.abs(next[i] - restored[i]) > 1e-6 * Math.abs(next[i]),
    );
    expect(differing.map((i) => FEATURE_NAMES[i % FEATURE_NAMES.length])).toEqual([]);

    // 11 sources, 11 × 7 pairs… of 10.0.0.0/24 leave A; 10.0.1.0/24's stay.
    const before = a.tracking;
    a.dropHostSegments((segment) => segment === '10.0.0.0/24');
    expect(a.tracking.hosts).toBe(before.hosts - 11);
    expect(a.snapshotHostSegments(['10.0.0.0/24']).size).toBe(0);
    expect(a.snapshotHostSegments(['10.0.1.0/24']).get('10.0.1.0/24')!.hosts.keys.length).toBe(11);
  });

  it('refuses host statistics taken with other λs and keeps its own', () => {
    const a = new FeatureExtractor(segments, features);
    a.extract(rows('10.0.0', 0, 50));
    const b = new FeatureExtractor(segments, featuresSchema.parse({ lambdas: [1, 0.1] }));
    b.extract(rows('10.0.1', 0, 50));
    expect(() => b.restoreHostSegments(a.snapshotHostSegments(['10.0.0.0/24']))).toThrow(/lambdas/);
    expect(b.tracking.hosts).toBe(11);
  });
});
