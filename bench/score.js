// Detector throughput: autoencoder inference per batch size (tapwatch's WebAssembly kernel, the same whatever
// the backend, beside a tf.LayersModel's `predict` on each TensorFlow.js backend), the detector stage end to
// end, and the warm-up training time of one segment. Run `npm run build` first; then `node bench/score.js`.
// Each measurement runs for `durationMs` (default 700 ms), so the whole run takes about 15 s on two cores.
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { loadConfig } from '../dist/config/load-config.js';
import { Autoencoder } from '../dist/meta/autoencoder.js';
import { selectBackend } from '../dist/meta/backend.js';
import { SegmentDetectors } from '../dist/meta/segment-detectors.js';
import { SyntheticRows } from '../dist/meta/synthetic-rows.js';

const BUNDLED_CONFIG = fileURLToPath(new URL('../config/tapwatch.yaml', import.meta.url));
const DIM = 32;
const HIDDEN = [16, 8];

/** Calls `run()` (which handles `rows` rows) repeatedly for about `durationMs`; returns rows per second. */
async function rowsPerSecond(rows, durationMs, run) {
  await run();
  let done = 0;
  const start = performance.now();
  while (performance.now() - start < durationMs) {
    await run();
    done += rows;
  }
  return Math.round(done / ((performance.now() - start) / 1000));
}

/** The same 32→16→8→16→32 network as a tf.LayersModel, to measure `predict` with and without its batch size. */
function layersModel() {
  const dense = (units, activation, inputShape) => tf.layers.dense({ units, activation, inputShape });
  return tf.sequential({
    layers: [dense(16, 'tanh', [DIM]), dense(8, 'tanh'), dense(16, 'tanh'), dense(DIM, 'linear')],
  });
}

function predictErrors(model, rows, n, batchSize) {
  const errors = tf.tidy(() => {
    const x = tf.tensor2d(rows, [n, DIM]);
    const options = batchSize === undefined ? {} : { batchSize };
    return tf.mean(tf.squaredDifference(x, model.predict(x, options)), 1);
  });
  errors.dataSync();
  errors.dispose();
}

async function inference(backend, durationMs, data) {
  await selectBackend(backend);
  const results = [];
  const layers = layersModel();
  for (const batchRows of [512, 4096, 16384]) {
    const rows = data.inliers(batchRows);
    const model = new Autoencoder({ inputDim: DIM, hiddenUnits: HIDDEN, learningRate: 0.005, seed: 1 });
    results.push({
      backend,
      batchRows,
      autoencoderRowsPerSecond: await rowsPerSecond(batchRows, durationMs, () => model.score(rows)),
      layersPredictDefaultBatchRowsPerSecond: await rowsPerSecond(batchRows, durationMs, () =>
        predictErrors(layers, rows, batchRows, undefined),
      ),
      layersPredictWholeBatchRowsPerSecond: await rowsPerSecond(batchRows, durationMs, () =>
        predictErrors(layers, rows, batchRows, batchRows),
      ),
    });
    model.dispose();
  }
  layers.dispose();
  return results;
}

function featureBatch(values, segments) {
  const featureNames = Array.from({ length: DIM }, (_, j) => `f${j}`);
  const n = values.length / DIM;
  const flows = Array.from({ length: n }, (_, i) => ({
    segment: `s${i % segments}`,
    source: { format: 'bench' },
  }));
  return { flows, values, featureNames, windows: new Map() };
}

/** The detector stage end to end (grouping, scaling, inference, calibration, Detection objects). */
async function pipeline(durationMs, data) {
  // The bundled config's detector section (schema defaults included), so the bench follows new
  // detector settings; only the backend is pinned, to what the daemon picks without tfjs-node.
  const config = { ...loadConfig(BUNDLED_CONFIG).config.detector, backend: 'wasm' };
  const results = [];
  for (const segments of [1, 16]) {
    let trainingMs = 0;
    const pool = new SegmentDetectors(config, (message, fields) => {
      if (message === 'segment model ready') trainingMs = Math.max(trainingMs, fields.trainingMs);
    });
    const started = performance.now();
    await pool.score(featureBatch(data.inliers(config.warmupFlows * segments, true), segments));
    await pool.flush();
    const warmupWallMs = Math.round(performance.now() - started);
    const batchRows = 4096;
    const batch = featureBatch(data.inliers(batchRows, true), segments);
    const rowsPerSec = await rowsPerSecond(batchRows, durationMs, () => pool.score(batch));
    results.push({
      segments,
      batchRows,
      detectionsPerSecond: rowsPerSec,
      trainingMsPerSegment: trainingMs,
      warmupWallMs,
    });
    await pool.close();
  }
  return results;
}

/**
 * Runs every measurement and returns the numbers. `backends` limits the `predict` comparison (the
 * detector-stage measurement trains on wasm, the daemon's choice without tfjs-node).
 */
export async function benchScore({ durationMs = 700, backends = ['wasm', 'cpu'] } = {}) {
  const data = new SyntheticRows({ dim: DIM, seed: 1 });
  const inferenceResults = [];
  for (const backend of backends) inferenceResults.push(...(await inference(backend, durationMs, data)));
  const stage = await pipeline(durationMs, data);
  return { inference: inferenceResults, pipeline: stage };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await benchScore();
  console.table(results.inference);
  console.table(results.pipeline);
}
