import { describe, expect, it } from 'vitest';
import { WarmupBuffer } from './warmup-buffer.js';

describe('WarmupBuffer', () => {
  it('fills up to capacity and holds out every 4th row with its context', () => {
    const b = new WarmupBuffer(2, 8);
    const rows = Float32Array.from({ length: 20 }, (_, i) => i);
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    const taken = b.push(
      rows,
      Float32Array.from(keys, (_, i) => i / 10),
      keys,
      Float64Array.from(keys, (_, i) => i * 1000),
    );
    expect(taken).toBe(8);
    expect(b.full).toBe(true);
    const split = b.split();
    expect(Array.from(split.calibration)).toEqual([6, 7, 14, 15]);
    expect(split.train.length).toBe(12);
    expect(split.calibrationKeys).toEqual(['k3', 'k7']);
    expect(Array.from(split.calibrationTimesMs)).toEqual([3000, 7000]);
    expect(Array.from(split.calibrationForecast)).toEqual([Math.fround(0.3), Math.fround(0.7)]);
    expect(split.forecast.length).toBe(8);
    expect(split.keys).toEqual(keys.slice(0, 8));
    expect(b.context().keys).toEqual(keys.slice(0, 8));
  });
});
