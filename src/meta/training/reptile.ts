import { Autoencoder, type AutoencoderWeights } from '../autoencoder.js';
import { seededRandom } from '../seeded-random.js';
import type { MetaTask } from './build-tasks.js';
import { sampleRows } from './sample-rows.js';

/** Hyper-parameters of {@link trainReptile}; recorded in `model.json`. */
export interface ReptileOptions {
  hiddenUnits: readonly number[];
  /** Outer (meta) iterations. */
  iterations: number;
  /** Tasks per outer step (batched Reptile). */
  metaBatchTasks: number;
  /** k: inner gradient steps per task. */
  innerSteps: number;
  /** n: benign flows per task in the inner loop (one full batch per step). */
  innerFlows: number;
  /** Adam learning rate of the inner loop. */
  innerLearningRate: number;
  /** ε at the first outer step; annealed linearly to 0 at the last. */
  outerStepSize: number;
  seed: number;
}

/** A trained initialization and its learning curve. */
export interface TrainedInitialization {
  weights: AutoencoderWeights;
  /** Per progress step: mean reconstruction loss of the initialization on the sampled tasks, before adapting. */
  losses: number[];
}

/** Called after each outer step with the steps done and the latest loss. */
export type ProgressCallback = (done: number, loss: number) => void;

/**
 * First-order meta-learning by Reptile (Nichol, Achiam & Schulman 2018, "On First-Order
 * Meta-Learning Algorithms", Algorithm 2, batched): for each outer step, every sampled task
 * starts from θ, takes k Adam steps on n of its benign flows (the one-class inner loop of
 * OC-MAML), ending at φ; then θ ← θ + ε·mean(φ − θ). ε is annealed linearly to 0, as in the
 * paper. The inner optimizer is fresh per task, as it is when a segment adapts online.
 * Deterministic for a seed: task choice, row sampling and the inner shuffles are all seeded.
 */
export async function trainReptile(
  tasks: readonly MetaTask[],
  dim: number,
  options: ReptileOptions,
  onProgress?: ProgressCallback,
): Promise<TrainedInitialization> {
  if (tasks.length === 0) throw new RangeError('reptile: no tasks to train on');
  const { hiddenUnits, innerFlows: n, innerSteps: k, seed } = options;
  const base = {
    inputDim: dim,
    hiddenUnits,
    learningRate: options.innerLearningRate,
    seed,
    trainBatchRows: n,
  };
  const learner = new Autoencoder(base);
  const theta = learner.exportWeights();
  const random = seededRandom(seed ^ 0x5eed);
  const losses: number[] = [];
  try {
    for (let t = 0; t < options.iterations; t++) {
      const epsilon = options.outerStepSize * (1 - t / options.iterations);
      const delta = theta.tensors.map((w) => new Float32Array(w.length));
      let loss = 0;
      for (let b = 0; b < options.metaBatchTasks; b++) {
        const task = tasks[Math.floor(random() * tasks.length)]!;
        const rows = sampleRows(task.rows, task.count, dim, n, random);
        learner.importWeights(theta);
        // One full batch of n rows per epoch, so k epochs are exactly k inner steps.
        const fit = await learner.fit(rows, k, { sliceMs: 1000 });
        loss += fit.epochLosses[0] ?? Number.NaN;
        const phi = learner.exportWeights();
        phi.tensors.forEach((w, j) => {
          const d = delta[j]!;
          const w0 = theta.tensors[j]!;
          for (let i = 0; i < w.length; i++) d[i]! += w[i]! - w0[i]!;
        });
      }
      const step = epsilon / options.metaBatchTasks;
      theta.tensors.forEach((w, j) => {
        const d = delta[j]!;
        for (let i = 0; i < w.length; i++) w[i]! += step * d[i]!;
      });
      losses.push(loss / options.metaBatchTasks);
      onProgress?.(t + 1, losses.at(-1)!);
    }
    return { weights: theta, losses };
  } finally {
    learner.dispose();
  }
}
