import { Autoencoder } from '../autoencoder.js';
import { seededRandom } from '../seeded-random.js';
import type { MetaTask } from './build-tasks.js';
import type { ProgressCallback, TrainedInitialization } from './reptile.js';
import { sampleRows } from './sample-rows.js';

/** Hyper-parameters of {@link trainPooled}; recorded in `model.json`. */
export interface PooledOptions {
  hiddenUnits: readonly number[];
  epochs: number;
  learningRate: number;
  /** Rows per gradient step. */
  batchRows: number;
  /** Rows drawn from each task (all of a smaller task), which caps the run time and balances tasks. */
  rowsPerTask: number;
  seed: number;
}

/**
 * The baseline meta-learning has to beat: plain pooled pretraining, i.e. one autoencoder trained
 * by minibatch Adam on every task's benign flows at once (each task in its own scaled units, as
 * for Reptile), then fine-tuned per segment like any other initialization.
 */
export async function trainPooled(
  tasks: readonly MetaTask[],
  dim: number,
  options: PooledOptions,
  onProgress?: ProgressCallback,
): Promise<TrainedInitialization> {
  if (tasks.length === 0) throw new RangeError('pooled pretraining: no tasks to train on');
  const random = seededRandom(options.seed ^ 0x9001ed);
  const parts = tasks.map((t) =>
    sampleRows(t.rows, t.count, dim, Math.min(t.count, options.rowsPerTask), random),
  );
  const rows = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    rows.set(p, offset);
    offset += p.length;
  }
  const model = new Autoencoder({
    inputDim: dim,
    hiddenUnits: options.hiddenUnits,
    learningRate: options.learningRate,
    seed: options.seed,
    trainBatchRows: options.batchRows,
  });
  const losses: number[] = [];
  try {
    // One epoch per call for progress; Adam's moments restart each epoch, a negligible difference here.
    for (let e = 0; e < options.epochs; e++) {
      const fit = await model.fit(rows, 1, { sliceMs: 1000 });
      losses.push(fit.epochLosses[0]!);
      onProgress?.(e + 1, losses.at(-1)!);
    }
    return { weights: model.exportWeights(), losses };
  } finally {
    model.dispose();
  }
}
