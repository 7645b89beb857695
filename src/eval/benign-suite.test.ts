import { describe, expect, it } from 'vitest';
import { benignMarkdown, benignRow, rateUpperBound } from './benign-suite.js';

describe('benign suite rows', () => {
  it('counts alerts among ready-scored flows only and judges them against 2q', () => {
    const run = {
      scores: Float64Array.from([9, 1, 5, 0.5, 7]),
      thresholds: Float64Array.from([3, 3, 3, 3, 3]),
      ready: Uint8Array.from([0, 1, 1, 1, 1]),
    };
    const row = benignRow('toy', run, 0.001);
    expect(row).toMatchObject({
      dataset: 'toy',
      flows: 5,
      scoredFlows: 4,
      alerts: 2,
      rate: 0.5,
      pass: false,
    });
    const quiet = benignRow('quiet', { ...run, scores: new Float64Array(5) }, 0.001);
    expect(quiet.pass).toBe(true);
    expect(benignRow('none', { ...run, ready: new Uint8Array(5) }, 0.001).pass).toBeUndefined();
    const md = benignMarkdown(
      { rows: [row, quiet], skipped: ['x: missing'] },
      { q: 0.001, warmupFlows: 256 },
    );
    expect(md).toContain('| toy | 5 | 4 | 2 | 0.5000 |');
    expect(md).toContain('FAIL');
    expect(md).toContain('skipped: x: missing');
  });

  it('bounds the rate exactly: the rule of three for no alerts, above the estimate otherwise', () => {
    expect(rateUpperBound(0, 1000)).toBeCloseTo(1 - 0.05 ** (1 / 1000), 6);
    expect(rateUpperBound(0, 1000)).toBeCloseTo(3 / 1000, 3);
    const u = rateUpperBound(10, 1000);
    expect(u).toBeGreaterThan(0.01);
    expect(u).toBeLessThan(0.02);
    expect(rateUpperBound(0, 0)).toBeNaN();
  });
});
