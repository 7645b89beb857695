import { describe, expect, it } from 'vitest';
import { combineKeys, hashText } from './key-hash.js';
import { KeyTable } from './key-table.js';

describe('KeyTable', () => {
  it('hands out slots, reports fresh ones and finds keys again', () => {
    const table = new KeyTable(3);
    expect(table.acquire(10)).toBe(0);
    expect(table.fresh).toBe(true);
    expect(table.acquire(20)).toBe(1);
    expect(table.acquire(10)).toBe(0);
    expect(table.fresh).toBe(false);
    expect(table.peek(20)).toBe(1);
    expect(table.peek(99)).toBe(-1);
  });

  it('evicts the least recently used key when full', () => {
    const table = new KeyTable(3);
    table.acquire(1);
    table.acquire(2);
    table.acquire(3);
    table.acquire(1);
    const slot = table.acquire(4);
    expect(table.fresh).toBe(true);
    expect(slot).toBe(1);
    expect(table.peek(2)).toBe(-1);
    expect(table.peek(1)).toBe(0);
    expect(table.evictions).toBe(1);
  });

  it('stays within its bound under 1M distinct spoofed source keys', () => {
    const table = new KeyTable(1000);
    for (let i = 0; i < 1_000_000; i++) {
      const ip = `${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}.${(i * 7) & 255}`;
      table.acquire(hashText(ip));
    }
    expect(table.size).toBe(1000);
    expect(table.evictions).toBe(999_000);
    expect(table.snapshot().keys).toHaveLength(1000);
  });

  it('agrees with a reference LRU over random churn (deletion keeps probe runs intact)', () => {
    // Below 8 slots every reuse relinks, so the order is exact LRU.
    const table = new KeyTable(7);
    const reference = new Map<number, number>();
    let seed = 7;
    for (let i = 0; i < 50_000; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      // Few distinct keys, many collisions on purpose: aligned keys share low bits.
      const key = (seed % 12) * 1024;
      const slot = table.acquire(key);
      const known = reference.get(key);
      if (known !== undefined) {
        expect(table.fresh).toBe(false);
        expect(slot).toBe(known);
        reference.delete(key);
      } else {
        expect(table.fresh).toBe(true);
        if (reference.size === 7) {
          const oldest = reference.keys().next().value as number;
          expect(slot).toBe(reference.get(oldest));
          reference.delete(oldest);
        }
      }
      reference.set(key, slot);
    }
    for (const [key, slot] of reference) expect(table.peek(key)).toBe(slot);
  });

  it('never evicts a key reused more often than every capacity/2 acquisitions', () => {
    const table = new KeyTable(1000);
    const hot = [1e15, 2e15, 3e15];
    for (const k of hot) table.acquire(k);
    for (let i = 0; i < 200_000; i++) {
      table.acquire(i + 1);
      if (i % 400 === 0) for (const k of hot) table.acquire(k);
    }
    for (const k of hot) {
      table.acquire(k);
      expect(table.fresh).toBe(false);
    }
  });

  it('restores keys in recency order, key i in slot i', () => {
    const table = new KeyTable(4);
    for (const k of [5, 6, 7, 5]) table.acquire(k);
    const restored = KeyTable.restore(structuredClone(table.snapshot()));
    expect(table.snapshot().keys).toEqual([6, 7, 5]);
    expect([6, 7, 5].map((k) => restored.peek(k))).toEqual([0, 1, 2]);
    restored.acquire(8);
    restored.acquire(9);
    expect(restored.peek(6)).toBe(-1);
    expect(restored.peek(5)).toBe(2);
  });
});

describe('combineKeys', () => {
  it('is order-sensitive and spreads nearby inputs', () => {
    const a = hashText('10.0.0.1');
    const b = hashText('10.0.0.2');
    expect(combineKeys(a, b)).not.toBe(combineKeys(b, a));
    const seen = new Set<number>();
    for (let i = 0; i < 100_000; i++) seen.add(combineKeys(a, i));
    expect(seen.size).toBe(100_000);
    expect(combineKeys(a, b)).toBeLessThan(2 ** 52);
  });
});
