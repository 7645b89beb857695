import { describe, expect, it } from 'vitest';
import { topFeatures } from './top-features.js';

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
});
