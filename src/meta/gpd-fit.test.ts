import { describe, expect, it } from 'vitest';
import { fitGpd, gpdExcessQuantile, gpdSurvival, logLikelihood } from './gpd-fit.js';
import { seededRandom } from './seeded-random.js';

/** Excesses drawn from a GPD by inverting its survival function. */
function gpdSample(n: number, gamma: number, sigma: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  return Float64Array.from({ length: n }, () => gpdExcessQuantile(1 - random(), { gamma, sigma }));
}

describe('fitGpd', () => {
  it.each([
    [0.3, 2],
    [0, 1],
    [-0.2, 1.5],
  ])('recovers shape %s and scale %s from 5000 excesses', (gamma, sigma) => {
    const fit = fitGpd(gpdSample(5000, gamma, sigma, 7));
    expect(fit.gamma).toBeCloseTo(gamma, 1);
    expect(fit.sigma / sigma).toBeGreaterThan(0.9);
    expect(fit.sigma / sigma).toBeLessThan(1.1);
  });

  it('never does worse than the exponential fit in likelihood', () => {
    const y = gpdSample(300, 0.5, 1, 3);
    const fit = fitGpd(y);
    expect(logLikelihood(y, fit)).toBeGreaterThanOrEqual(logLikelihood(y, { gamma: 0, sigma: 2.0 }) - 1e-9);
  });

  it('keeps the shape non-negative when asked', () => {
    const fit = fitGpd(gpdSample(200, -0.4, 1, 5), { nonNegativeShape: true });
    expect(fit.gamma).toBeGreaterThanOrEqual(0);
  });

  it('inverts survival with the excess quantile', () => {
    for (const params of [
      { gamma: 0.4, sigma: 2 },
      { gamma: 0, sigma: 1 },
      { gamma: -0.3, sigma: 1 },
    ]) {
      expect(gpdSurvival(gpdExcessQuantile(0.01, params), params)).toBeCloseTo(0.01, 9);
    }
  });

  it('falls back to an exponential tail for degenerate input', () => {
    expect(fitGpd([])).toEqual({ gamma: 0, sigma: 1e-12 });
    expect(fitGpd([0, 0, 0]).gamma).toBe(0);
  });
});
