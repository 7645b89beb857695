import { describe, expect, it } from 'vitest';
import { harmonicMeanP, MIN_P_VALUE } from './combine-p-values.js';

describe('harmonicMeanP', () => {
  it('is the weighted harmonic mean', () => {
    expect(harmonicMeanP([[0.5], [0.25]], [1, 1], 0)).toBeCloseTo(2 / (2 + 4), 12);
    expect(harmonicMeanP([[0.1], [1]], [1, 0.5], 0)).toBeCloseTo(1.5 / (10 + 0.5), 12);
  });

  it('keeps strong evidence from one member', () => {
    const p = harmonicMeanP([[0.5], [1e-8], [0.5]], [1, 0.5, 0.5], 0);
    expect(p).toBeLessThan(1e-7);
  });

  it('ignores zero weights and stays within [MIN_P_VALUE, 1]', () => {
    expect(harmonicMeanP([[1e-9], [0.5]], [0, 1], 0)).toBeCloseTo(0.5, 12);
    expect(harmonicMeanP([[0]], [1], 0)).toBe(MIN_P_VALUE);
    expect(harmonicMeanP([[1]], [0], 0)).toBe(1);
  });
});
