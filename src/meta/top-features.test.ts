import { describe, expect, it } from 'vitest';
import { explainRows, topFeatures } from './top-features.js';

const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const baseline = (j: number) => j * 10;

describe('topFeatures', () => {
  it('ranks features by share of the error, with raw value and baseline', () => {
    const got = topFeatures([1, 6, 0, 3, 0, 0, 0], [5, 6, 7, 8, 9, 10, 11], names, baseline);
    expect(got.map((f) => f.name)).toEqual(['b', 'd', 'a']);
    expect(got[0]).toEqual({ name: 'b', value: 6, baseline: 10, share: 0.6 });
  });

  it('keeps at least three and at most five, dropping negligible ones past three', () => {
    const spread = topFeatures([1, 1, 1, 1, 1, 1, 1], new Array(7).fill(0), names, baseline);
    expect(spread).toHaveLength(5);
    const concentrated = topFeatures([100, 1, 1, 1, 1, 0, 0], new Array(7).fill(0), names, baseline);
    expect(concentrated).toHaveLength(3);
  });

  it('explains nothing when there is no error', () => {
    expect(topFeatures([0, 0, 0, 0, 0, 0, 0], new Array(7).fill(0), names, baseline)).toEqual([]);
  });

  it('ranks like a stable full sort: ties keep feature order, and only the top five can be picked', () => {
    const errors = [2, 5, 2, 5, 1, 5, 2];
    const sorted = [...errors.keys()].sort((a, b) => errors[b]! - errors[a]!);
    const got = topFeatures(errors, new Array(7).fill(0), names, baseline);
    expect(got.map((f) => f.name)).toEqual(sorted.slice(0, 5).map((j) => names[j]));
  });
});

describe('explainRows', () => {
  it('explains the requested rows from the squared difference of row and reconstruction', () => {
    const dim = names.length;
    const scaled = new Float32Array(2 * dim);
    // The reconstruction of row 1 only, the one asked for.
    const reconstruction = Float32Array.of(0, 0, 0, 0, 0, 0, 2);
    scaled.set([0, 3, 0, 1, 0, 0, 0], dim);
    const raw = Float32Array.from({ length: 2 * dim }, (_, i) => i);
    const got = explainRows(scaled, reconstruction, raw, [1], names, baseline);
    expect([...got.keys()]).toEqual([1]);
    // Errors 9, 1 and 4 of 14: b, g, d.
    expect(got.get(1)!.map((f) => f.name)).toEqual(['b', 'g', 'd']);
    expect(got.get(1)![0]).toEqual({ name: 'b', value: dim + 1, baseline: 10, share: 9 / 14 });
  });
});
