import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoringBatch, scoringFlow } from '../../test/support/scoring-batches.js';
import { type DetectorConfig, detectorSchema } from '../config/schema.js';
import type { Detection } from '../core/detection.js';
import { ConfigError, ModelError } from '../core/errors.js';
import { type DetectorLog, SegmentDetectors } from './segment-detectors.js';
import { SyntheticRows } from './synthetic-rows.js';

const DIM = 12;
const featureNames = Array.from({ length: DIM }, (_, j) => `f${j}`);
const config: DetectorConfig = detectorSchema.parse({
  warmupFlows: 2000,
  hiddenUnits: [8, 3],
  learningRate: 0.01,
  batchSize: 512,
  falseAlertRate: 0.01,
});

const quiet: DetectorLog = () => undefined;
let packet = 0;
const flow = (segment: string) => scoringFlow(segment, ++packet);
/** A batch of `parts` concatenated in order, each part's rows belonging to one segment. */
const batch = (...parts: [segment: string, rows: Float32Array][]) => scoringBatch(featureNames, parts, flow);

function alertRate(detections: Detection[]): number {
  return detections.filter((d) => d.score >= d.threshold).length / detections.length;
}

describe('SegmentDetectors', () => {
  const data = new SyntheticRows({ dim: DIM, seed: 3 });
  const lines: string[] = [];
  const pool = new SegmentDetectors(config, (message) => lines.push(message));

  beforeAll(async () => {
    const warmup = await pool.score(batch(['lan', data.inliers(config.warmupFlows, true)]));
    expect(
      warmup.every((d) => d.modelState === 'learning' && d.pValue === 1 && d.topFeatures.length === 0),
    ).toBe(true);
    expect(pool.states().get('lan')).toBe('learning');
    await pool.flush();
  });

  afterAll(async () => {
    await pool.close();
  });

  it('goes from learning to ready after warm-up and logs the backend and the training', () => {
    expect(pool.states().get('lan')).toBe('ready');
    expect(pool.stats().get('lan')).toMatchObject({ state: 'ready', adaptations: 1, scoredFlows: 2000 });
    expect(lines).toContain('detector backend selected');
    expect(lines).toContain('segment model ready');
  });

  it('flags injected outliers, explains them, and keeps input order across segments', async () => {
    const input = batch(
      ['lan', data.inliers(500, true)],
      ['dmz', data.inliers(30, true)],
      ['lan', data.outliers(50, true)],
    );
    const detections = await pool.score(input);
    expect(detections.map((d) => d.flow)).toEqual(input.flows);
    const lan = detections.slice(0, 500);
    const outliers = detections.slice(530);
    expect(alertRate(lan)).toBeLessThan(0.05);
    expect(alertRate(outliers)).toBeGreaterThan(0.9);
    expect(detections.slice(500, 530).every((d) => d.modelState === 'learning')).toBe(true);
    for (const d of detections) {
      const names = d.detectors.map((m) => m.detector);
      if (d.modelState === 'learning') expect(names).toEqual(['autoencoder']);
      else expect(names).toEqual(['autoencoder', 'baseline', 'forecast', 'persistence']);
      expect(d.pValue).toBeLessThanOrEqual(Math.max(...d.detectors.map((m) => m.pValue)) + 1e-12);
      expect(d.topFeatures.length > 0).toBe(d.score >= d.threshold);
    }
    const explained = outliers.find((d) => d.topFeatures.length > 0)!;
    expect(explained.topFeatures.length).toBeGreaterThanOrEqual(3);
    expect(explained.topFeatures.length).toBeLessThanOrEqual(5);
    expect(explained.topFeatures[0]!.name).toMatch(/^f\d+$/);
    expect(explained.topFeatures[0]!.baseline).toBeGreaterThan(0);
  });

  it('alerts on held-out benign flows at about the target rate q', async () => {
    const detections = await pool.score(batch(['lan', data.inliers(20_000, true)]));
    const rate = alertRate(detections);
    expect(rate).toBeGreaterThan(config.falseAlertRate / 3);
    expect(rate).toBeLessThan(config.falseAlertRate * 3);
  });

  it('does not leak tensors over many scored batches', async () => {
    const input = batch(['lan', data.inliers(300, true)], ['lan', data.outliers(20, true)]);
    await pool.score(input);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) await pool.score(input);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('restores a snapshot that scores identically', async () => {
    await pool.flush();
    const snapshots = JSON.parse(JSON.stringify(pool.snapshots()));
    const copy = new SegmentDetectors(config, quiet);
    for (const snapshot of snapshots) await copy.restore(snapshot);
    expect(copy.states()).toEqual(pool.states());
    const input = batch(['lan', data.inliers(100, true)], ['lan', data.outliers(10, true)]);
    const [a, b] = [await pool.score(input), await copy.score(input)];
    expect(b.map((d) => d.score)).toEqual(a.map((d) => d.score));
    expect(b.map((d) => d.topFeatures)).toEqual(a.map((d) => d.topFeatures));
    await copy.close();
  });

  it('rejects batches whose feature set changed', async () => {
    const bad = { ...batch(['lan', data.inliers(1, true)]), featureNames: featureNames.slice(1) };
    await expect(pool.score(bad)).rejects.toThrow(ModelError);
  });
});

describe('SegmentDetectors lifecycle', () => {
  const data = new SyntheticRows({ dim: DIM, seed: 4 });

  it('keeps scoring while a segment trains, and close() stops training, frees tensors and is idempotent', async () => {
    const before = tf.memory().numTensors;
    const pool = new SegmentDetectors({ ...config, warmupFlows: 400, warmupEpochs: 100_000 }, quiet);
    await pool.score(batch(['slow', data.inliers(400, true)]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    const during = await pool.score(
      batch(['slow', data.inliers(10, true)], ['other', data.inliers(10, true)]),
    );
    // Training would take minutes; scoring must not wait for it.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(during.every((d) => d.modelState === 'learning' && d.pValue === 1)).toBe(true);
    const closing = pool.close();
    expect(pool.close()).toBe(closing);
    await closing;
    expect(tf.memory().numTensors).toBe(before);
    await expect(pool.score(batch(['slow', data.inliers(1, true)]))).rejects.toThrow(ModelError);
  });

  it('carries a half-filled warm-up buffer across a snapshot', async () => {
    const small = { ...config, warmupFlows: 200, warmupEpochs: 5 };
    const first = new SegmentDetectors(small, quiet);
    await first.score(batch(['lan', data.inliers(150, true)]));
    const snapshots = JSON.parse(JSON.stringify(first.snapshots()));
    await first.close();
    const second = new SegmentDetectors(small, quiet);
    await second.restore(snapshots[0]);
    await second.score(batch(['lan', data.inliers(50, true)]));
    await second.flush();
    expect(second.states().get('lan')).toBe('ready');
    await second.close();
  });

  it('rejects a warm-up too short to calibrate a threshold', () => {
    expect(() => new SegmentDetectors({ ...config, warmupFlows: 50 }, quiet)).toThrow(ConfigError);
  });
});
