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

  it('retracts and clears the same whether few or many registers were set', () => {
    // 40 inserts stay within the set-register list (m/8 = 256); 5,000 overflow it.
    for (const count of [40, 5000]) {
      const expired = new HyperLogLog(11);
      const kept = new HyperLogLog(11);
      const live = new HyperLogLog(11);
      for (let i = 0; i < count; i++) {
        expired.add(fmix32(i));
        live.add(fmix32(i));
      }
      for (let i = count / 2; i < count * 2; i++) {
        kept.add(fmix32(i + 1_000_000));
        live.add(fmix32(i + 1_000_000));
      }
      live.retract(expired, [kept]);
      expect(live.registers()).toEqual(kept.registers());
      expect(live.estimate()).toBe(kept.estimate());
      expired.clear();
      expect(expired.empty).toBe(true);
      expect(expired.registers().every((r) => r === 0)).toBe(true);
      expect(expired.estimate()).toBe(0);
    }
  });
});
