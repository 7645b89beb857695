import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Autoencoder } from '../autoencoder.js';
import { gaussian, seededRandom } from '../seeded-random.js';
import type { MetaTask } from './build-tasks.js';
import { trainReptile } from './reptile.js';

const DIM = 12;

/**
 * A family of tasks sharing structure, as segments of one kind of network do: every task's rows lie
 * near the same 2-D subspace, with a task-specific mixing and offset.
 */
function taskFamily(count: number, rowsPerTask: number, seed: number): MetaTask[] {
  const random = seededRandom(seed);
  const normal = gaussian(random);
  const basis = Array.from({ length: 2 }, () => Array.from({ length: DIM }, () => normal()));
  return Array.from({ length: count }, (_, t) => {
    const offset = Array.from({ length: DIM }, () => 0.3 * normal());
    const mix = [1 + 0.3 * normal(), 1 + 0.3 * normal()];
    const rows = new Float32Array(rowsPerTask * DIM);
    for (let i = 0; i < rowsPerTask; i++) {
      const a = normal() * mix[0]!;
      const b = normal() * mix[1]!;
      for (let j = 0; j < DIM; j++)
        rows[i * DIM + j] = a * basis[0]![j]! + b * basis[1]![j]! + offset[j]! + 0.05 * normal();
    }
    return { name: `task-${t}`, rows, count: rowsPerTask };
  });
}

const OPTIONS = {
  hiddenUnits: [6, 2],
  iterations: 60,
  metaBatchTasks: 2,
  innerSteps: 5,
  innerFlows: 32,
  innerLearningRate: 0.02,
  outerStepSize: 1,
  seed: 3,
};

/** Reconstruction loss on a new task after `steps` full-batch steps from `initial` (random when undefined). */
async function lossAfterAdapting(
  task: MetaTask,
  steps: number,
  initial?: Autoencoder['exportWeights'] extends () => infer W ? W : never,
) {
  const ae = new Autoencoder({
    inputDim: DIM,
    hiddenUnits: [6, 2],
    learningRate: 0.02,
    seed: 9,
    trainBatchRows: 32,
    ...(initial ? { initialWeights: initial } : {}),
  });
  const support = task.rows.subarray(0, 32 * DIM);
  await ae.fit(support, steps);
  const errors = ae.score(task.rows.subarray(32 * DIM));
  ae.dispose();
  return errors.reduce((a, b) => a + b, 0) / errors.length;
}

describe('trainReptile', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is deterministic for a seed', async () => {
    const tasks = taskFamily(6, 64, 1);
    const short = { ...OPTIONS, iterations: 5 };
    const a = await trainReptile(tasks, DIM, short);
    const b = await trainReptile(tasks, DIM, short);
    expect(a.losses).toEqual(b.losses);
    expect(a.weights.tensors).toEqual(b.weights.tensors);
    const c = await trainReptile(tasks, DIM, { ...short, seed: 4 });
    expect(c.weights.tensors[0]).not.toEqual(a.weights.tensors[0]);
  });

  it('learns an initialization that adapts to a new task of the family faster than a random one', async () => {
    const tasks = taskFamily(12, 96, 2);
    const trained = await trainReptile(tasks.slice(0, 10), DIM, OPTIONS);
    expect(trained.losses.at(-1)!).toBeLessThan(trained.losses[0]!);
    for (const held of tasks.slice(10)) {
      const meta = await lossAfterAdapting(held, 5, trained.weights);
      const random = await lossAfterAdapting(held, 5);
      expect(meta).toBeLessThan(random);
    }
    expect(tf.memory().numTensors).toBeLessThan(50);
  });
});
