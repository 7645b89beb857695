import { describe, expect, it } from 'vitest';
import { Prng } from './prng.js';

describe('Prng', () => {
  it('repeats its stream for a seed and differs across seeds', () => {
    const a = new Prng(7);
    const b = new Prng(7);
    const c = new Prng(8);
    const sa = Array.from({ length: 100 }, () => a.nextUint32());
    expect(Array.from({ length: 100 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 100 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('pins the first outputs of seed 7 so a change of algorithm is noticed', () => {
    // Every committed sample depends on these: changing them means regenerating samples/.
    const r = new Prng(7);
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([1004282400, 2200021487, 1928073449]);
  });

  it('keeps draws inside their ranges with plausible moments', () => {
    const r = new Prng(1);
    let sum = 0;
    let sumSq = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      const k = r.int(3, 5);
      expect(k === 3 || k === 4 || k === 5).toBe(true);
      const z = r.normal();
      sum += z;
      sumSq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.05);
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.05);
    let exp = 0;
    for (let i = 0; i < n; i++) exp += r.exponential(2);
    expect(exp / n).toBeGreaterThan(1.9);
    expect(exp / n).toBeLessThan(2.1);
  });

  it('forks independent, reproducible children', () => {
    const x = new Prng(3).fork(11);
    const y = new Prng(3).fork(11);
    const z = new Prng(3).fork(12);
    expect(x.nextUint32()).toBe(y.nextUint32());
    expect(new Prng(3).fork(11).nextUint32()).not.toBe(z.nextUint32());
  });

  it('draws weighted indices in proportion', () => {
    const r = new Prng(5);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[r.weighted([1, 2, 7])] += 1;
    expect(counts[2] / 30_000).toBeCloseTo(0.7, 1);
    expect(counts[0] / 30_000).toBeCloseTo(0.1, 1);
  });
});
