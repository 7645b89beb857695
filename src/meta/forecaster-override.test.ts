import { describe, expect, it } from 'vitest';
import { scoringFlow } from '../../test/support/scoring-batches.js';
import { detectorSchema } from '../config/schema.js';
import { forecasterOverride } from './forecast/forecaster-file.js';
import { SegmentDetector } from './segment-detector.js';
import { SegmentDetectors } from './segment-detectors.js';

const config = detectorSchema.parse({ warmupFlows: 100, hiddenUnits: [4, 2] });
const featureNames = ['a', 'b', 'c'];
const learned = {
  params: { alpha: 0.05, beta: 0.01, gamma: 0.1, phi: 0.9, residualSmoothing: 0.08 },
  adaptation: { ticks: 40, steps: 5, pull: 2 },
};

const flows = (n: number, segment: string) => Array.from({ length: n }, (_, i) => scoringFlow(segment, i, 9));

describe('learned forecaster override', () => {
  it('reaches the segment VolumeForecaster over detector.forecast, and the defaults without it', () => {
    const withOverride = new SegmentDetector({
      segment: 'lan',
      featureNames,
      config,
      forecaster: forecasterOverride(learned),
    });
    const snapshot = withOverride.snapshot().forecaster;
    expect(snapshot.params).toEqual(learned.params);
    // Adaptation is pending: the closed ticks' counts are kept for it.
    expect(snapshot.head).toEqual([]);
    const plain = new SegmentDetector({ segment: 'lan', featureNames, config });
    expect(plain.snapshot().forecaster.params?.alpha).toBe(0.2);
    expect(plain.snapshot().forecaster.head).toBeUndefined();
    withOverride.dispose();
    plain.dispose();
  });

  it('is handed to every segment SegmentDetectors creates', async () => {
    const detectors = new SegmentDetectors(config, () => undefined, {
      forecaster: forecasterOverride(learned),
      trainingSliceMs: 1,
    });
    try {
      for (const segment of ['office', 'iot']) {
        const f = flows(20, segment);
        await detectors.score({
          flows: f,
          values: new Float32Array(f.length * featureNames.length),
          featureNames,
          windows: new Map(),
        });
      }
      const snapshots = detectors.snapshots();
      expect(snapshots.map((s) => s.segment).sort()).toEqual(['iot', 'office']);
      for (const s of snapshots) expect(s.forecaster.params).toEqual(learned.params);
    } finally {
      await detectors.close();
    }
  });
});
