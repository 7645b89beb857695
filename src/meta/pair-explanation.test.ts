import { describe, expect, it } from 'vitest';
import { withPairEvidence } from './pair-explanation.js';

const names = ['bytes_fwd', 'pair_w_l0.1', 'pair_iat_std_l0.1', 'pair_iat_std_l0.01'];
const baselines = [500, 2, 4, 3];

describe('withPairEvidence', () => {
  it('puts the most regular jitter and the pair weight first, then the model features', () => {
    const model = [{ name: 'bytes_fwd', value: 900, baseline: 500, share: 1 }];
    const out = withPairEvidence(model, [900, 9, 0.1, 2], names, (j) => baselines[j]!);
    expect(out.map((f) => f.name)).toEqual(['pair_iat_std_l0.1', 'pair_w_l0.1', 'bytes_fwd']);
    expect(out.reduce((s, f) => s + f.share, 0)).toBeCloseTo(1, 12);
  });

  it('ignores a zero jitter (a new pair) and leaves the explanation alone without pair evidence', () => {
    const model = [{ name: 'bytes_fwd', value: 900, baseline: 500, share: 1 }];
    expect(withPairEvidence(model, [900, 1, 0, 0], names, (j) => baselines[j]!)).toEqual(model);
  });
});
