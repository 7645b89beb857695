import { describe, expect, it } from 'vitest';
import { ModelError } from '../core/errors.js';
import { FeatureDeviationScorer } from './feature-deviation-scorer.js';

describe('FeatureDeviationScorer', () => {
  it('scores each row by its largest absolute scaled value', () => {
    const scorer = new FeatureDeviationScorer(3);
    const scores = scorer.score(Float32Array.from([0.5, -2, 1, 0, 0, 7]));
    expect(Array.from(scores)).toEqual([2, 7]);
    expect(Array.from(scorer.featureErrors(Float32Array.from([1, -3, 0])))).toEqual([1, 9, 0]);
  });

  it('rejects ragged input', () => {
    expect(() => new FeatureDeviationScorer(3).score(new Float32Array(4))).toThrow(ModelError);
  });
});
