import { describe, expect, it } from 'vitest';
import { ModelError } from '../core/errors.js';
import { RobustScaler } from './scaler.js';

/** Rows of two features: a counter (1, 3, 7, 15, ... i.e. expm1 of 0.69·k) and a constant 0. */
function rows(n: number): Float32Array {
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) out[i * 2] = Math.expm1(i * 0.1);
  return out;
}

describe('RobustScaler', () => {
  it('centres log1p values on the median and scales by a robust spread', () => {
    const scaler = new RobustScaler();
    const data = rows(101);
    scaler.fit(data, 2);
    const scaled = scaler.transform(data);
    // The median row (index 50) maps to 0; log1p values are evenly spaced, so the scale is linear in i.
    expect(scaled[50 * 2]).toBeCloseTo(0, 5);
    expect(scaled[75 * 2]! - scaled[50 * 2]!).toBeCloseTo(scaled[50 * 2]! - scaled[25 * 2]!, 4);
    // IQR of 0..10 in steps of 0.1 is 5, so one IQR/1.349 is one unit.
    expect(scaled[75 * 2]! - scaled[25 * 2]!).toBeCloseTo(1.349, 3);
    expect(scaler.baseline(0)).toBeCloseTo(Math.expm1(5), 3);
  });

  it('floors 0/1 flags lower than other features (flagMinSpread 0.1, minSpread 0.25)', () => {
    const byDefault = new RobustScaler();
    // Feature 0 a counter constant at 3, feature 1 a flag the warm-up never set.
    byDefault.fit(
      Float32Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 3 : 0)),
      2,
    );
    const out = byDefault.transform(Float32Array.of(7, 1));
    expect(out[0]).toBeCloseTo((Math.log(8) - Math.log(4)) / 0.25, 4);
    // The flag lands log(2)/0.1 ≈ 6.9 units out, not 2.8.
    expect(out[1]).toBeCloseTo(Math.LN2 / 0.1, 4);
  });

  it('floors the spread of features that were constant during warm-up', () => {
    const scaler = new RobustScaler({ minSpread: 0.1 });
    scaler.fit(rows(20), 2);
    const out = scaler.transform(Float32Array.of(1, Math.E - 1));
    expect(out[1]).toBeCloseTo(10, 4);
    expect(scaler.baseline(1)).toBe(0);
  });

  it('keeps signs, clips extremes and maps NaN to the median', () => {
    const scaler = new RobustScaler({ clip: 5 });
    scaler.fit(rows(20), 2);
    const out = scaler.transform(Float32Array.of(Number.NaN, -1e30, Number.POSITIVE_INFINITY, 1e30));
    expect(Array.from(out)).toEqual([0, -5, 5, 5]);
    const unclipped = new RobustScaler({ minSpread: 0.25, flagMinSpread: 0.25 });
    unclipped.fit(rows(20), 2);
    const negative = unclipped.transform(Float32Array.of(0, -(Math.E - 1)));
    expect(negative[1]).toBeCloseTo(-4, 4);
  });

  it('round-trips its state through JSON', () => {
    const scaler = new RobustScaler();
    scaler.fit(rows(50), 2);
    const restored = new RobustScaler();
    restored.restore(JSON.parse(JSON.stringify(scaler.snapshot())));
    const data = rows(60);
    expect(restored.transform(data)).toEqual(scaler.transform(data));
  });

  it('refuses to transform before fitting and rejects bad snapshots', () => {
    expect(() => new RobustScaler().transform(new Float32Array(2))).toThrow(ModelError);
    expect(() => new RobustScaler().fit(new Float32Array(2), 2)).toThrow(ModelError);
    expect(() => new RobustScaler().restore({ dim: 1, center: [0], spread: [0] })).toThrow(ModelError);
  });

  it('scales integers, zeros and fractions by the one formula, to the last f32 bit', () => {
    const scaler = new RobustScaler();
    scaler.fit(rows(101), 2);
    const scaled = scaler.transform(Float32Array.of(0, 0, 3, 0));
    const fractions = scaler.transform(Float32Array.of(3.5, 0));
    expect(scaled[2]).toBeLessThan(fractions[0]!);
    const { center, spread } = scaler.snapshot();
    expect(scaled[0]).toBe(Math.fround(-center[0]! / spread[0]!));
    expect(scaled[2]).toBe(Math.fround((Math.log1p(3) - center[0]!) / spread[0]!));
    expect(fractions[0]).toBe(Math.fround((Math.log1p(3.5) - center[0]!) / spread[0]!));
  });
});
