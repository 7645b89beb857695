import { describe, expect, it } from 'vitest';
import { ModelError } from '../core/errors.js';
import { gaussian, seededRandom } from './seeded-random.js';
import { EmpiricalThreshold } from './threshold.js';

/** Sums of squared normals, the shape of benign reconstruction errors (chi-square with `k` degrees). */
function chiSquare(n: number, k: number, seed: number): Float64Array {
  const normal = gaussian(seededRandom(seed));
  return Float64Array.from({ length: n }, () => {
    let sum = 0;
    for (let j = 0; j < k; j++) sum += normal() ** 2;
    return sum;
  });
}

function exceedanceRate(threshold: EmpiricalThreshold, scores: Float64Array): number {
  let above = 0;
  for (const s of scores) if (s >= threshold.threshold) above++;
  return above / scores.length;
}

describe('EmpiricalThreshold', () => {
  it.each([
    [0.05, 0.6, 1.4],
    [0.01, 0.6, 1.5],
    [0.001, 0.4, 2.5],
  ])('realizes a false-alert rate near q = %s on held-out benign scores', (q, low, high) => {
    const threshold = new EmpiricalThreshold(q);
    threshold.fit(chiSquare(2000, 8, 1));
    const rate = exceedanceRate(threshold, chiSquare(200_000, 8, 2));
    expect(rate).toBeGreaterThan(q * low);
    expect(rate).toBeLessThan(q * high);
    expect(threshold.pValue(threshold.threshold)).toBeCloseTo(q, 9);
  });

  it('gives conformal p-values in the body and keeps ordering beyond the largest warm-up score', () => {
    const scores = Float64Array.from({ length: 99 }, (_, i) => i + 1);
    const threshold = new EmpiricalThreshold(0.01);
    threshold.fit(scores);
    expect(threshold.pValue(0)).toBe(1);
    // 50 of 99 calibration scores lie at or above 50: (49 + 1) / 100.
    expect(threshold.pValue(50)).toBeCloseTo(0.5, 9);
    // Past the sample the exponential tail takes over: p keeps falling below 1/(n + 1) instead of flattening.
    const far = [100, 120, 200, 400].map((s) => threshold.pValue(s));
    expect(far[1]).toBeLessThan(1 / 100);
    for (let i = 1; i < far.length; i++) expect(far[i]).toBeLessThan(far[i - 1]!);
    expect(far.at(-1)).toBeGreaterThan(0);
    let previous = 1;
    for (let s = 0; s <= 150; s += 0.25) {
      const p = threshold.pValue(s);
      expect(p).toBeLessThanOrEqual(previous);
      previous = p;
    }
  });

  it('keeps its state bounded and round-trips it', () => {
    const threshold = new EmpiricalThreshold(0.01, 64);
    threshold.fit(chiSquare(10_000, 4, 3));
    const snapshot = threshold.snapshot();
    expect(snapshot.scores.length).toBeLessThanOrEqual(64);
    const restored = new EmpiricalThreshold(0.01);
    restored.restore(JSON.parse(JSON.stringify(snapshot)));
    expect(restored.threshold).toBe(threshold.threshold);
    for (const s of [0.5, 3, 7, 12, 30]) expect(restored.pValue(s)).toBe(threshold.pValue(s));
  });

  it('counts observed exceedances and ignores NaN scores', () => {
    const threshold = new EmpiricalThreshold(0.1);
    threshold.fit(chiSquare(500, 4, 4));
    threshold.observe(threshold.threshold + 1);
    threshold.observe(0);
    expect(threshold.realizedRate).toBe(0.5);
    expect(threshold.pValue(Number.NaN)).toBe(1);
    expect(threshold.pValue(Number.POSITIVE_INFINITY)).toBe(0);
  });

  it('refuses to calibrate on too few scores', () => {
    expect(() => new EmpiricalThreshold(0.01).fit([1, 2, 3])).toThrow(ModelError);
  });
});
