// Detector stage throughput with the full ensemble (autoencoder, volume forecaster, feature-deviation baseline,
// pair persistence, SPOT thresholds), and the time of one online adaptation round (5 steps on 128 flows).
// Run `npm run build` first; then `node bench/detector.js [backend] [batch flows] [capture]` (default wasm,
// 4096; a paced Kafka stream at 20k flows/s hands over batches of a few hundred). About 10 s on two cores.
// With a capture (e.g. bench/out/bench-1m.pcap) the rows are that capture's own features instead of
// synthetic ones, scored in the daemon's batches. The synthetic run also reports flows per CPU-second of the
// process (V8's background GC threads included, so it can be below the wall-clock rate), which moves less than
// wall-clock flows/s when other work shares the machine.

import { fileURLToPath } from 'node:url';
import { loadConfig } from '../dist/config/load-config.js';
import { detectorSchema } from '../dist/config/schema.js';
import { FeatureExtractor } from '../dist/features/extract-features.js';
import { Autoencoder } from '../dist/meta/autoencoder.js';
import { selectBackend } from '../dist/meta/backend.js';
import { SegmentDetectors } from '../dist/meta/segment-detectors.js';
import { SyntheticRows } from '../dist/meta/synthetic-rows.js';
import { loadFlowBatches } from './features.js';

const BUNDLED_CONFIG = fileURLToPath(new URL('../config/tapwatch.yaml', import.meta.url));

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

/**
 * Scoring throughput on synthetic rows: 81 non-integer counters per flow (every value takes the scaler's
 * slow log1p path), three segments, the same batch replayed with event time moving on.
 */
async function syntheticFlowsPerSecond(batchFlows) {
  const config = detectorSchema.parse({ backend, hiddenUnits: [16, 6] });
  const pool = new SegmentDetectors(config, () => undefined);
  await pool.score(batch(3 * config.warmupFlows));
  await pool.flush();
  const input = batch(batchFlows);
  let flows = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < 3000) {
    // Event time moves on, as it does in a stream: the same flows replayed at the same time would be a flood.
    for (const f of input.flows) {
      f.start += batchFlows * 10;
      f.end += batchFlows * 10;
    }
    await pool.score(input);
    flows += input.flows.length;
  }
  const flowsPerSecond = Math.round(flows / ((performance.now() - start) / 1000));
  const cpu = process.cpuUsage(cpu0);
  const flowsPerCpuSecond = Math.round(flows / ((cpu.user + cpu.system) / 1e6));
  await pool.close();
  return { flowsPerSecond, flowsPerCpuSecond };
}

/**
 * Scoring throughput on a capture's own feature rows (bundled config: its segments, features and detector
 * settings), in the daemon's batches: batches are scored, training awaited, until every segment seen is
 * ready and a tenth of the flows has gone by; the rest is timed.
 */
async function captureFlowsPerSecond(path) {
  const { config } = loadConfig(BUNDLED_CONFIG);
  const extractor = new FeatureExtractor(config.segments, config.features);
  const batches = (await loadFlowBatches(path)).batches.map((b) => extractor.extract(b));
  const total = batches.reduce((n, b) => n + b.flows.length, 0);
  const pool = new SegmentDetectors({ ...config.detector, backend }, () => undefined);
  let k = 0;
  let warm = 0;
  const ready = () => [...pool.states().values()].every((s) => s === 'ready');
  while (k < batches.length && (warm < total / 10 || !ready())) {
    warm += batches[k].flows.length;
    await pool.score(batches[k++]);
    await pool.flush();
  }
  let flows = 0;
  const start = performance.now();
  for (; k < batches.length; k++) {
    await pool.score(batches[k]);
    flows += batches[k].flows.length;
  }
  const flowsPerSecond = Math.round(flows / ((performance.now() - start) / 1000));
  await pool.close();
  return { flowsPerSecond, flows, batches: batches.length };
}

await selectBackend(backend);
const BATCH = Number(process.argv[3] ?? 4096);
const CAPTURE = process.argv[4];
const synthetic = CAPTURE ? undefined : await syntheticFlowsPerSecond(BATCH);
const capture = CAPTURE ? { path: CAPTURE, ...(await captureFlowsPerSecond(CAPTURE)) } : undefined;

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
    ...(capture ? { capture } : { batchFlows: BATCH, ...synthetic }),
    adaptMs: { median: +times[10].toFixed(2), p95: +times[18].toFixed(2) },
  }),
);
