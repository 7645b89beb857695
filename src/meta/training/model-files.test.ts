import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../core/errors.js';
import { FEATURE_NAMES, FEATURE_SCHEMA_VERSION } from '../../features/feature-names.js';
import type { AutoencoderWeights } from '../autoencoder.js';
import { BUNDLED_MODEL_DIR, loadModel } from './load-model.js';
import { type ModelDescription, saveModel } from './save-model.js';

function weights(): AutoencoderWeights {
  const sizes = [FEATURE_NAMES.length, 4, 2, 4, FEATURE_NAMES.length];
  const tensors: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    tensors.push(Float32Array.from({ length: sizes[l]! * sizes[l + 1]! }, (_, i) => Math.sin(i + l)));
    tensors.push(Float32Array.from({ length: sizes[l + 1]! }, (_, i) => i / 10));
  }
  return { inputDim: FEATURE_NAMES.length, hiddenUnits: [4, 2], tensors };
}

const DESCRIPTION: ModelDescription = {
  tapwatchVersion: '0.0.0-test',
  method: 'reptile',
  featureSchemaVersion: FEATURE_SCHEMA_VERSION,
  featureNames: [...FEATURE_NAMES],
  hyperParameters: { iterations: 1 },
  training: { sources: [], tasks: 0, flows: 0, seed: 1, firstLoss: 1, lastLoss: 0.5 },
};

async function saved(): Promise<string> {
  const dir = path.join(await mkdtemp(path.join(tmpdir(), 'tapwatch-model-')), 'm');
  await saveModel(dir, weights(), DESCRIPTION);
  return dir;
}

describe('model files', () => {
  it('round-trips weights, names and metadata', async () => {
    const dir = await saved();
    const model = await loadModel(dir, { featureNames: FEATURE_NAMES, hiddenUnits: [4, 2] });
    expect(model.weights).toEqual(weights());
    expect(model.featureNames).toEqual(FEATURE_NAMES);
    expect(model.method).toBe('reptile');
    const manifest = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(manifest.weightsManifest[0].weights[0]).toEqual({
      name: 'dense_0/kernel',
      shape: [FEATURE_NAMES.length, 4],
      dtype: 'float32',
    });
  });

  it('refuses a model with another feature schema or other feature names, in one line', async () => {
    const dir = await saved();
    const file = path.join(dir, 'model.json');
    const manifest = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...manifest, featureSchemaVersion: 'tapwatch-features/0' }));
    const schema = loadModel(dir);
    await expect(schema).rejects.toBeInstanceOf(ModelError);
    await expect(schema).rejects.toThrow(/^[^\n]*feature schema tapwatch-features\/0 does not match[^\n]*$/);

    await writeFile(file, JSON.stringify(manifest));
    const renamed = [...FEATURE_NAMES];
    renamed[3] = 'something_else';
    await expect(loadModel(dir, { featureNames: renamed })).rejects.toThrow(
      /feature names differ .* column 3: "pkts_fwd" vs "something_else"/,
    );
    await expect(loadModel(dir, { hiddenUnits: [16, 6] })).rejects.toThrow(/hidden units \[4,2\]/);
  });

  it('loads the bundled default model against the default feature set', async () => {
    const model = await loadModel(BUNDLED_MODEL_DIR, { featureNames: FEATURE_NAMES, hiddenUnits: [16, 6] });
    expect(model.weights.inputDim).toBe(FEATURE_NAMES.length);
  });
});
