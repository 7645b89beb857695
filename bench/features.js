// Features-stage throughput: FeatureExtractor.extract over the flows of a real capture, in the
// batches the daemon would see. Plain ESM over the built output (`npm run build` first):
//
//   node bench/features.js bench/out/bench-1m.pcap [runs]
//
// The capture is read and assembled once, outside the timing; each run then builds a fresh
// extractor from the bundled config (its segments, λs and windows) so every run starts from
// empty tables, the state a replay starts from.

import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '../dist/config/load-config.js';
import { FeatureExtractor } from '../dist/features/extract-features.js';
import { PcapFileSource } from '../dist/ingest/capture/pcap-file-source.js';

const BUNDLED_CONFIG = fileURLToPath(new URL('../config/tapwatch.yaml', import.meta.url));

/**
 * Reads `path` into memory as the daemon's flow batches (default batch size, bundled flow config).
 * @returns {Promise<{ batches: object[][], flows: number, packets: number }>}
 */
export async function loadFlowBatches(path, configFile = BUNDLED_CONFIG) {
  const { config } = loadConfig(configFile);
  const source = new PcapFileSource([path], config.flows, { speed: 0 });
  const batches = [];
  let flows = 0;
  for await (const batch of source.batches()) {
    batches.push(batch);
    flows += batch.length;
  }
  return { batches, flows, packets: source.stats.packets };
}

/**
 * One timed pass of a fresh extractor over `batches`.
 * @returns {{ flows: number, seconds: number, flowsPerSecond: number }}
 */
export function benchFeatures(batches, configFile = BUNDLED_CONFIG) {
  const { config } = loadConfig(configFile);
  const extractor = new FeatureExtractor(config.segments, config.features);
  let flows = 0;
  let checksum = 0;
  const started = performance.now();
  for (const batch of batches) {
    const out = extractor.extract(batch);
    flows += batch.length;
    // One value per batch keeps the rows observable without adding a measurable pass.
    checksum += out.values[out.values.length - 1];
  }
  const seconds = (performance.now() - started) / 1000;
  if (Number.isNaN(checksum)) throw new Error('feature rows hold NaN: extract() promises finite values');
  return { flows, seconds, flowsPerSecond: Math.round(flows / seconds) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const path = process.argv[2] ?? 'bench/out/bench-1m.pcap';
  const runs = Number(process.argv[3] ?? 5);
  const { batches, flows, packets } = await loadFlowBatches(path);
  console.log(JSON.stringify({ path, packets, flows, batches: batches.length }));
  for (let i = 0; i < runs; i++) console.log(JSON.stringify(benchFeatures(batches)));
}
