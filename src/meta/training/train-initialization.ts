import { FEATURE_SCHEMA_VERSION } from '../../features/feature-names.js';
import type { AutoencoderWeights } from '../autoencoder.js';
import type { TaskCorpus } from './build-tasks.js';
import { type PooledOptions, trainPooled } from './pooled-pretrain.js';
import { type ProgressCallback, type ReptileOptions, trainReptile } from './reptile.js';
import type { ModelDescription } from './save-model.js';

/** Defaults of `tapwatch meta-train`, sized so the default model trains in about a minute on two cores. */
export const DEFAULT_REPTILE: Omit<ReptileOptions, 'hiddenUnits' | 'seed'> = {
  iterations: 300,
  metaBatchTasks: 4,
  innerSteps: 8,
  innerFlows: 64,
  innerLearningRate: 0.01,
  outerStepSize: 1,
};

/** Defaults of `tapwatch meta-train --pooled`. */
export const DEFAULT_POOLED: Omit<PooledOptions, 'hiddenUnits' | 'seed'> = {
  epochs: 10,
  learningRate: 0.005,
  batchRows: 64,
  rowsPerTask: 256,
};

/** A training request: the method and its hyper-parameters. */
export type TrainingPlan =
  | { method: 'reptile'; options: ReptileOptions }
  | { method: 'pooled'; options: PooledOptions };

/** Trains the initialization a plan asks for and describes it for `model.json`. */
export async function trainInitialization(
  corpus: TaskCorpus,
  plan: TrainingPlan,
  tapwatchVersion: string,
  onProgress?: ProgressCallback,
): Promise<{ weights: AutoencoderWeights; description: ModelDescription }> {
  const dim = corpus.featureNames.length;
  const trained =
    plan.method === 'reptile'
      ? await trainReptile(corpus.tasks, dim, plan.options, onProgress)
      : await trainPooled(corpus.tasks, dim, plan.options, onProgress);
  const description: ModelDescription = {
    tapwatchVersion,
    method: plan.method,
    featureSchemaVersion: FEATURE_SCHEMA_VERSION,
    featureNames: [...corpus.featureNames],
    hyperParameters: { ...plan.options, hiddenUnits: [...plan.options.hiddenUnits] },
    training: {
      sources: corpus.sources,
      tasks: corpus.tasks.length,
      flows: corpus.tasks.reduce((a, t) => a + t.count, 0),
      seed: plan.options.seed,
      firstLoss: round(trained.losses[0] ?? Number.NaN),
      lastLoss: round(trained.losses.at(-1) ?? Number.NaN),
    },
  };
  return { weights: trained.weights, description };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
