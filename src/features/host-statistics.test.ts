import { describe, expect, it } from 'vitest';
import { HostStatistics } from './host-statistics.js';
import { hashText } from './key-hash.js';

const LAMBDAS = [5, 1, 0.01];
const WIDTH = LAMBDAS.length * 11 + 2;

describe('HostStatistics', () => {
  it('never holds more than its capacity under 1M distinct spoofed sources', () => {
    const stats = new HostStatistics(LAMBDAS, 1000, 10);
    const victim = hashText('10.0.0.80');
    const row = new Float32Array(WIDTH);
    for (let i = 0; i < 1_000_000; i++) {
      const src = hashText(`${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}.${(i * 13) & 255}`);
      stats.update(i * 0.01, src, victim, 1024 + (i % 60000), 80, 6, 60, 0);
    }
    stats.write(row, 0);
    expect(stats.trackedKeys).toEqual({ hosts: 1000, pairs: 1000, sockets: 1000 });
    const state = stats.snapshot();
    // Memory is the arrays sized at construction: the snapshot's rows show they did not grow.
    expect(state.hosts.bytes.rows.length).toBe(1000 * (1 + LAMBDAS.length * 3));
    expect(state.pairs.bytes.rows.length).toBe(1000 * (1 + LAMBDAS.length * 9));
    expect(state.hosts.fanout.bits.length).toBe(1000 * 32);
    expect(row.every(Number.isFinite)).toBe(true);
  });

  it('writes the same rows after a snapshot/restore round trip', () => {
    const a = new HostStatistics(LAMBDAS, 64, 10);
    const hosts = Array.from({ length: 20 }, (_, i) => hashText(`10.0.0.${i}`));
    const feed = (s: HostStatistics, from: number, to: number, out: Float32Array[]) => {
      for (let i = from; i < to; i++) {
        s.update(
          1000 + i * 37,
          hosts[i % 20],
          hosts[(i * 7) % 20],
          40000 + (i % 5),
          443,
          6,
          100 + i,
          2000 - i,
        );
        const row = new Float32Array(WIDTH);
        s.write(row, 0);
        out.push(row);
      }
    };
    feed(a, 0, 500, []);
    const b = HostStatistics.restore(structuredClone(a.snapshot()));
    const rowsA: Float32Array[] = [];
    const rowsB: Float32Array[] = [];
    feed(a, 500, 900, rowsA);
    feed(b, 500, 900, rowsB);
    expect(rowsB).toEqual(rowsA);
    expect(b.trackedKeys).toEqual(a.trackedKeys);
  });
});

describe('HostStatistics weights early in an observation', () => {
  /** host_w per λ after `seconds` of one host's flow every 100 ms, observed from the first. */
  const hostWeights = (seconds: number, observed: boolean): number[] => {
    const stats = new HostStatistics(LAMBDAS, 8, 10);
    const src = hashText('10.0.0.7');
    const dst = hashText('10.0.0.1');
    const row = new Float32Array(WIDTH);
    for (let t = 0; t <= seconds * 1000; t += 100) {
      stats.update(1000 + t, src, dst, 40000 + ((t / 100) % 20000), 443, 6, 500, 900);
      stats.write(row, 0, observed ? t : undefined);
    }
    return LAMBDAS.map((_l, i) => row[3 * i]);
  };

  it('weighs a steady host in its segment’s first seconds about as it will once settled', () => {
    const settled = hostWeights(3000, true);
    // 10 flows/s: 10 / (λ ln 2) once settled, e.g. about 1,443 for λ = 0.01.
    expect(settled[2]).toBeCloseTo(10 / (0.01 * Math.LN2), -1);
    const early = hostWeights(5, true);
    LAMBDAS.forEach((_l, i) => {
      expect(early[i] / settled[i]).toBeGreaterThan(0.9);
      expect(early[i] / settled[i]).toBeLessThan(1.1);
    });
    // Counted from the start alone, the slowest weight is a thirtieth of what it will be.
    expect(hostWeights(5, false)[2] / settled[2]).toBeLessThan(0.04);
  });

  it('writes the plain weights once the slowest decay’s memory is observed', () => {
    expect(hostWeights(2500, true)).toEqual(hostWeights(2500, false));
  });
});

describe('HostStatistics per segment', () => {
  const lan = Array.from({ length: 20 }, (_, i) => hashText(`10.0.0.${i}`));
  const dmz = Array.from({ length: 20 }, (_, i) => hashText(`10.2.0.${i}`));
  /** Flows among `hosts` of `segment`, writing each flow's row to `out`. */
  const feed = (
    s: HostStatistics,
    segment: string,
    hosts: number[],
    from: number,
    to: number,
    out: Float32Array[] = [],
  ) => {
    const id = s.segmentId(segment);
    for (let i = from; i < to; i++) {
      s.update(
        1000 + i * 37,
        hosts[i % 20],
        hosts[(i * 7) % 20],
        40000 + (i % 5),
        443,
        6,
        100 + i,
        2000 - i,
        id,
      );
      const row = new Float32Array(WIDTH);
      s.write(row, 0);
      out.push(row);
    }
    return out;
  };

  it('moves one segment’s keys: its flows continue identically on the new instance', () => {
    const a = new HostStatistics(LAMBDAS, 256, 10);
    feed(a, 'lan', lan, 0, 300);
    feed(a, 'dmz', dmz, 0, 300);
    const states = a.snapshotSegments(['lan']);
    expect([...states.keys()]).toEqual(['lan']);
    const moved = structuredClone(states.get('lan')!);
    // Only lan's hosts: 20 sources, no dmz address among them.
    expect(moved.hosts.keys.length).toBe(20);
    expect([...moved.hosts.keys].every((k) => lan.includes(k))).toBe(true);

    // The new owner already tracks a segment of its own; the moved keys join it.
    const b = new HostStatistics(LAMBDAS, 256, 10);
    feed(
      b,
      'wifi',
      Array.from({ length: 20 }, (_, i) => hashText(`10.9.0.${i}`)),
      0,
      50,
    );
    const c = b.withSegments(new Map([['lan', moved]]));
    expect(c.trackedKeys.hosts).toBe(b.trackedKeys.hosts + 20);
    expect(feed(c, 'lan', lan, 300, 500)).toEqual(feed(a, 'lan', lan, 300, 500));

    // A cold start writes different rows: the state is what makes them equal.
    const cold = new HostStatistics(LAMBDAS, 256, 10);
    expect(feed(cold, 'lan', lan, 500, 520)).not.toEqual(
      feed(a.withSegments(new Map()), 'lan', lan, 500, 520),
    );

    // The old owner forgets them and keeps the rest.
    const left = a.withoutSegments((segment) => segment === 'lan');
    expect(left.snapshotSegments(['lan']).size).toBe(0);
    expect(left.trackedKeys.hosts).toBe(20);
    expect(left.snapshotSegments(['dmz']).get('dmz')!.hosts.keys.length).toBe(20);
    expect(a.withoutSegments((segment) => segment === 'none')).toBe(a);
  });

  it('keeps a segment’s checkpoint bounded: the most recent keys, none long idle', () => {
    const s = new HostStatistics(LAMBDAS, 2000, 10);
    const id = s.segmentId('lan');
    const idle = hashText('10.0.0.250');
    s.update(0, idle, lan[0], 1, 2, 6, 10, 10, id);
    // λ_min = 0.01/s: idle after 10 / 0.01 = 1,000 s.
    const hosts = Array.from({ length: 300 }, (_, i) => hashText(`10.0.1.${i}`));
    for (const [i, h] of hosts.entries()) s.update(1_500_000 + i, h, lan[0], 1, 2, 6, 10, 10, id);
    const state = s.snapshotSegments(['lan'], { hosts: 50, pairs: 40, sockets: 30 }).get('lan')!;
    expect([...state.hosts.keys]).toEqual(hosts.slice(-50));
    expect(state.pairs.keys.length).toBe(40);
    expect(state.sockets.keys.length).toBe(30);
    expect(state.hosts.bytes.rows.length).toBe(50 * (1 + LAMBDAS.length * 3));
    // Within the limits, only the idle key is left out.
    const all = s.snapshotSegments(['lan'], { hosts: 1000, pairs: 1000, sockets: 1000 }).get('lan')!;
    expect(all.hosts.keys.length).toBe(300);
    expect([...all.hosts.keys]).not.toContain(idle);
  });

  it('evicts the least recently used keys when moved keys overflow a table, and refuses other λs', () => {
    const a = new HostStatistics(LAMBDAS, 64, 10);
    feed(a, 'lan', lan, 0, 100);
    const moved = a.snapshotSegments(['lan']).get('lan')!;
    const b = new HostStatistics(LAMBDAS, 30, 10);
    feed(b, 'dmz', dmz, 0, 100);
    const c = b.withSegments(new Map([['lan', moved]]));
    expect(c.trackedKeys.hosts).toBe(30);
    expect(c.snapshotSegments(['lan']).get('lan')!.hosts.keys.length).toBe(20);
    expect(c.snapshotSegments(['dmz']).get('dmz')!.hosts.keys.length).toBe(10);
    expect(c.evictions).toBeGreaterThan(b.evictions);

    const other = new HostStatistics([1, 0.1], 64, 10);
    expect(() => other.withSegments(new Map([['lan', moved]]))).toThrow(/segment lan: .*lambdas/);
    expect(() =>
      b.withSegments(new Map([['lan', { ...moved, pairs: { ...moved.pairs, keys: new Float64Array(3) } }]])),
    ).toThrow(/pairs rows hold/);
  });
});
