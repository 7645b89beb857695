import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelError } from '../../core/errors.js';
import { FEATURE_SCHEMA_VERSION } from '../../features/feature-names.js';
import type { AutoencoderWeights } from '../autoencoder.js';
import { type ForecasterFile, loadForecasterParams } from '../forecast/forecaster-file.js';
import { MODEL_FORMAT, type ModelManifest } from './model-manifest.js';

/** A model directory read into memory. */
export interface LoadedModel {
  /** Pass as `SegmentDetectors`' `initialWeights`. */
  weights: AutoencoderWeights;
  featureNames: readonly string[];
  featureSchemaVersion: string;
  method: ModelManifest['method'];
  tapwatchVersion: string;
  manifest: ModelManifest;
  /**
   * The meta-learned volume-forecaster parameters (`forecaster.json`); undefined when the directory has none
   * (the forecaster then runs on `detector.forecast`'s defaults). Pass `forecasterOverride(model.forecaster)`
   * as `SegmentDetectors`' `forecaster`.
   */
  forecaster?: ForecasterFile;
}

/** What the running code expects; each given field must match the model exactly. */
export interface ModelExpectations {
  /** The features stage's `featureNames` (they depend on the configured λs). */
  featureNames?: readonly string[];
  /** `detector.hiddenUnits`. */
  hiddenUnits?: readonly number[];
  /** `detector.forecast.tickSeconds`: a `forecaster.json` fitted for another tick length is refused. */
  tickSeconds?: number;
}

/**
 * Reads a model directory written by `tapwatch meta-train` and checks it against the running code:
 * the feature schema version always, feature names, hidden units and the forecaster's tick length when given.
 * Any mismatch or damage (of `forecaster.json` too, when present) is a {@link ModelError} with a one-line
 * message naming the file and the difference.
 */
export async function loadModel(dir: string, expected: ModelExpectations = {}): Promise<LoadedModel> {
  const file = path.join(dir, 'model.json');
  const manifest = parseManifest(file, await read(file, 'utf8'));
  const where = file;
  if (manifest.featureSchemaVersion !== FEATURE_SCHEMA_VERSION) {
    throw new ModelError(
      `${where}: feature schema ${manifest.featureSchemaVersion} does not match this tapwatch's ${FEATURE_SCHEMA_VERSION}; retrain it with \`tapwatch meta-train\``,
    );
  }
  const names = expected.featureNames;
  if (names && names.join(',') !== manifest.featureNames.join(',')) {
    const i = names.findIndex((n, k) => n !== manifest.featureNames[k]);
    const at = i < 0 ? names.length : i;
    throw new ModelError(
      `${where}: feature names differ from the running features stage (${manifest.featureNames.length} vs ${names.length} columns, first difference at column ${at}: "${manifest.featureNames[at] ?? ''}" vs "${names[at] ?? ''}"); check features.lambdas or retrain`,
    );
  }
  const { inputDim, hiddenUnits } = manifest.architecture;
  if (expected.hiddenUnits && expected.hiddenUnits.join(',') !== hiddenUnits.join(',')) {
    throw new ModelError(
      `${where}: hidden units [${hiddenUnits}] differ from detector.hiddenUnits [${expected.hiddenUnits}]`,
    );
  }
  const specs = manifest.weightsManifest[0]?.weights ?? [];
  const binFile = path.join(dir, manifest.weightsManifest[0]?.paths[0] ?? 'weights.bin');
  const bin = await read(binFile);
  const total = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
  if (bin.length !== total * 4 || inputDim !== manifest.featureNames.length) {
    throw new ModelError(
      `${binFile}: expected ${total * 4} bytes of float32 weights for ${inputDim} inputs, got ${bin.length}`,
    );
  }
  let offset = 0;
  const tensors = specs.map((s) => {
    const size = s.shape.reduce((x, y) => x * y, 1);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++, offset += 4) values[i] = bin.readFloatLE(offset);
    return values;
  });
  const tickSeconds = expected.tickSeconds;
  const forecaster = await loadForecasterParams(dir, tickSeconds === undefined ? {} : { tickSeconds });
  return {
    weights: { inputDim, hiddenUnits: [...hiddenUnits], tensors },
    featureNames: manifest.featureNames,
    featureSchemaVersion: manifest.featureSchemaVersion,
    method: manifest.method,
    tapwatchVersion: manifest.tapwatchVersion,
    manifest,
    ...(forecaster ? { forecaster } : {}),
  };
}

async function read(file: string): Promise<Buffer>;
async function read(file: string, encoding: 'utf8'): Promise<string>;
async function read(file: string, encoding?: 'utf8'): Promise<Buffer | string> {
  try {
    return encoding ? await readFile(file, encoding) : await readFile(file);
  } catch (err) {
    throw new ModelError(`${file}: cannot read the model: ${(err as Error).message}`, { cause: err });
  }
}

function parseManifest(file: string, text: string): ModelManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ModelError(`${file}: not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const m = value as Partial<ModelManifest> | null;
  if (!m || m.format !== MODEL_FORMAT) {
    throw new ModelError(
      `${file}: expected format "${MODEL_FORMAT}", got ${JSON.stringify(m?.format ?? null)}`,
    );
  }
  if (!Array.isArray(m.featureNames) || !m.architecture || !Array.isArray(m.weightsManifest)) {
    throw new ModelError(`${file}: expected featureNames, architecture and weightsManifest`);
  }
  return m as ModelManifest;
}

/**
 * The model shipped with tapwatch (`models/default` in the package), found from this module's own
 * location so it works from `src` (tests) and `dist` alike.
 */
export const BUNDLED_MODEL_DIR = fileURLToPath(new URL('../../../models/default', import.meta.url));
