import { describe, expect, it } from 'vitest';
import { NearestRowKernel } from './nearest-row-kernel.js';

function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return (s / 2 ** 31) * 8 - 4;
  };
}

/** Column k of a packed row is weight k times column order[k] of the row, rounded to f32. */
function pack(row: Float32Array, order: Uint16Array, weights: Float32Array): Float32Array {
  return Float32Array.from(order, (j, k) => weights[k]! * row[j]!);
}

function l1(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += Math.abs(a[k]! - b[k]!);
  return sum;
}

/** A kernel over `rows` random packed rows sorted by norm, as the feature-deviation scorer builds it. */
function kernelOver(rows: number, columns: number, next: () => number) {
  const order = Uint16Array.from({ length: columns }, (_, k) => columns - 1 - k);
  const weights = Float32Array.from({ length: columns }, (_, k) => 1 / (1 + (k % 3)));
  const norm = (row: Float32Array) => l1(row, new Float32Array(columns));
  const reference = Array.from({ length: rows }, () =>
    pack(Float32Array.from({ length: columns }, next), order, weights),
  );
  reference.sort((a, b) => norm(a) - norm(b));
  const packed = new Float32Array(rows * columns);
  reference.forEach((row, r) => {
    packed.set(row, r * columns);
  });
  const kernel = new NearestRowKernel(packed, Float64Array.from(reference, norm), { order, weights });
  return { kernel, reference, order, weights };
}

describe('NearestRowKernel', () => {
  it.each([
    [1, 1, 3],
    [2, 7, 10],
    [5, 8, 65],
    [40, 9, 130],
    [60, 40, 70],
    [128, 81, 200],
  ])(
    'finds the nearest of %i rows of %i columns for each of %i rows, whichever row it starts from',
    (rows, columns, n) => {
      const next = random(rows * 100 + columns);
      const { kernel, reference, order, weights } = kernelOver(rows, columns, next);
      const queries = Float32Array.from({ length: n * columns }, next);
      for (const first of [0, rows - 1, rows + 5]) {
        const distances = new Float32Array(n);
        const nearest = new Int32Array(n);
        kernel.search(queries, first, distances, nearest);
        for (let i = 0; i < n; i++) {
          const query = pack(queries.subarray(i * columns, (i + 1) * columns), order, weights);
          const exact = Math.min(...reference.map((row) => l1(query, row)));
          expect(distances[i]).toBeCloseTo(exact, 4);
          expect(l1(query, reference[nearest[i]!]!)).toBeCloseTo(exact, 4);
          expect(kernel.value(nearest[i]!, columns - 1)).toBe(reference[nearest[i]!]![columns - 1]);
        }
      }
    },
  );

  it('returns 0 and the row itself for a row whose packed form is a reference row', () => {
    const { kernel, reference, order, weights } = kernelOver(30, 20, random(3));
    // Reference row 17 unpacked: dividing by a weight of 1/3 and packing again rounds, so the distance is
    // near 0 rather than exactly 0.
    const row = new Float32Array(20);
    order.forEach((j, k) => {
      row[j] = reference[17]![k]! / weights[k]!;
    });
    const distances = new Float32Array(1);
    const nearest = new Int32Array(1);
    kernel.search(row, 0, distances, nearest);
    expect(nearest[0]).toBe(17);
    expect(distances[0]).toBeLessThan(1e-5);
  });
});
