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
