import { describe, expect, it } from 'vitest';
import { DampedStats } from './damped-stats.js';

/** Decayed sums computed directly from the definition: every term weighted by 2^(−λ·age). */
function naive(samples: [number, number, number?][], lambda: number) {
  const now = Math.max(...samples.map(([t]) => t));
  let w = 0;
  let ls0 = 0;
  let ss0 = 0;
  let ls1 = 0;
  let ss1 = 0;
  let sp = 0;
  for (const [t, x0, x1 = 0] of samples) {
    const d = 2 ** (-lambda * ((now - t) / 1000));
    w += d;
    ls0 += d * x0;
    ss0 += d * x0 * x0;
    ls1 += d * x1;
    ss1 += d * x1 * x1;
    sp += d * x0 * x1;
  }
  const m0 = ls0 / w;
  const m1 = ls1 / w;
  return { w, m0, m1, v0: ss0 / w - m0 * m0, v1: ss1 / w - m1 * m1, cov: sp / w - m0 * m1 };
}

const LAMBDAS = [5, 1, 0.1, 0.01];

describe('DampedStats', () => {
  const sequences: Record<string, [number, number][]> = {
    'steady sizes': [0, 250, 500, 750, 1000].map((t) => [t, 100]),
    'varying sizes, irregular times': [
      [0, 60],
      [13, 1500],
      [400, 40],
      [401, 9000],
      [2500, 576],
      [2600, 60],
      [10_000, 1200],
    ],
    'burst then silence': [
      ...Array.from({ length: 50 }, (_, i): [number, number] => [i, 64 + (i % 7) * 100]),
      [60_000, 1400],
    ],
  };

  for (const [name, samples] of Object.entries(sequences)) {
    it(`matches the direct decayed sums: ${name}`, () => {
      const stats = new DampedStats(LAMBDAS, 4, 1);
      for (const [t, x] of samples) stats.update(2, t, x);
      LAMBDAS.forEach((lambda, l) => {
        const ref = naive(samples, lambda);
        expect(stats.weight(2, l)).toBeCloseTo(ref.w, 9);
        expect(stats.mean(2, l)).toBeCloseTo(ref.m0, 6);
        expect(stats.std(2, l)).toBeCloseTo(Math.sqrt(Math.max(0, ref.v0)), 4);
      });
    });
  }

  it('halves the weight after one half-life (λ = 1/s, 1 s)', () => {
    const stats = new DampedStats([1], 1, 0);
    stats.update(0, 1_000);
    stats.update(0, 2_000);
    expect(stats.weight(0, 0)).toBeCloseTo(1.5, 12);
    stats.update(0, 12_000);
    expect(stats.weight(0, 0)).toBeCloseTo(1 + 1.5 * 2 ** -10, 12);
  });

  it('forgets faster at larger λ', () => {
    const stats = new DampedStats([5, 0.01], 1, 1);
    for (let t = 0; t < 10_000; t += 100) stats.update(0, t, 10);
    stats.update(0, 20_000, 10);
    expect(stats.weight(0, 0)).toBeCloseTo(1, 6);
    expect(stats.weight(0, 1)).toBeGreaterThan(90);
  });

  it('does not decay backwards for an out-of-order observation', () => {
    const stats = new DampedStats([1], 1, 1);
    stats.update(0, 5_000, 10);
    stats.update(0, 4_000, 20);
    expect(stats.lastMs(0)).toBe(5_000);
    expect(stats.weight(0, 0)).toBe(2);
    expect(stats.mean(0, 0)).toBe(15);
  });

  it('gives correlation 1 for perfectly correlated streams and −1 for opposite ones', () => {
    const stats = new DampedStats([5, 0.1], 2, 2);
    for (let i = 0; i < 200; i++) {
      const x = 100 + ((i * 37) % 101) * 13;
      stats.update(0, i * 50, x, 3 * x + 7);
      stats.update(1, i * 50, x, 5000 - 2 * x);
    }
    for (const l of [0, 1]) {
      expect(stats.correlation(0, l)).toBeCloseTo(1, 6);
      expect(stats.correlation(1, l)).toBeCloseTo(-1, 6);
    }
  });

  it('matches the direct 2-D sums: magnitude, radius, covariance', () => {
    const samples: [number, number, number][] = [
      [0, 60, 0],
      [100, 500, 3000],
      [300, 80, 1200],
      [2000, 1500, 40],
    ];
    const stats = new DampedStats([1, 0.1], 1, 2);
    for (const [t, a, b] of samples) stats.update(0, t, a, b);
    [1, 0.1].forEach((lambda, l) => {
      const ref = naive(samples, lambda);
      expect(stats.magnitude(0, l)).toBeCloseTo(Math.hypot(ref.m0, ref.m1), 6);
      expect(stats.radius(0, l)).toBeCloseTo(Math.sqrt(ref.v0 + ref.v1), 4);
      expect(stats.covariance(0, l)).toBeCloseTo(ref.cov, 3);
      expect(stats.correlation(0, l)).toBeCloseTo(ref.cov / Math.sqrt(ref.v0 * ref.v1), 6);
    });
  });

  it('reports zero std and correlation for a constant stream', () => {
    const stats = new DampedStats([0.01], 1, 2);
    for (let i = 0; i < 100; i++) stats.update(0, i * 1000, 1234.5, i);
    expect(stats.std(0, 0, 0)).toBe(0);
    expect(stats.correlation(0, 0)).toBe(0);
  });

  it('reset empties one slot and leaves the others', () => {
    const stats = new DampedStats([1], 2, 1);
    stats.update(0, 0, 5);
    stats.update(1, 0, 7);
    stats.reset(0);
    expect(stats.weight(0, 0)).toBe(0);
    expect(stats.mean(0, 0)).toBe(0);
    expect(stats.mean(1, 0)).toBe(7);
  });

  it('restores snapshot rows into slots 0..n−1', () => {
    const stats = new DampedStats([3, 0.1], 8, 2);
    stats.update(5, 1000, 10, 20);
    stats.update(2, 1500, 1, 2);
    const restored = DampedStats.restore(structuredClone(stats.snapshot([5, 2])), 8);
    expect(restored.mean(0, 1, 1)).toBe(stats.mean(5, 1, 1));
    expect(restored.lastMs(1)).toBe(1500);
    restored.update(0, 3000, 10, 20);
    stats.update(5, 3000, 10, 20);
    expect(restored.weight(0, 0)).toBe(stats.weight(5, 0));
  });

  it('writes the same values in its one-pass row writers as its accessors return', () => {
    const stats = new DampedStats([5, 0.1], 2, 2);
    for (let i = 0; i < 30; i++) stats.update(1, i * 70, 100 + ((i * 31) % 17), 900 - ((i * 7) % 13) * i);
    const row = new Float32Array(12);
    stats.writeRelation(1, row, 0);
    stats.writeWeights(1, row, 10);
    const expected = [0, 1].flatMap((l) => [
      stats.weight(1, l),
      stats.magnitude(1, l),
      stats.radius(1, l),
      stats.covariance(1, l),
      stats.correlation(1, l),
    ]);
    expect([...row.subarray(0, 10)]).toEqual(expected.map(Math.fround));
    expect([...row.subarray(10)]).toEqual([stats.weight(1, 0), stats.weight(1, 1)].map(Math.fround));
    const moments = new Float32Array(6);
    stats.writeMoments(1, moments, 0, true);
    expect([...moments]).toEqual(
      [0, 1].flatMap((l) => [stats.weight(1, l), stats.mean(1, l), stats.std(1, l)]).map(Math.fround),
    );
  });

  it('keeps inter-arrival (jitter) statistics from the second update on', () => {
    const stats = new DampedStats([1e-9], 1, 0, true);
    stats.update(0, 10_000);
    expect(stats.interArrivalMean(0, 0)).toBe(0);
    stats.update(0, 11_000);
    stats.update(0, 13_000);
    expect(stats.interArrivalMean(0, 0)).toBeCloseTo(1.5, 6);
    expect(stats.interArrivalStd(0, 0)).toBeCloseTo(0.5, 6);
    const periodic = new DampedStats([0.01], 1, 1, true);
    for (let i = 0; i < 50; i++) periodic.update(0, i * 60_000, 300);
    expect(periodic.interArrivalStd(0, 0)).toBe(0);
    const row = new Float32Array(2);
    periodic.writeInterArrival(0, row, 0);
    expect([...row]).toEqual([60, 0]);
  });

  it('gives the observed share of each decay’s memory, 1 − 2^(−λ·t)', () => {
    const stats = new DampedStats([1, 0.01], 1, 0);
    const shares = new Float64Array(2);
    stats.observedShares(1000, shares);
    expect(shares[0]).toBeCloseTo(0.5, 12);
    expect(shares[1]).toBeCloseTo(1 - 2 ** -0.01, 12);
    stats.observedShares(100_000, shares);
    expect(shares[1]).toBeCloseTo(0.5, 12);
  });

  it('extrapolates every written weight but the newest flow’s 1 over the observed share', () => {
    const lambdas = [1, 0.01];
    const shares = Float64Array.from([0.5, 0.25]);
    const stats = new DampedStats(lambdas, 2, 2, true);
    for (let t = 0; t < 4; t++) stats.update(0, t, 100, 200);
    stats.update(1, 10, 100, 200);
    const weights = [0, 1].map((l) => stats.weight(0, l));
    expect(weights[0]).toBeCloseTo(4, 2);
    const extrapolated = weights.map((w, l) => 1 + (w - 1) / shares[l]);
    const relation = new Float32Array(10);
    stats.writeRelation(0, relation, 0, shares);
    expect([relation[0], relation[5]]).toEqual(extrapolated.map(Math.fround));
    const moments = new Float32Array(6);
    stats.writeMoments(0, moments, 0, true, shares);
    expect([moments[0], moments[3]]).toEqual(extrapolated.map(Math.fround));
    const plain = new Float32Array(2);
    stats.writeWeights(0, plain, 0);
    expect([...plain]).toEqual(weights.map(Math.fround));
    // A key seen once keeps its weight of 1, however little of the memory was observed.
    const once = new Float32Array(2);
    stats.writeWeights(1, once, 0, shares);
    expect([...once]).toEqual([1, 1]);
  });
});
