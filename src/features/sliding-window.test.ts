import { describe, expect, it } from 'vitest';
import { fmix32 } from './key-hash.js';
import { SlidingWindow, type WindowObservation } from './sliding-window.js';

function obs(tMs: number, over: Partial<WindowObservation> = {}): WindowObservation {
  return {
    tMs,
    bytes: 100,
    packets: 2,
    dstHostHash: fmix32(1),
    srcHostHash: fmix32(2),
    dstPort: 443,
    tcp: true,
    synOnly: false,
    failed: false,
    ...over,
  };
}

describe('SlidingWindow', () => {
  it('counts within the window and drops the counts once it has passed', () => {
    const w = new SlidingWindow(10);
    for (let i = 0; i < 50; i++) w.add(obs(1_000_000 + i * 100));
    expect(w.flows).toBe(50);
    expect(w.bytes).toBe(5000);
    expect(w.packets).toBe(100);
    const later = w.stats(1_000_000 + 5_000 + 7_000);
    expect(later.flows).toBeGreaterThan(0);
    expect(later.flows).toBeLessThan(50);
    const gone = w.stats(1_000_000 + 30_000);
    expect(gone).toMatchObject({ flows: 0, bytes: 0, packets: 0, dstPortEntropy: 0, synOnlyRatio: 0 });
    expect(gone.distinctDstHosts).toBe(0);
  });

  it('computes ratios and distinct counts', () => {
    const w = new SlidingWindow(60);
    for (let i = 0; i < 100; i++) {
      w.add(
        obs(5_000 + i, {
          dstHostHash: fmix32(i),
          srcHostHash: fmix32(1000 + (i % 10)),
          dstPort: i % 5,
          synOnly: i < 30,
          failed: i < 40,
        }),
      );
    }
    const s = w.stats(6_000);
    expect(s.synOnlyRatio).toBeCloseTo(0.3, 12);
    expect(s.failedRatio).toBeCloseTo(0.4, 12);
    expect(Math.abs(s.distinctDstHosts - 100)).toBeLessThan(4);
    expect(Math.round(s.distinctSrcHosts)).toBe(10);
    expect(Math.round(s.distinctDstPorts)).toBe(5);
  });

  it('computes destination-port Shannon entropy in bits', () => {
    const uniform = new SlidingWindow(10);
    for (let i = 0; i < 400; i++) uniform.add(obs(1000, { dstPort: [22, 80, 443, 8443][i % 4] }));
    expect(uniform.dstPortEntropy).toBeCloseTo(2, 9);
    const single = new SlidingWindow(10);
    for (let i = 0; i < 10; i++) single.add(obs(1000, { dstPort: 53 }));
    expect(single.dstPortEntropy).toBe(0);
    const skewed = new SlidingWindow(10);
    for (let i = 0; i < 4; i++) skewed.add(obs(1000, { dstPort: i === 0 ? 80 : 443 }));
    const p = [0.25, 0.75];
    expect(skewed.dstPortEntropy).toBeCloseTo(-p.reduce((h, q) => h + q * Math.log2(q), 0), 9);
  });

  it('entropy follows the window as old ports expire', () => {
    const w = new SlidingWindow(1);
    for (let port = 0; port < 8; port++) w.add(obs(10_000, { dstPort: 1000 + port }));
    expect(w.dstPortEntropy).toBeCloseTo(3, 9);
    w.add(obs(12_000, { dstPort: 80 }));
    expect(w.flows).toBe(1);
    expect(w.dstPortEntropy).toBe(0);
  });

  it('accepts slightly late events and drops (and counts) ones older than the ring', () => {
    const w = new SlidingWindow(10);
    w.add(obs(100_000));
    w.add(obs(97_000));
    expect(w.flows).toBe(2);
    w.add(obs(80_000));
    expect(w.flows).toBe(2);
    expect(w.droppedLate).toBe(1);
    expect(w.stats(99_000).endMs).toBe(99_000);
    expect(w.flows).toBe(2);
  });

  it('restores a snapshot with the same reads', () => {
    const w = new SlidingWindow(10);
    for (let i = 0; i < 300; i++) w.add(obs(50_000 + i * 20, { dstHostHash: fmix32(i), dstPort: i % 17 }));
    const copy = SlidingWindow.restore(structuredClone(w.snapshot()));
    const { dstPortEntropy, ...rest } = w.stats(56_000);
    const { dstPortEntropy: copiedEntropy, ...copiedRest } = copy.stats(56_000);
    expect(copiedRest).toEqual(rest);
    expect(copiedEntropy).toBeCloseTo(dstPortEntropy, 9);
  });

  it('slides its live sketches and entropy exactly as a full rebuild would', () => {
    const w = new SlidingWindow(10);
    let seed = 11;
    for (let i = 0; i < 20_000; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      w.add(
        obs(1_000_000 + i * 3, {
          dstHostHash: fmix32(seed % 3000),
          srcHostHash: fmix32(seed % 70),
          dstPort: seed % 900,
        }),
      );
    }
    // restore() rebuilds the live sketches and the entropy sum from the buckets alone.
    const rebuilt = SlidingWindow.restore(w.snapshot());
    expect(rebuilt.distinctDstHosts).toBe(w.distinctDstHosts);
    expect(rebuilt.distinctSrcHosts).toBe(w.distinctSrcHosts);
    expect(rebuilt.distinctDstPorts).toBe(w.distinctDstPorts);
    expect(rebuilt.dstPortEntropy).toBeCloseTo(w.dstPortEntropy, 9);
    expect(w.flows).toBeLessThan(20_000);
  });
});
