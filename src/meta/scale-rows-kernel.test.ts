import { describe, expect, it } from 'vitest';
import { ScaleRowsKernel } from './scale-rows-kernel.js';

/** What the kernel computes, in plain JavaScript: the scaler's formula with Math.log1p, rounded to f32. */
function reference(x: number, center: number, spread: number, clip: number): number {
  const log = x < 0 ? -Math.log1p(-x) : Math.log1p(x);
  const z = (log - center) / spread;
  return Math.fround(z > clip ? clip : z < -clip ? -clip : Number.isNaN(z) ? 0 : z);
}

function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('ScaleRowsKernel', () => {
  it('matches Math.log1p to the last f32 bit from 1e-30 to 1e30, integers and both signs', () => {
    const dim = 3;
    const kernel = new ScaleRowsKernel(Float64Array.of(0, 0, 0), Float64Array.of(1, 1, 1), Number.MAX_VALUE);
    const next = random(7);
    // 9,001 rows: more than two kernel calls' worth, and an odd count.
    const rows = Float32Array.from({ length: 9001 * dim }, (_, i) =>
      i < 5000 ? i : (next() < 0.2 ? -1 : 1) * 10 ** (next() * 60 - 30),
    );
    const out = new Float32Array(rows.length);
    kernel.scale(rows, out);
    const mismatches = Array.from(rows).filter((x, i) => out[i] !== reference(x, 0, 1, Number.MAX_VALUE));
    expect(mismatches).toEqual([]);
  });

  it('centres and divides per feature, clips, maps NaN to 0 and ±Infinity to ±clip', () => {
    const center = Float64Array.of(1, -2, 0.5);
    const spread = Float64Array.of(0.25, 3, 1);
    const kernel = new ScaleRowsKernel(center, spread, 4);
    const rows = Float32Array.of(
      0,
      7,
      -0.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      1e30,
      -1e30,
      2.5,
    );
    const out = new Float32Array(rows.length);
    kernel.scale(rows, out);
    expect(Array.from(out)).toEqual(
      Array.from(rows, (x, i) => reference(x, center[i % 3]!, spread[i % 3]!, 4)),
    );
    expect(Array.from(out.subarray(3, 6))).toEqual([0, 4, -4]);
  });

  it('scales in place and serves several parameter sets from one memory', () => {
    const a = new ScaleRowsKernel(Float64Array.of(0, 1), Float64Array.of(1, 2), 10);
    const b = new ScaleRowsKernel(Float64Array.of(2, 0, 1), Float64Array.of(0.5, 1, 1), 10);
    const rowsA = Float32Array.of(1, 2, 3, 4, 5, 6);
    const rowsB = Float32Array.of(9, 8, 7);
    const expectedA = Array.from(rowsA, (x, i) => reference(x, i % 2, i % 2 === 0 ? 1 : 2, 10));
    const expectedB = Array.from(rowsB, (x, i) => reference(x, [2, 0, 1][i]!, [0.5, 1, 1][i]!, 10));
    a.scale(rowsA, rowsA);
    b.scale(rowsB, rowsB);
    expect(Array.from(rowsA)).toEqual(expectedA);
    expect(Array.from(rowsB)).toEqual(expectedB);
  });
});
