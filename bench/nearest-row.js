// The feature-deviation member's nearest-row search on a capture's own feature rows: per segment, the
// first fifth of its flows is the warm-up (scaler fitted, 128 reference rows kept, as the detector does),
// and the rest is scored in batches of 500, the size a paced Kafka stream hands over. Reports the median
// microseconds per scored row over --runs passes, per segment and over all of them.
// Run `npm run build` first; then `node bench/nearest-row.js [capture] [--runs 5]` (default: the bundled
// samples/sample.pcap; bench/out/bench-1m.pcap has more flows). Synthetic rows (bench/detector.js) repeat,
// so they make this search look cheaper than it is on traffic; this bench uses traffic.

import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../dist/config/load-config.js';
import { FeatureExtractor } from '../dist/features/extract-features.js';
import { FeatureDeviationScorer } from '../dist/meta/feature-deviation-scorer.js';
import { RobustScaler } from '../dist/meta/scaler.js';
import { loadFlowBatches } from './features.js';

const BUNDLED_CONFIG = fileURLToPath(new URL('../config/tapwatch.yaml', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../samples/sample.pcap', import.meta.url));
const BATCH_ROWS = 500;
/** Segments with fewer flows than this are left out: their few rows time nothing but call overhead. */
const MIN_FLOWS = 2000;

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '5' } },
});
const path = positionals[0] ?? SAMPLE;
const runs = Number(args.runs);

/** Every flow's feature row, grouped by segment, in flow order. */
async function rowsBySegment() {
  const { config } = loadConfig(BUNDLED_CONFIG);
  const extractor = new FeatureExtractor(config.segments, config.features);
  const bySegment = new Map();
  let featureNames = [];
  for (const batch of (await loadFlowBatches(path)).batches) {
    const out = extractor.extract(batch);
    featureNames = out.featureNames;
    const d = featureNames.length;
    out.flows.forEach((flow, i) => {
      const rows = bySegment.get(flow.segment) ?? [];
      rows.push(out.values.subarray(i * d, (i + 1) * d));
      bySegment.set(flow.segment, rows);
    });
  }
  return { featureNames, bySegment };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const { featureNames, bySegment } = await rowsBySegment();
const d = featureNames.length;
const results = [];
for (const [segment, list] of bySegment) {
  if (list.length < MIN_FLOWS) continue;
  const rows = new Float32Array(list.length * d);
  list.forEach((row, i) => {
    rows.set(row, i * d);
  });
  const warm = Math.floor(list.length / 5);
  const scaler = new RobustScaler();
  scaler.fit(rows.subarray(0, warm * d), d);
  const scaled = scaler.transform(rows);
  const scorer = new FeatureDeviationScorer(featureNames);
  scorer.fit(scaled.subarray(0, warm * d));
  const scored = list.length - warm;
  const perRow = [];
  let checksum = 0;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    for (let i = warm; i < list.length; i += BATCH_ROWS) {
      const end = Math.min(list.length, i + BATCH_ROWS);
      checksum += scorer.score(scaled.subarray(i * d, end * d))[0];
    }
    perRow.push(((performance.now() - started) * 1000) / scored);
  }
  if (!Number.isFinite(checksum)) throw new Error(`segment ${segment}: a distance is not finite`);
  results.push({ segment, scoredRows: scored, usPerRow: Number(median(perRow).toFixed(3)) });
}
const total = results.reduce((n, r) => n + r.scoredRows, 0);
const usPerRow = results.reduce((sum, r) => sum + r.usPerRow * r.scoredRows, 0) / total;
console.log(JSON.stringify({ path, segments: results, usPerRow: Number(usPerRow.toFixed(3)) }));
