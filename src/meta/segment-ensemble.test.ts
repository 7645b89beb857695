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
    new Float32Array(N).fill(Number.NaN),
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
