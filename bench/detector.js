// Detector stage throughput with the full ensemble (autoencoder, volume forecaster, feature-deviation baseline,
// pair persistence, SPOT thresholds), and the time of one online adaptation round (5 steps on 128 flows).
// Run `npm run build` first; then `node bench/detector.js [backend] [batch flows]` (default wasm, 4096; a paced
// Kafka stream at 20k flows/s hands over batches of a few hundred). About 10 s on two cores.

import { detectorSchema } from '../dist/config/schema.js';
import { Autoencoder } from '../dist/meta/autoencoder.js';
import { selectBackend } from '../dist/meta/backend.js';
import { SegmentDetectors } from '../dist/meta/segment-detectors.js';
import { SyntheticRows } from '../dist/meta/synthetic-rows.js';

const DIM = 81;
const SEGMENTS = ['office', 'servers', 'iot'];
const backend = process.argv[2] ?? 'wasm';
const data = new SyntheticRows({ dim: DIM, seed: 1 });
const featureNames = Array.from({ length: DIM }, (_, j) => `f${j}`);
let clock = 0;

function batch(n) {
  const flows = Array.from({ length: n }, (_, i) => {
    clock += 10;
    const source = { format: 'pcap', origin: 'bench', firstPacket: i, lastPacket: i };
    const segment = SEGMENTS[i % SEGMENTS.length];
    return {
      start: clock,
      end: clock,
      srcIp: `10.0.${i % 7}.${i % 200}`,
      dstIp: `192.0.2.${i % 50}`,
      srcPort: 1,
      dstPort: 443,
      proto: 6,
      bytesFwd: 1,
      pktsFwd: 1,
      bytesRev: 1,
      pktsRev: 1,
      tcpFlags: 2,
      segment,
      source,
    };
  });
  return { flows, values: data.inliers(n, true), featureNames, windows: new Map() };
}

const config = detectorSchema.parse({ backend, hiddenUnits: [16, 6] });
await selectBackend(backend);
const pool = new SegmentDetectors(config, () => undefined);
await pool.score(batch(3 * config.warmupFlows));
await pool.flush();
const BATCH = Number(process.argv[3] ?? 4096);
const input = batch(BATCH);
let flows = 0;
const start = performance.now();
while (performance.now() - start < 3000) {
  // Event time moves on, as it does in a stream: the same flows replayed at the same time would be a flood.
  for (const f of input.flows) {
    f.start += BATCH * 10;
    f.end += BATCH * 10;
  }
  await pool.score(input);
  flows += input.flows.length;
}
const flowsPerSecond = Math.round(flows / ((performance.now() - start) / 1000));
await pool.close();

const model = new Autoencoder({ inputDim: DIM, hiddenUnits: [16, 6], learningRate: 0.005, seed: 1 });
const anchor = model.exportWeights();
const rows = data.inliers(128);
await model.adapt(rows, 5, { anchor, anchorStrength: 0.01 });
const times = [];
for (let i = 0; i < 20; i++) {
  const t = performance.now();
  await model.adapt(rows, 5, { anchor, anchorStrength: 0.01, sliceMs: 1e9 });
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
model.dispose();
console.log(
  JSON.stringify({
    backend,
    batchFlows: BATCH,
    flowsPerSecond,
    adaptMs: { median: +times[10].toFixed(2), p95: +times[18].toFixed(2) },
  }),
);
