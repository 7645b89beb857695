import { describe, expect, it } from 'vitest';
import { FanoutTracker } from './fanout-tracker.js';
import { hashText } from './key-hash.js';

const host = (i: number): number => hashText(`10.9.${i >>> 8}.${i & 255}`) >>> 0;

describe('FanoutTracker', () => {
  it('counts distinct destination hosts and ports closely for small sets', () => {
    const fanout = new FanoutTracker(2, 10);
    for (let r = 0; r < 3; r++) for (let i = 0; i < 12; i++) fanout.update(1, 1000 + r, host(i), 443);
    expect(fanout.distinctHosts).toBeGreaterThan(10);
    expect(fanout.distinctHosts).toBeLessThan(14);
    expect(fanout.distinctPorts).toBeCloseTo(1, 1);
  });

  it('rises with a horizontal scan and falls a window after it stops', () => {
    const fanout = new FanoutTracker(1, 10);
    for (let i = 0; i < 200; i++) fanout.update(0, 100_000 + i * 10, host(i), 22);
    expect(fanout.distinctHosts).toBeGreaterThan(150);
    fanout.update(0, 120_000, host(0), 22);
    expect(fanout.distinctHosts).toBeCloseTo(1, 1);
  });

  it('keeps slots apart and restores rows', () => {
    const fanout = new FanoutTracker(3, 10);
    for (let p = 0; p < 50; p++) fanout.update(2, 5000, host(1), 1000 + p);
    fanout.update(0, 5000, host(1), 80);
    expect(fanout.distinctPorts).toBeCloseTo(1, 1);
    const copy = FanoutTracker.restore(structuredClone(fanout.snapshot([2])), 3);
    copy.update(0, 5001, host(1), 1000);
    expect(copy.distinctPorts).toBeGreaterThan(40);
  });
});
