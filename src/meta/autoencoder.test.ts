import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelError } from '../core/errors.js';
import { Autoencoder, type AutoencoderOptions } from './autoencoder.js';
import { selectBackend } from './backend.js';
import { SyntheticRows } from './synthetic-rows.js';

const DIM = 12;
const options: AutoencoderOptions = { inputDim: DIM, hiddenUnits: [8, 3], learningRate: 0.01, seed: 7 };

/** Probability that a random outlier scores above a random inlier (ties count half). */
function auc(inliers: Float32Array, outliers: Float32Array): number {
  let wins = 0;
  for (const o of outliers) for (const i of inliers) wins += o > i ? 1 : o === i ? 0.5 : 0;
  return wins / (inliers.length * outliers.length);
}

describe('Autoencoder', () => {
  const data = new SyntheticRows({ dim: DIM, seed: 1 });
  const train = data.inliers(2000);

  beforeAll(async () => {
    await selectBackend('auto');
  });

  it('learns the benign manifold: loss drops and outliers score far above inliers', async () => {
    const model = new Autoencoder(options);
    const fit = await model.fit(train, 40);
    expect(fit.aborted).toBe(false);
    expect(fit.epochLosses.at(-1)!).toBeLessThan(fit.epochLosses[0]! / 5);
    const inlierScores = model.score(data.inliers(400));
    const outlierScores = model.score(data.outliers(100));
    expect(auc(inlierScores, outlierScores)).toBeGreaterThan(0.95);
    model.dispose();
  });

  it('is repeatable from its seed and round-trips its weights', async () => {
    const a = new Autoencoder(options);
    const b = new Autoencoder(options);
    await a.fit(train, 3);
    await b.fit(train, 3);
    const rows = data.inliers(50);
    expect(a.score(rows)).toEqual(b.score(rows));
    const c = new Autoencoder({ ...options, seed: 8, initialWeights: a.exportWeights() });
    expect(c.score(rows)).toEqual(a.score(rows));
    const d = new Autoencoder({ ...options, seed: 9 });
    d.importWeights(a.exportWeights());
    expect(d.score(rows)).toEqual(a.score(rows));
    for (const m of [a, b, c, d]) m.dispose();
  });

  it('splits inference into micro-batches without changing the scores', () => {
    const whole = new Autoencoder(options);
    const sliced = new Autoencoder({ ...options, scoreBatchRows: 7 });
    const rows = data.inliers(100);
    const expected = whole.score(rows);
    const got = sliced.score(rows);
    for (let i = 0; i < expected.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 6);
    whole.dispose();
    sliced.dispose();
  });

  it('reconstructs only the rows asked for, in the order asked', () => {
    const model = new Autoencoder(options);
    const rows = data.inliers(12);
    const { scores, reconstruction } = model.scoreRows(rows);
    expect(Array.from(model.score(rows))).toEqual(Array.from(scores));
    const picked = model.reconstruct(rows, [9, 2]);
    expect(Array.from(picked)).toEqual([
      ...reconstruction.subarray(9 * DIM, 10 * DIM),
      ...reconstruction.subarray(2 * DIM, 3 * DIM),
    ]);
    model.dispose();
  });

  it('gives per-feature errors whose row means are the scores', () => {
    const model = new Autoencoder(options);
    const rows = data.outliers(5);
    const scores = model.score(rows);
    const perFeature = model.featureErrors(rows);
    for (let i = 0; i < 5; i++) {
      const mean = perFeature.subarray(i * DIM, (i + 1) * DIM).reduce((a, b) => a + b, 0) / DIM;
      expect(mean).toBeCloseTo(scores[i]!, 5);
    }
    model.dispose();
  });

  it('rejects weights of another architecture and rows of the wrong width', () => {
    const model = new Autoencoder(options);
    const other = new Autoencoder({ ...options, hiddenUnits: [8, 4] });
    expect(() => model.importWeights(other.exportWeights())).toThrow(ModelError);
    expect(() => model.score(new Float32Array(DIM + 1))).toThrow(ModelError);
    model.dispose();
    other.dispose();
  });

  it('stops at the next step when aborted and frees every tensor on dispose', async () => {
    const before = tf.memory().numTensors;
    const model = new Autoencoder(options);
    const controller = new AbortController();
    const fitting = model.fit(train, 1000, { sliceMs: 1, signal: controller.signal });
    controller.abort();
    const fit = await fitting;
    expect(fit.aborted).toBe(true);
    expect(fit.epochLosses.length).toBeLessThan(1000);
    model.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('Autoencoder.adapt', () => {
  const data = new SyntheticRows({ dim: 12, seed: 5 });
  const options: AutoencoderOptions = { inputDim: 12, hiddenUnits: [8, 3], learningRate: 0.01, seed: 3 };

  /** Squared distance between two weight sets. */
  function distance(a: Float32Array[], b: Float32Array[]): number {
    let d = 0;
    a.forEach((t, k) => {
      for (let i = 0; i < t.length; i++) d += (t[i]! - b[k]![i]!) ** 2;
    });
    return d;
  }

  it('lowers the loss in a few steps, is pulled toward its anchor, and leaks no tensors', async () => {
    await selectBackend('auto');
    const before = tf.memory().numTensors;
    const rows = data.inliers(128);
    const free = new Autoencoder(options);
    const anchor = free.exportWeights();
    const fit = await free.adapt(rows, 5, { anchor, anchorStrength: 0 });
    expect(fit.steps).toBe(5);
    expect(fit.epochLosses.at(-1)!).toBeLessThan(fit.epochLosses[0]!);
    const pulled = new Autoencoder(options);
    await pulled.adapt(rows, 5, { anchor, anchorStrength: 10 });
    const moved = (m: Autoencoder) => distance(m.exportWeights().tensors, anchor.tensors);
    expect(moved(pulled)).toBeLessThan(moved(free));
    free.dispose();
    pulled.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
