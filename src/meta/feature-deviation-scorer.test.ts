import { describe, expect, it } from 'vitest';
import { ModelError } from '../core/errors.js';
import {
  columnPacking,
  FeatureDeviationScorer,
  groupWeights,
  MAX_REFERENCE_ROWS,
} from './feature-deviation-scorer.js';

describe('FeatureDeviationScorer', () => {
  it('without reference rows scores each row by its largest absolute scaled value', () => {
    const scorer = new FeatureDeviationScorer(3);
    const scores = scorer.score(Float32Array.from([0.5, -2, 1, 0, 0, 7]));
    expect(Array.from(scores)).toEqual([2, 7]);
    expect(Array.from(scorer.featureErrors(Float32Array.from([1, -3, 0])))).toEqual([1, 9, 0]);
  });

  it('scores the L1 distance to the nearest reference row', () => {
    const scorer = new FeatureDeviationScorer(['a', 'b']);
    scorer.fit(Float32Array.from([0, 0, 5, 5]));
    const scores = scorer.score(Float32Array.from([0, 0, 4, 6, 1, -2]));
    expect(Array.from(scores)).toEqual([0, 2, 3]);
    // Per feature: the absolute difference to the nearest row, summing to the score.
    expect(Array.from(scorer.featureErrors(Float32Array.from([4, 6, 1, -2])))).toEqual([1, 1, 1, 2]);
  });

  it('finds the same nearest distance as a search over every reference row', () => {
    const d = 12;
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return (seed / 2 ** 31) * 8 - 4;
    };
    const reference = Float32Array.from({ length: 100 * d }, next);
    const rows = Float32Array.from({ length: 300 * d }, next);
    const scorer = new FeatureDeviationScorer(d);
    scorer.fit(reference);
    const scores = scorer.score(rows);
    for (let i = 0; i < 300; i++) {
      let best = Number.POSITIVE_INFINITY;
      for (let r = 0; r < 100; r++) {
        let dist = 0;
        for (let k = 0; k < d; k++) dist += Math.abs(rows[i * d + k]! - reference[r * d + k]!);
        best = Math.min(best, dist);
      }
      expect(scores[i]).toBeCloseTo(best, 4);
    }
  });

  it('flags a combination no warm-up row had, though every feature lies inside its warm-up range', () => {
    // Warm-up: small replies on port class A, large replies on port class B; the largest |z| is 1 for all.
    const scorer = new FeatureDeviationScorer(['is_a', 'bytes_rev']);
    scorer.fit(Float32Array.from([1, -1, 1, -1, 0, 1, 0, 1]));
    const [usual, unusual] = scorer.score(Float32Array.from([1, -1, 1, 1]));
    expect(usual).toBe(0);
    expect(unusual).toBe(1);
  });

  it('packs the columns that tell reference rows apart first, each by its weight', () => {
    // Column spreads over the three rows: 0 (constant), 4/3 (0, 2, 0), 8/3 (0, 0, 4); column 3 spreads 8/3
    // too but weighs 1/4, so it counts 2/3.
    const reference = Float32Array.from([5, 0, 0, 0, 5, 2, 0, 4, 5, 0, 4, 0]);
    const packing = columnPacking(reference, Float32Array.from([1, 1, 1, 0.25]));
    expect(Array.from(packing.order)).toEqual([2, 1, 3, 0]);
    expect(Array.from(packing.weights)).toEqual([1, 1, 0.25, 1]);
  });

  it('explains a score by per-feature differences in input order, whatever order the search reads them in', () => {
    const scorer = new FeatureDeviationScorer(['a', 'b_l1', 'b_l5', 'c']);
    scorer.fit(Float32Array.from([0, 0, 0, 0, 0, 4, 4, 9]));
    const errors = scorer.featureErrors(Float32Array.from([1, 0, 2, 0]));
    // Nearest reference row is the first (distance 1 + 0 + 1 + 0 = 2, the other is 1 + 2 + 1 + 9 = 13).
    expect(Array.from(errors)).toEqual([1, 0, 1, 0]);
    expect(scorer.score(Float32Array.from([1, 0, 2, 0]))[0]).toBeCloseTo(2, 6);
  });

  it('counts a damped statistic once over its decay rates', () => {
    const weights = groupWeights(['bytes', 'iat_l5', 'iat_l0.1', 'iat_l0.01', 'w_l1']);
    expect(Array.from(weights)).toEqual([1, 1 / 3, 1 / 3, 1 / 3, 1].map(Math.fround));
    const scorer = new FeatureDeviationScorer(['bytes', 'iat_l5', 'iat_l0.1']);
    scorer.fit(new Float32Array(3));
    // Both decay-rate copies 6 out count as one feature 6 out; one flow feature 6 out counts the same.
    const [slow, flow] = scorer.score(Float32Array.from([0, 6, 6, 6, 0, 0]));
    expect(slow).toBeCloseTo(6, 5);
    expect(flow).toBeCloseTo(6, 5);
  });

  it('keeps at most MAX_REFERENCE_ROWS rows spread over the warm-up', () => {
    const n = MAX_REFERENCE_ROWS * 3;
    const scorer = new FeatureDeviationScorer(['x']);
    scorer.fit(Float32Array.from({ length: n }, (_, i) => i));
    expect(scorer.referenceRows).toBe(MAX_REFERENCE_ROWS);
    // The last kept row is near the end of the warm-up, not its first third.
    expect(scorer.score(Float32Array.from([n - 1]))[0]).toBeLessThan(3);
  });

  it('restores its reference rows and rejects ragged or non-finite ones', () => {
    const scorer = new FeatureDeviationScorer(['a', 'b']);
    scorer.fit(Float32Array.from([1, 2, 3, 4]));
    const copy = new FeatureDeviationScorer(['a', 'b']);
    copy.restore(scorer.snapshot());
    const rows = Float32Array.from([0, 0, 3, 5]);
    expect(Array.from(copy.score(rows))).toEqual(Array.from(scorer.score(rows)));
    expect(() => copy.restore([1, 2, 3])).toThrow(ModelError);
    expect(() => copy.restore([1, Number.NaN])).toThrow(ModelError);
  });

  it('rejects ragged input', () => {
    expect(() => new FeatureDeviationScorer(3).score(new Float32Array(4))).toThrow(ModelError);
  });
});
