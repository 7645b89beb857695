import { describe, expect, it } from 'vitest';
import { fmix32, hashText } from './key-hash.js';
import { WindowSketches } from './window-sketches.js';

/** Distinct count of `hashes` the way a sketch holding exactly them estimates it (one bucket, one count). */
function estimateOf(hashes: Iterable<number>, precision: number): number {
  const only = new WindowSketches(1, 1, precision);
  for (const h of hashes) only.add(0, 0, h);
  return only.estimate(0);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => fmix32(from + i));
}

describe('WindowSketches', () => {
  it('estimates 10,000 distinct addresses within 5% (p = 11, σ ≈ 2.3%)', () => {
    const sketches = new WindowSketches(10, 3, 11);
    for (let i = 0; i < 10_000; i++) sketches.add(i % 10, 1, hashText(`192.0.${i >>> 8}.${i & 255}`) >>> 0);
    expect(Math.abs(sketches.estimate(1) / 10_000 - 1)).toBeLessThan(0.05);
    expect(sketches.estimate(0)).toBe(0);
    expect(sketches.estimate(2)).toBe(0);
  });

  it('is close to exact for small counts and ignores repeats across buckets', () => {
    const sketches = new WindowSketches(10, 1, 11);
    for (let r = 0; r < 5; r++) for (let i = 0; i < 20; i++) sketches.add(r, 0, fmix32(i));
    // Two of the 20 may share a register (birthday odds ≈ 9% at m = 2048): allow one.
    expect(Math.abs(sketches.estimate(0) - 20)).toBeLessThan(1.5);
  });

  it('expires a bucket to exactly the union of the others, whether it set few or many registers', () => {
    // 40 inserts stay within a bucket's set-register list (m/8 = 256); 5,000 overflow it.
    for (const count of [40, 5000]) {
      const sketches = new WindowSketches(3, 2, 11);
      const expired = range(0, count);
      const kept = range(1_000_000 + count / 2, 1_000_000 + count * 2);
      for (const h of expired) sketches.add(0, 1, h);
      for (const h of kept) sketches.add(2, 1, h);
      for (const h of range(500, 600)) sketches.add(0, 0, h);
      expect(sketches.estimate(1)).toBe(estimateOf([...expired, ...kept], 11));
      sketches.expire(0);
      expect(sketches.estimate(1)).toBe(estimateOf(kept, 11));
      expect(sketches.estimate(0)).toBe(0);
      // The expired bucket is empty again: refilling it counts only the new hashes.
      sketches.expire(2);
      expect(sketches.estimate(1)).toBe(0);
      sketches.add(0, 1, fmix32(7));
      expect(sketches.estimate(1)).toBe(estimateOf([fmix32(7)], 11));
    }
  });

  it('keeps a register another bucket also holds at the same maximum', () => {
    const sketches = new WindowSketches(2, 1, 8);
    const shared = range(0, 300);
    for (const h of shared) {
      sketches.add(0, 0, h);
      sketches.add(1, 0, h);
    }
    const before = sketches.estimate(0);
    sketches.expire(0);
    expect(sketches.estimate(0)).toBe(before);
  });

  it('rebuilds the live unions from a register copy and clears completely', () => {
    const sketches = new WindowSketches(4, 3, 10);
    for (let i = 0; i < 3000; i++) sketches.add(i % 4, i % 3, fmix32(i));
    const copy = new WindowSketches(4, 3, 10);
    copy.loadRegisters(sketches.registers());
    for (let k = 0; k < 3; k++) expect(copy.estimate(k)).toBe(sketches.estimate(k));
    sketches.expire(1);
    copy.expire(1);
    for (let k = 0; k < 3; k++) expect(copy.estimate(k)).toBe(sketches.estimate(k));
    copy.clear();
    expect(copy.registers().every((r) => r === 0)).toBe(true);
    for (let k = 0; k < 3; k++) expect(copy.estimate(k)).toBe(0);
    expect(() => copy.loadRegisters(new Uint8Array(5))).toThrow(RangeError);
  });
});
