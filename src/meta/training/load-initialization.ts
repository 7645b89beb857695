import type { DetectorConfig } from '../../config/schema.js';
import type { AutoencoderWeights } from '../autoencoder.js';
import { type ForecasterOverride, forecasterOverride } from '../forecast/forecaster-file.js';
import { BUNDLED_MODEL_DIR, loadModel } from './load-model.js';

/** Where every new segment's detector starts; empty = the detector's seeded random initialization. */
export interface Initialization {
  initialWeights?: AutoencoderWeights;
  forecaster?: ForecasterOverride;
}

/**
 * The initialization `detector.model` names: none, the bundled model, or a model directory, checked
 * against the running feature set. Logs what was loaded.
 */
export async function loadInitialization(
  detector: DetectorConfig,
  featureNames: readonly string[],
  log: (msg: string, fields: Record<string, unknown>) => void,
): Promise<Initialization> {
  if (detector.model === 'none') return {};
  const dir = detector.model === 'bundled' ? BUNDLED_MODEL_DIR : detector.model;
  const model = await loadModel(dir, {
    featureNames,
    hiddenUnits: detector.hiddenUnits,
    tickSeconds: detector.forecast.tickSeconds,
  });
  log('initialization loaded', {
    dir,
    method: model.method,
    trained_with: model.tapwatchVersion,
    forecaster: model.forecaster ? 'forecaster.json' : 'defaults',
  });
  return {
    initialWeights: model.weights,
    ...(model.forecaster ? { forecaster: forecasterOverride(model.forecaster) } : {}),
  };
}
