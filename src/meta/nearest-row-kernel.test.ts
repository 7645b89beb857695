import { describe, expect, it } from 'vitest';
import { NearestRowKernel } from './nearest-row-kernel.js';

function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return (s / 2 ** 31) * 8 - 4;
  };
}

function l1(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += Math.abs(a[k]! - b[k]!);
  return sum;
}

/** A kernel over `rows` random rows sorted by norm, as the feature-deviation scorer builds it. */
function kernelOver(rows: number, columns: number, next: () => number) {
  const reference = Array.from({ length: rows }, () => Float32Array.from({ length: columns }, next));
  const norm = (row: Float32Array) => l1(row, new Float32Array(columns));
  reference.sort((a, b) => norm(a) - norm(b));
  const packed = new Float32Array(rows * columns);
  reference.forEach((row, r) => {
    packed.set(row, r * columns);
  });
  return { kernel: new NearestRowKernel(packed, Float64Array.from(reference, norm)), reference, norm };
}

describe('NearestRowKernel', () => {
  it.each([
    [1, 1],
    [2, 7],
    [5, 8],
    [40, 9],
    [128, 81],
  ])('finds the nearest of %i rows of %i columns, whichever row it tries first', (rows, columns) => {
    const next = random(rows * 100 + columns);
    const { kernel, reference, norm } = kernelOver(rows, columns, next);
    for (let q = 0; q < 60; q++) {
      const query = Float32Array.from({ length: columns }, next);
      kernel.query.set(query);
      const distance = kernel.nearest(norm(query), q % rows);
      const exact = Math.min(...reference.map((row) => l1(query, row)));
      expect(distance).toBeCloseTo(exact, 4);
      expect(l1(query, reference[kernel.nearestRow]!)).toBeCloseTo(exact, 4);
      expect(kernel.value(kernel.nearestRow, columns - 1)).toBe(reference[kernel.nearestRow]![columns - 1]);
    }
  });

  it('returns 0 and the row itself for a query equal to a reference row', () => {
    const { kernel, reference, norm } = kernelOver(30, 20, random(3));
    kernel.query.set(reference[17]!);
    expect(kernel.nearest(norm(reference[17]!), 0)).toBe(0);
    expect(kernel.nearestRow).toBe(17);
  });
});
