import { describe, expect, it } from 'vitest';
import { HyperLogLog } from './hyperloglog.js';
import { fmix32, hashText } from './key-hash.js';

describe('HyperLogLog', () => {
  it('estimates 10,000 distinct addresses within 5% (p = 11, σ ≈ 2.3%)', () => {
    const hll = new HyperLogLog(11);
    for (let i = 0; i < 10_000; i++) hll.add(hashText(`192.0.${i >>> 8}.${i & 255}`) >>> 0);
    expect(Math.abs(hll.estimate() / 10_000 - 1)).toBeLessThan(0.05);
  });

  it('is close to exact for small counts and ignores repeats', () => {
    const hll = new HyperLogLog(11);
    expect(hll.estimate()).toBe(0);
    for (let r = 0; r < 5; r++) for (let i = 0; i < 20; i++) hll.add(fmix32(i));
    // Two of the 20 may share a register (birthday odds ≈ 9% at m = 2048): allow one.
    expect(Math.abs(hll.estimate() - 20)).toBeLessThan(1.5);
  });

  it('merges into the union and survives a register round trip', () => {
    const a = new HyperLogLog(10);
    const b = new HyperLogLog(10);
    for (let i = 0; i < 3000; i++) a.add(fmix32(i));
    for (let i = 2000; i < 5000; i++) b.add(fmix32(i));
    a.merge(b);
    expect(Math.abs(a.estimate() / 5000 - 1)).toBeLessThan(0.08);
    const c = new HyperLogLog(10);
    c.loadRegisters(a.registers());
    expect(c.estimate()).toBe(a.estimate());
    c.clear();
    expect(c.empty).toBe(true);
  });
});
