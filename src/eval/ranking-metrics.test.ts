import { describe, expect, it } from 'vitest';
import { averagePrecision, rankingMetrics, rocAuc, rocCurve, tprAtFpr } from './ranking-metrics.js';

describe('ranking metrics', () => {
  it('gives AUC 1 for a perfect ranking, 0 for a reversed one and 0.5 for all ties', () => {
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBe(0.5);
  });

  it('matches the Mann-Whitney count on a known case', () => {
    // Positives 0.8, 0.4; negatives 0.6, 0.2, 0.1: 5 of 6 pairs ordered right.
    expect(rocAuc([0.8, 0.6, 0.4, 0.2, 0.1], [1, 0, 1, 0, 0])).toBeCloseTo(5 / 6, 12);
  });

  it('computes average precision as scikit-learn does', () => {
    // Ranking 1,0,1: precision 1 at recall 0.5, 2/3 at recall 1 → 0.5·1 + 0.5·2/3.
    expect(averagePrecision([0.9, 0.5, 0.3], [1, 0, 1])).toBeCloseTo(0.5 + 1 / 3, 12);
  });

  it('reads TPR at a maximum FPR off the curve', () => {
    const curve = rocCurve([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0]);
    expect(tprAtFpr(curve, 0)).toBe(0.5);
    expect(tprAtFpr(curve, 0.5)).toBe(1);
  });

  it('reports NaN when a class is missing', () => {
    const m = rankingMetrics([0.1, 0.2], [0, 0]);
    expect(m.rocAuc).toBeNaN();
    expect(m.negatives).toBe(2);
  });
});
