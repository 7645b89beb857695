import { describe, expect, it } from 'vitest';
import type { RoutedFlow } from '../core/flow-record.js';
import { ScoredFlow } from './scored-flow.js';

const flow = { srcIp: '10.0.0.1', dstIp: '10.0.0.2', segment: 'lan' } as RoutedFlow;
const scores = {
  scores: Float64Array.of(0.5, 4),
  pValues: Float64Array.of(0.3, 1e-4),
  threshold: 3,
  state: 'ready' as const,
};
const members = [
  { detector: 'autoencoder', weight: 1, pValues: Float64Array.of(0.2, 1e-5) },
  { detector: 'baseline', weight: 0.25, pValues: Float64Array.of(0.9, 0.4) },
];

describe('ScoredFlow', () => {
  it("reads its row of the batch's columns", () => {
    const d = new ScoredFlow(flow, scores, members, 1, undefined, []);
    expect([d.score, d.pValue, d.threshold, d.modelState]).toEqual([4, 1e-4, 3, 'ready']);
    expect(d.detectors).toEqual([
      { detector: 'autoencoder', pValue: 1e-5, weight: 1 },
      { detector: 'baseline', pValue: 0.4, weight: 0.25 },
    ]);
    expect(d.detectors).toBe(d.detectors);
    expect(d.topFeatures).toEqual([]);
  });

  it('serializes like a plain detection, detectors included', () => {
    const d = new ScoredFlow(flow, scores, members, 0, [{ name: 'f', value: 1, baseline: 0, share: 1 }], []);
    const plain = JSON.parse(JSON.stringify(d));
    expect(plain.detectors.map((m: { pValue: number }) => m.pValue)).toEqual([0.2, 0.9]);
    expect(plain.topFeatures).toHaveLength(1);
    expect(plain.score).toBe(0.5);
  });
});
