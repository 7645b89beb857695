import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../core/errors.js';
import { FEATURE_NAMES, FEATURE_SCHEMA_VERSION } from '../../features/feature-names.js';
import type { AutoencoderWeights } from '../autoencoder.js';
import { FORECASTER_FILE, saveForecasterParams } from '../forecast/forecaster-file.js';
import { loadModel } from './load-model.js';
import { saveModel } from './save-model.js';

function weights(): AutoencoderWeights {
  const sizes = [FEATURE_NAMES.length, 2, FEATURE_NAMES.length];
  const tensors: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    tensors.push(new Float32Array(sizes[l]! * sizes[l + 1]!).fill(0.5));
    tensors.push(new Float32Array(sizes[l + 1]!));
  }
  return { inputDim: FEATURE_NAMES.length, hiddenUnits: [2], tensors };
}

async function modelDir(): Promise<string> {
  const dir = path.join(await mkdtemp(path.join(tmpdir(), 'tapwatch-model-')), 'm');
  await saveModel(dir, weights(), {
    tapwatchVersion: '0.0.0-test',
    method: 'reptile',
    featureSchemaVersion: FEATURE_SCHEMA_VERSION,
    featureNames: [...FEATURE_NAMES],
    hyperParameters: {},
    training: { sources: [], tasks: 0, flows: 0, seed: 1, firstLoss: 1, lastLoss: 1 },
  });
  return dir;
}

const FORECASTER = {
  params: { alpha: 0.05, beta: 0.01, gamma: 0.1, phi: 0.95, residualSmoothing: 0.08 },
  adaptation: { ticks: 60, steps: 5, pull: 2 },
  tickSeconds: 10,
  seasonTicks: 0,
  training: { series: 3, ticks: 300, seed: 1, defaultMase: 0.8, fittedMase: 0.7 },
};

describe('model directory forecaster.json', () => {
  it('is undefined when the directory has none (the forecaster runs on its defaults)', async () => {
    const model = await loadModel(await modelDir(), { tickSeconds: 10 });
    expect(model.forecaster).toBeUndefined();
    expect(model.weights.inputDim).toBe(FEATURE_NAMES.length);
  });

  it('is loaded with the model when present', async () => {
    const dir = await modelDir();
    await saveForecasterParams(dir, FORECASTER);
    const model = await loadModel(dir, { tickSeconds: 10 });
    expect(model.forecaster?.params).toEqual(FORECASTER.params);
    expect(model.forecaster?.adaptation).toEqual(FORECASTER.adaptation);
  });

  it('refuses a damaged file, another version or another tick length, naming the file', async () => {
    const dir = await modelDir();
    const file = path.join(dir, FORECASTER_FILE);
    const named = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `);
    await writeFile(file, '{"format": "tapwatch-forecaster", "vers');
    await expect(loadModel(dir)).rejects.toBeInstanceOf(ModelError);
    await expect(loadModel(dir)).rejects.toThrow(named);
    await writeFile(file, JSON.stringify({ format: 'tapwatch-forecaster', version: 2, ...FORECASTER }));
    await expect(loadModel(dir)).rejects.toThrow(/version 1, got tapwatch-forecaster 2/);
    await saveForecasterParams(dir, FORECASTER);
    await expect(loadModel(dir, { tickSeconds: 5 })).rejects.toThrow(named);
    await expect(loadModel(dir, { tickSeconds: 5 })).rejects.toThrow(/fitted for 10 s ticks/);
    await saveForecasterParams(dir, { ...FORECASTER, params: { ...FORECASTER.params, alpha: 7 } });
    await expect(loadModel(dir)).rejects.toThrow(/params\.alpha = 7 is out of bounds/);
  });
});
