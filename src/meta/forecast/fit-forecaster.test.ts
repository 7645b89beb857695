import { describe, expect, it } from 'vitest';
import { gaussian, seededRandom } from '../seeded-random.js';
import { adaptForecaster, fitForecasterInit, meanMase } from './fit-forecaster.js';
import { DEFAULT_FORECASTER_PARAMS, naiveScale, oneStepForecasts, seriesMase } from './holt-winters.js';

/** Local level model y = μ + ε, μ' = μ + η with var(η)/var(ε) = q: the optimal (Kalman) α is (−q + √(q² + 4q)) / 2. */
function localLevel(seed: number, n: number, q: number, sigma = 3): Float64Array {
  const g = gaussian(seededRandom(seed));
  const y = new Float64Array(n);
  let mu = 100;
  for (let t = 0; t < n; t++) {
    mu += Math.sqrt(q) * sigma * g();
    y[t] = mu + sigma * g();
  }
  return y;
}

describe('holt-winters on a series', () => {
  it('reproduces naive last-value forecasts with α = 1 and no trend', () => {
    const y = Float64Array.from([3, 5, 4, 8, 1]);
    const run = oneStepForecasts(y, { ...DEFAULT_FORECASTER_PARAMS, alpha: 1, beta: 0 });
    expect([...run.forecasts.slice(1)]).toEqual([3, 5, 4, 8]);
    expect(naiveScale(y)).toBeCloseTo((2 + 1 + 4 + 7) / 4);
    expect(seriesMase(y, { ...DEFAULT_FORECASTER_PARAMS, alpha: 1, beta: 0 })).toBeCloseTo(1);
    expect(seriesMase(Float64Array.from([2, 2, 2]), DEFAULT_FORECASTER_PARAMS)).toBeNaN();
  });
});

describe('fitForecasterInit', () => {
  it('recovers the optimal smoothing of local-level series and beats the defaults', () => {
    const q = 1;
    const best = (-q + Math.sqrt(q * q + 4 * q)) / 2; // 0.618
    const train = [1, 2, 3, 4, 5, 6].map((s) => localLevel(s, 400, q));
    const fit = fitForecasterInit(train, 7);
    expect(Math.abs(fit.alpha - best)).toBeLessThan(0.15);
    expect(fit.beta).toBeLessThan(0.15);
    expect(meanMase(train, fit)).toBeLessThan(meanMase(train, DEFAULT_FORECASTER_PARAMS));
    // Held-out series of the same kind gain as well.
    const test = [11, 12].map((s) => localLevel(s, 400, q));
    expect(meanMase(test, fit)).toBeLessThan(meanMase(test, DEFAULT_FORECASTER_PARAMS));
    // Deterministic for a seed.
    expect(fitForecasterInit(train, 7)).toEqual(fit);
  });

  it('learns a small α for noise around a constant, and a trend for trending series', () => {
    const g = gaussian(seededRandom(3));
    const flat = [0, 1, 2].map(() => Float64Array.from({ length: 300 }, () => 50 + 5 * g()));
    expect(fitForecasterInit(flat, 1).alpha).toBeLessThan(0.1);
    const trending = [0, 1, 2].map((k) =>
      Float64Array.from({ length: 300 }, (_, t) => 10 + (2 + k) * t + g()),
    );
    const fit = fitForecasterInit(trending, 1);
    expect(fit.phi).toBeGreaterThan(0.95);
    expect(meanMase(trending, fit)).toBeLessThan(0.5 * meanMase(trending, DEFAULT_FORECASTER_PARAMS));
  });

  it('falls back to the defaults when every series is constant', () => {
    expect(fitForecasterInit([new Float64Array(50).fill(4)], 1)).toEqual(DEFAULT_FORECASTER_PARAMS);
  });
});

describe('adaptForecaster', () => {
  it('moves toward the segment’s own optimum, less so with a stronger pull', () => {
    const head = localLevel(5, 120, 20); // nearly a random walk: α* ≈ 0.95
    const init = { ...DEFAULT_FORECASTER_PARAMS, alpha: 0.3, beta: 0 };
    const free = adaptForecaster(init, head, { pull: 0 });
    const pulled = adaptForecaster(init, head, { pull: 50 });
    expect(free.alpha).toBeGreaterThan(0.5);
    expect(seriesMase(head, free)).toBeLessThan(seriesMase(head, init));
    expect(Math.abs(pulled.alpha - 0.3)).toBeLessThan(Math.abs(free.alpha - 0.3));
    expect(adaptForecaster(init, new Float64Array(30).fill(2))).toEqual(init);
  });
});
