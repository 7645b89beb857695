import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AutoencoderWeights } from '../autoencoder.js';
import { MODEL_FORMAT, type ModelManifest, type WeightSpec } from './model-manifest.js';

/** Everything in `model.json` except what {@link saveModel} derives from the weights. */
export type ModelDescription = Omit<ModelManifest, 'format' | 'architecture' | 'weightsManifest' | 'scaler'>;

const WEIGHTS_FILE = 'weights.bin';

/**
 * Writes a model directory: `model.json` (see {@link ModelManifest}) and `weights.bin`. The output
 * holds no time stamps or absolute paths, so the same inputs and seed give byte-identical files.
 */
export async function saveModel(
  dir: string,
  weights: AutoencoderWeights,
  description: ModelDescription,
): Promise<void> {
  const sizes = [
    weights.inputDim,
    ...weights.hiddenUnits,
    ...weights.hiddenUnits.slice(0, -1).reverse(),
    weights.inputDim,
  ];
  const specs: WeightSpec[] = weights.tensors.map((_, k) => {
    const layer = k >> 1;
    return k % 2 === 0
      ? { name: `dense_${layer}/kernel`, shape: [sizes[layer]!, sizes[layer + 1]!], dtype: 'float32' }
      : { name: `dense_${layer}/bias`, shape: [sizes[layer + 1]!], dtype: 'float32' };
  });
  const manifest: ModelManifest = {
    format: MODEL_FORMAT,
    ...description,
    architecture: {
      inputDim: weights.inputDim,
      hiddenUnits: [...weights.hiddenUnits],
      activation: 'tanh',
      output: 'linear',
    },
    scaler: { kind: 'per-segment-robust' },
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
  };
  const total = weights.tensors.reduce((a, t) => a + t.length, 0);
  const bin = Buffer.alloc(total * 4);
  let offset = 0;
  for (const t of weights.tensors) {
    for (const v of t) offset = bin.writeFloatLE(v, offset);
  }
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, WEIGHTS_FILE), bin);
  await writeFile(path.join(dir, 'model.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}
