import { describe, expect, it } from 'vitest';
import { ModelError } from '../core/errors.js';
import { gaussian, seededRandom } from './seeded-random.js';
import { SpotThreshold } from './spot-threshold.js';

type Draw = (random: () => number, normal: () => number) => number;
const distributions: [string, Draw][] = [
  ['exponential', (random) => -Math.log(1 - random())],
  ['pareto', (random) => (1 - random()) ** (-1 / 3)],
  ['normal', (_random, normal) => normal()],
];

function sample(n: number, draw: Draw, seed: number): Float64Array {
  const random = seededRandom(seed);
  const normal = gaussian(random);
  return Float64Array.from({ length: n }, () => draw(random, normal));
}

/** Share of `scores` at or above the threshold, fed in batches of 1000 like the detector does. */
function exceedances(spot: SpotThreshold, scores: Float64Array, stream: boolean): number {
  let above = 0;
  for (let start = 0; start < scores.length; start += 1000) {
    const batch = scores.subarray(start, start + 1000);
    const threshold = spot.threshold;
    for (const s of batch) if (s >= threshold) above++;
    if (stream) spot.observeAll(batch);
  }
  return above / scores.length;
}

describe('SpotThreshold', () => {
  for (const [name, draw] of distributions) {
    for (const q of [0.01, 0.001]) {
      it(`realizes a rate within [q/3, 3q] on held-out ${name} scores, q = ${q}`, () => {
        const spot = new SpotThreshold({ falseAlertRate: q });
        spot.fit(sample(2000, draw, 1));
        const rate = exceedances(spot, sample(100_000, draw, 2), process.env.STREAM === '1');
        expect(rate).toBeGreaterThanOrEqual(q / 3);
        expect(rate).toBeLessThanOrEqual(3 * q);
        expect(spot.pValue(spot.threshold)).toBeCloseTo(q, 6);
      });
    }
  }

  it('calibrates from only 256 scores within [q/3, 3q] once streaming', () => {
    const spot = new SpotThreshold({ falseAlertRate: 0.001 });
    spot.fit(sample(256, distributions[0]![1], 3));
    exceedances(spot, sample(20_000, distributions[0]![1], 4), true);
    const rate = exceedances(spot, sample(100_000, distributions[0]![1], 5), true);
    expect(rate).toBeGreaterThanOrEqual(0.001 / 3);
    expect(rate).toBeLessThanOrEqual(0.003);
  });

  it('gives p-values that decrease with the score, 1 below the body and before calibration', () => {
    const spot = new SpotThreshold({ falseAlertRate: 0.01 });
    expect(spot.pValue(100)).toBe(1);
    expect(spot.ready).toBe(false);
    spot.fit(sample(1000, distributions[0]![1], 6));
    expect(spot.pValue(-1)).toBe(1);
    let last = 1;
    for (let x = 0; x < 20; x += 0.25) {
      const p = spot.pValue(x);
      expect(p).toBeLessThanOrEqual(last);
      last = p;
    }
    expect(last).toBeGreaterThan(0);
  });

  it('tracks a drifting mean with DSPOT where SPOT falls behind', () => {
    const random = seededRandom(8);
    const normal = gaussian(random);
    const drifting = (from: number, n: number) =>
      Float64Array.from({ length: n }, (_, i) => (from + i) / 500 + normal());
    const dspot = new SpotThreshold({ falseAlertRate: 0.01, depth: 50 });
    const spot = new SpotThreshold({ falseAlertRate: 0.01 });
    const calibration = drifting(0, 2000);
    dspot.fit(calibration);
    spot.fit(calibration);
    const later = drifting(2000, 10_000);
    // One score at a time: the mean moves by 2 per 1000 scores, as fast as a batch.
    const rate = (s: SpotThreshold) => {
      let above = 0;
      for (const x of later) {
        if (x >= s.threshold) above++;
        s.observe(x);
      }
      return above / later.length;
    };
    const dspotRate = rate(dspot);
    const spotRate = rate(spot);
    expect(dspotRate).toBeLessThanOrEqual(0.03);
    expect(dspotRate).toBeGreaterThan(0.001);
    expect(spotRate).toBeGreaterThan(10 * dspotRate);
    expect(dspot.driftLevel).toBeGreaterThan(20);
  });

  it('calibrates from the stream when calibration had too many ties', () => {
    const spot = new SpotThreshold({ falseAlertRate: 0.01 });
    expect(() => spot.fit(new Float64Array(500))).toThrow(ModelError);
    spot.observeAll(new Float64Array(500));
    expect(spot.ready).toBe(false);
    expect(spot.pValue(10)).toBe(1);
    spot.observeAll(sample(600, distributions[0]![1], 12));
    expect(spot.ready).toBe(true);
    expect(spot.pValue(10)).toBeLessThan(0.01);
  });

  it('does not let a burst just under the threshold lift it', () => {
    const spot = new SpotThreshold({ falseAlertRate: 0.001 });
    spot.fit(sample(2000, distributions[0]![1], 11));
    const before = spot.threshold;
    spot.observeAll(new Float64Array(2000).fill(before - 0.01));
    expect(spot.threshold).toBeLessThan(before * 1.5);
  });

  it('scores a batch in one pass: falling p-values with rising scores, q at the threshold, 1 for NaN', () => {
    const spot = new SpotThreshold({ falseAlertRate: 0.001 });
    spot.fit(sample(2000, distributions[0]![1], 5));
    const scores = sample(300, distributions[0]![1], 6).sort();
    const batch = Float64Array.from([...scores, spot.threshold, Number.NaN, -Infinity, Infinity]);
    const out = new Float64Array(batch.length);
    spot.pValues(batch, out);
    for (let i = 1; i < scores.length; i++) expect(out[i]!).toBeLessThanOrEqual(out[i - 1]!);
    expect(out[300]).toBeCloseTo(0.001, 6);
    expect(Array.from(out.subarray(301, 303))).toEqual([1, 1]);
    expect(out[303]).toBeLessThan(1e-6);
    expect(Array.from(out)).toEqual(Array.from(batch, (x) => spot.pValue(x)));
    const unfitted = new SpotThreshold({ falseAlertRate: 0.001 });
    unfitted.pValues(batch, out);
    expect(out.every((p) => p === 1)).toBe(true);
  });

  it('round-trips through a snapshot', () => {
    const spot = new SpotThreshold({ falseAlertRate: 0.01, depth: 10 });
    spot.fit(sample(500, distributions[1]![1], 9));
    for (const s of sample(500, distributions[1]![1], 10)) spot.observe(s);
    const copy = new SpotThreshold({ falseAlertRate: 0.01, depth: 10 });
    copy.restore(JSON.parse(JSON.stringify(spot.snapshot())));
    expect(copy.threshold).toBeCloseTo(spot.threshold, 9);
    expect(copy.pValue(5)).toBeCloseTo(spot.pValue(5), 12);
  });

  it('rejects too few scores and a bad snapshot', () => {
    expect(() => new SpotThreshold({ falseAlertRate: 0.01 }).fit([1, 2, 3])).toThrow(ModelError);
    const bad = {
      kind: 'spot',
      initialThreshold: 1,
      body: [],
      peaks: [],
      peakCount: 3,
      observed: 1,
      depth: 0,
      window: [],
      alertTokens: 0,
      peakTokens: 0,
      calibrationPeakRate: 0,
      gamma: 0,
      sigma: 1,
      peaksAtFit: -1,
    } as const;
    expect(() =>
      new SpotThreshold({ falseAlertRate: 0.01 }).restore({
        ...bad,
        body: [],
        peaks: [],
        window: [],
        pending: [],
      }),
    ).toThrow(ModelError);
  });
});
