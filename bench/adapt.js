// Adaptation of a new segment from the bundled initialization: 5 full-batch steps on 128 flows,
// on the wasm backend, median wall time of several runs. Run `npm run build` first.
import * as tf from '@tensorflow/tfjs';
import { Autoencoder } from '../dist/meta/autoencoder.js';
import { selectBackend } from '../dist/meta/backend.js';
import { gaussian, seededRandom } from '../dist/meta/seeded-random.js';
import { BUNDLED_MODEL_DIR, loadModel } from '../dist/meta/training/load-model.js';

const RUNS = 21;
const FLOWS = 128;
const STEPS = 5;

const choice = await selectBackend('wasm');
const model = await loadModel(BUNDLED_MODEL_DIR);
const dim = model.weights.inputDim;
const normal = gaussian(seededRandom(1));
const rows = Float32Array.from({ length: FLOWS * dim }, () => normal());
const times = [];
for (let run = 0; run < RUNS; run++) {
  const t0 = performance.now();
  const ae = new Autoencoder({
    inputDim: dim,
    hiddenUnits: model.weights.hiddenUnits,
    learningRate: 0.005,
    seed: run,
    trainBatchRows: FLOWS,
    initialWeights: model.weights,
  });
  await ae.fit(rows, STEPS, { sliceMs: 1000 });
  ae.dispose();
  times.push(performance.now() - t0);
}
// The first runs warm up the backend's kernels; the median is robust to them.
times.sort((a, b) => a - b);
const median = times[Math.floor(RUNS / 2)];
console.log(
  `adapt: backend ${choice.backend}, ${STEPS} steps on ${FLOWS} flows x ${dim} features: median ${median.toFixed(2)} ms over ${RUNS} runs (min ${times[0].toFixed(2)}, max ${times.at(-1).toFixed(2)}); tensors left ${tf.memory().numTensors}`,
);
