import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AdamState } from './adam.js';
import { seededRandom } from './seeded-random.js';

describe('AdamState', () => {
  it('takes the same steps as tf.train.adam, to the bit', () => {
    const random = seededRandom(3);
    const initial = Float32Array.from({ length: 50 }, () => random() * 2 - 1);
    const target = Float32Array.from({ length: 50 }, () => random() * 4 - 2);
    const variable = tf.variable(tf.tensor1d(initial));
    const goal = tf.tensor1d(target);
    const optimizer = tf.train.adam(0.01);
    const params = [initial.slice()];
    const adam = new AdamState(0.01, tf.backend().epsilon(), [initial.length]);
    const loss = () => tf.mean(tf.squaredDifference(tf.sin(variable), goal)) as tf.Scalar;
    for (let step = 0; step < 20; step++) {
      const { grads } = tf.variableGrads(loss, [variable]);
      adam.step(params, [grads[variable.name]!.dataSync()]);
      for (const g of Object.values(grads)) g.dispose();
      tf.tidy(() => {
        optimizer.minimize(loss, false, [variable]);
      });
      expect(Array.from(params[0]!)).toEqual(Array.from(variable.dataSync()));
      // Continue both from the same point, so each step is compared on its own.
      variable.assign(tf.tensor1d(params[0]!.slice()));
    }
    optimizer.dispose();
    variable.dispose();
    goal.dispose();
  });
});
