import { describe, expect, it } from 'vitest';
import { detectorSchema } from '../config/schema.js';
import { SegmentEnsemble } from './segment-ensemble.js';

const N = 400;
/** Benign-like raw scores: a smooth spread over [0, 1). */
const calibration = () => {
  const x = Float32Array.from({ length: N }, (_, i) => ((i * 37) % N) / N);
  return { autoencoder: x, baseline: x.slice(), forecast: new Float32Array(N).fill(Number.NaN) };
};

function ensemble(newPairsOnly: boolean): SegmentEnsemble {
  const config = detectorSchema.parse({ falseAlertRate: 0.01, persistence: { newPairsOnly } });
  const e = new SegmentEnsemble(config);
  const keys = Array.from({ length: N }, () => 'dev>gateway');
  e.calibrate(
    calibration(),
    { scores: new Float32Array(N).fill(Number.NaN), timesMs: Float64Array.from(keys, (_, i) => i * 1000) },
    keys,
    Float64Array.from(keys, (_, i) => i * 1000),
    keys,
  );
  return e;
}

/** The persistence member's p-value after ten mildly unusual flows of each pair, interleaved. */
function persistenceAfterRepeats(e: SegmentEnsemble): { known: number; fresh: number } {
  let out = { known: 1, fresh: 1 };
  for (let k = 0; k < 10; k++) {
    const raw = Float32Array.of(0.99, 0.99);
    const result = e.score(
      { autoencoder: raw, baseline: raw.slice(), forecast: Float32Array.of(Number.NaN, Number.NaN) },
      ['dev>gateway', 'dev>203.0.113.9'],
      Float64Array.of(1e6 + k * 60_000, 1e6 + k * 60_000 + 1),
    );
    const p = result.members.at(-1)!.pValues;
    out = { known: p[0]!, fresh: p[1]! };
  }
  return out;
}

describe('SegmentEnsemble pair persistence', () => {
  it('accumulates evidence only for pairs the warm-up did not hold (newPairsOnly)', () => {
    const e = ensemble(true);
    const { known, fresh } = persistenceAfterRepeats(e);
    expect(known).toBe(1);
    expect(fresh).toBeLessThan(0.5);
    // The known pairs survive a snapshot round trip.
    const restored = new SegmentEnsemble(detectorSchema.parse({ falseAlertRate: 0.01 }));
    restored.restore(e.snapshot());
    expect(persistenceAfterRepeats(restored).known).toBe(1);
  });

  it('tracks every pair when newPairsOnly is off', () => {
    const { known, fresh } = persistenceAfterRepeats(ensemble(false));
    expect(known).toBeLessThan(0.5);
    expect(fresh).toBeLessThan(0.5);
  });
});

describe('SegmentEnsemble forecast calibration', () => {
  const config = detectorSchema.parse({ falseAlertRate: 0.01 });
  const spread = (n: number, from = 0) =>
    Float32Array.from({ length: n }, (_, i) => (((from + i) * 37) % N) / N);
  /** A warm-up of N flows with finite forecast scores over `spanMs` of event time. */
  function calibrated(spanMs: number): SegmentEnsemble {
    const e = new SegmentEnsemble(config);
    const keys = Array.from({ length: N }, () => 'dev>gateway');
    const timesMs = Float64Array.from(keys, (_, i) => (i * spanMs) / N);
    e.calibrate(
      { ...calibration(), forecast: spread(N) },
      { scores: spread(N), timesMs },
      keys,
      timesMs,
      keys,
    );
    return e;
  }
  /** The forecast member's p-value of one very large forecast score at `atMs`. */
  function forecastP(e: SegmentEnsemble, atMs: number): number {
    const raw = Float32Array.of(0.5);
    const result = e.score(
      { autoencoder: raw, baseline: raw.slice(), forecast: Float32Array.of(50) },
      ['a>b'],
      Float64Array.of(atMs),
    );
    return result.members.find((m) => m.detector === 'forecast')!.pValues[0]!;
  }
  /** `n` benign flows spread evenly over [fromMs, toMs), forecast scores drawn from the warm-up's range. */
  function stream(e: SegmentEnsemble, n: number, fromMs: number, toMs: number): void {
    const raw = spread(n);
    const keys = new Array<string>(n).fill('a>b');
    const timesMs = Float64Array.from({ length: n }, (_, i) => fromMs + ((toMs - fromMs) * i) / n);
    e.score({ autoencoder: raw, baseline: raw.slice(), forecast: spread(n, fromMs / 1000) }, keys, timesMs);
  }

  it('calibrates on a warm-up whose forecast scores span 16 ticks', () => {
    expect(forecastP(calibrated(170_000), 200_000)).toBeLessThan(0.01);
  });

  it('calibrates a busy segment from stream scores spread over 16 ticks, not from one tick of flows', () => {
    // The whole warm-up inside one second: no evidence either way from the forecaster yet.
    const e = calibrated(1000);
    expect(forecastP(e, 2000)).toBe(1);
    // Ten thousand flows in the next 10 s tick are 64 samples, not a calibration.
    for (let k = 0; k < 10; k++) stream(e, 1000, 2000 + k * 1000, 3000 + k * 1000);
    expect(forecastP(e, 13_000)).toBe(1);
    // Sixteen more ticks of them are.
    for (let k = 0; k < 160; k++) stream(e, 100, 13_000 + k * 1000, 14_000 + k * 1000);
    expect(forecastP(e, 180_000)).toBeLessThan(0.01);
  });
});
