// The benchmark suite behind docs/benchmarks.md: `npm run bench` (builds, then runs this).
//
//   node bench/run.js [--runs 5] [--pipeline-runs 3] [--kafka-runs 3] [--packets 1000000]
//
// Generates a seeded synthetic capture into bench/out/ when it is missing, then measures on it:
//   (a) capture read, decode and flow assembly (our reader vs the pcap-parser baseline),
//   (b) the whole daemon as a child process (features, detector, alerts included) and its peak RSS,
//   (c) the features stage alone, (d) detector scoring; then, as child processes, (e) the full detector
//   ensemble, one adaptation round (bench/detector.js) and the nearest-row search on the capture's rows
//   (bench/nearest-row.js), (f) Kafka message decoding alone (bench/kafka-decode.js), and Kafka in → alerts
//   on Kafka against the test broker (bench/kafka.js; about a minute per run, `--kafka-runs 0` skips it).
// Every measurement is repeated; the median and the min–max range are reported, because the
// machines this runs on are shared and single runs are noisy. Prints a Markdown table and writes
// bench/out/results.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchDecodeAssemble } from './decode-assemble.js';
import { benchFeatures, loadFlowBatches } from './features.js';
import { benchPipeline } from './pipeline.js';
import { benchScore } from './score.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const GIB = 2 ** 30;

/** Floors the suite checks; docs/benchmarks.md explains where they come from. */
const FLOORS = {
  decodeAssemblePacketsPerSecond: 1_000_000,
  pipelinePacketsPerSecond: 200_000,
  pipelineMaxRssBytes: GIB,
  detectorFlowsPerSecond: 200_000,
  adaptationMs: 25,
  kafkaFlowsPerSecond: 100_000,
  kafkaP99Ms: 100,
};

/** Runs `bench/<script>` with `args` in a child process and returns its stdout. */
function runScript(script, args) {
  return execFileSync(process.execPath, [join(ROOT, 'bench', script), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 2 ** 20,
  });
}

/** bench/detector.js: the full ensemble's flows/s and the median time of one adaptation round. */
function benchDetector() {
  const out = JSON.parse(runScript('detector.js', ['wasm', '4096']).trim().split('\n').at(-1));
  return {
    flowsPerSecond: out.flowsPerSecond,
    flowsPerCpuSecond: out.flowsPerCpuSecond,
    adaptMs: out.adaptMs.median,
  };
}

/** bench/nearest-row.js: microseconds per row of the nearest-row search, on the capture's own rows. */
function benchNearestRow(capture) {
  return JSON.parse(runScript('nearest-row.js', [capture, '--runs', '3']).trim().split('\n').at(-1)).usPerRow;
}

/** bench/kafka-decode.js: per kind of message, µs per message (alone and with 16 batches alive) and bytes allocated. */
function benchKafkaDecode() {
  return JSON.parse(runScript('kafka-decode.js', []).trim().split('\n').at(-1));
}

/** bench/kafka.js: per format, backlog flows/s and p99 latency at the fixed offered load. */
function benchKafka() {
  const out = runScript('kafka.js', []);
  return JSON.parse(out.slice(out.indexOf('\n[') + 1));
}

/** Median and range of `values` (the median of an even count is the mean of the middle two). */
function summarise(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: values };
}

/** Calls `measure()` `runs` times in sequence and returns each result. */
async function repeat(runs, label, measure) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    process.stderr.write(`bench: ${label} ${i + 1}/${runs}\n`);
    results.push(await measure());
  }
  return results;
}

function ensureCapture(path, packets) {
  if (existsSync(path)) return;
  mkdirSync(OUT, { recursive: true });
  process.stderr.write(`bench: generating ${path} (${packets} packets)\n`);
  execFileSync(
    process.execPath,
    [join(ROOT, 'dist', 'tools', 'generate-sample.js'), '--out', path, '--packets', String(packets)],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

function machine(backend) {
  const cpuInfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuInfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return {
    cpu: model.trim(),
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / GIB) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    tfjsBackend: backend ?? 'unknown',
  };
}

async function measureAll({ capture, runs, pipelineRuns, kafkaRuns }) {
  const rates = (results) => summarise(results.map((r) => r.packetsPerSecond));
  const minPackets = 1; // One pass over the capture per run.
  const decode = await repeat(runs, 'decode+assemble', () =>
    benchDecodeAssemble(capture, { mode: 'decode+assemble', minPackets }),
  );
  const read = await repeat(runs, 'read', () => benchDecodeAssemble(capture, { mode: 'read', minPackets }));
  const baseline = await repeat(runs, 'pcap-parser', () =>
    benchDecodeAssemble(capture, { mode: 'pcap-parser', minPackets }),
  );
  const pipeline = await repeat(pipelineRuns, 'pipeline', () => benchPipeline(capture));
  const { batches, flows } = await loadFlowBatches(capture);
  const features = await repeat(runs, 'features', () => benchFeatures(batches));
  const scoring = await repeat(runs, 'score', () => benchScore({ backends: ['wasm'] }));
  const stageRate = (segments) =>
    summarise(scoring.map((s) => s.pipeline.find((p) => p.segments === segments).detectionsPerSecond));
  const wasm4096 = summarise(
    scoring.map((s) => s.inference.find((i) => i.batchRows === 4096).autoencoderRowsPerSecond),
  );
  const detector = await repeat(runs, 'detector ensemble', benchDetector);
  const nearestRow = await repeat(runs, 'nearest-row search', () => benchNearestRow(capture));
  const kafkaDecode = await repeat(runs, 'kafka decode', benchKafkaDecode);
  const kafka = await repeat(kafkaRuns, 'kafka', benchKafka);
  const kafkaFormat = (format) => {
    const runsOf = kafka.map((run) => run.find((r) => r.format === format));
    return {
      flowsPerSecond: summarise(runsOf.map((r) => r.throughputFlowsPerSecond)),
      coldFlowsPerSecond: summarise(runsOf.map((r) => r.coldFlowsPerSecond)),
      flowsPerCpuSecond: summarise(runsOf.map((r) => r.flowsPerCpuSecond)),
      p50Ms: summarise(runsOf.map((r) => r.latencyP50Ms)),
      p99Ms: summarise(runsOf.map((r) => r.latencyP99Ms)),
    };
  };
  return {
    packets: pipeline[0].packets,
    flows,
    decodeAssemble: rates(decode),
    read: rates(read),
    pcapParser: rates(baseline),
    pipeline: {
      packetsPerSecond: rates(pipeline),
      flowsPerSecond: summarise(pipeline.map((r) => r.flowsPerSecond)),
      maxRssBytes: summarise(pipeline.map((r) => r.maxRssBytes)),
      cpuSeconds:
        pipeline[0].cpuSeconds === undefined ? undefined : summarise(pipeline.map((r) => r.cpuSeconds)),
      rssSource: pipeline[0].rssSource,
      alerts: pipeline[0].alerts,
      backend: pipeline[0].backend,
    },
    featuresFlowsPerSecond: summarise(features.map((r) => r.flowsPerSecond)),
    detectorStageRowsPerSecond: { oneSegment: stageRate(1), sixteenSegments: stageRate(16) },
    autoencoderWasm4096RowsPerSecond: wasm4096,
    detectorEnsembleFlowsPerSecond: summarise(detector.map((r) => r.flowsPerSecond)),
    detectorEnsembleFlowsPerCpuSecond: summarise(detector.map((r) => r.flowsPerCpuSecond)),
    adaptationMs: summarise(detector.map((r) => r.adaptMs)),
    nearestRowUsPerRow: summarise(nearestRow),
    kafkaDecode: Object.fromEntries(
      kafkaDecode[0].map(({ label }) => {
        const of = (field) => summarise(kafkaDecode.map((run) => run.find((r) => r.label === label)[field]));
        return [
          label,
          {
            usPerMessage: of('usPerMessage'),
            usPerMessageQueued: of('usPerMessageQueued'),
            bytesPerMessage: of('bytesPerMessage'),
          },
        ];
      }),
    ),
    kafka: kafkaRuns > 0 ? { goflow2: kafkaFormat('goflow2-pb'), zeek: kafkaFormat('zeek') } : undefined,
  };
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const mib = (bytes) => `${fmt(bytes / 2 ** 20)} MiB`;
const range = (s, f = fmt) => `${f(s.min)} – ${f(s.max)}`;

function markdown(r, runs, pipelineRuns, kafkaRuns) {
  const met = (ok) => (ok ? 'met' : '**not met**');
  const p = r.pipeline;
  const rows = [
    [
      '(a) read + decode + flow assembly',
      'packets/s',
      r.decodeAssemble,
      runs,
      `≥ ${fmt(FLOORS.decodeAssemblePacketsPerSecond)}: ${met(r.decodeAssemble.median >= FLOORS.decodeAssemblePacketsPerSecond)}`,
    ],
    ['(a) our reader, no decode', 'packets/s', r.read, runs, ''],
    ['(a) pcap-parser baseline, no decode', 'packets/s', r.pcapParser, runs, ''],
    [
      '(b) whole pipeline (daemon replay)',
      'packets/s',
      p.packetsPerSecond,
      pipelineRuns,
      `≥ ${fmt(FLOORS.pipelinePacketsPerSecond)}: ${met(p.packetsPerSecond.median >= FLOORS.pipelinePacketsPerSecond)}`,
    ],
    ['(b) whole pipeline (daemon replay)', 'flows/s', p.flowsPerSecond, pipelineRuns, ''],
    [
      '(b) daemon peak RSS',
      'MiB',
      p.maxRssBytes,
      pipelineRuns,
      `< 1 GiB: ${met(p.maxRssBytes.max < FLOORS.pipelineMaxRssBytes)}`,
      mib,
    ],
    ['(c) features stage alone', 'flows/s', r.featuresFlowsPerSecond, runs, ''],
    [
      '(d) detector stage, 1 segment, 4096-row batches',
      'rows/s',
      r.detectorStageRowsPerSecond.oneSegment,
      runs,
      '',
    ],
    [
      '(d) detector stage, 16 segments, 4096-row batches',
      'rows/s',
      r.detectorStageRowsPerSecond.sixteenSegments,
      runs,
      '',
    ],
    [
      '(d) autoencoder inference (WebAssembly kernel, 4096 rows)',
      'rows/s',
      r.autoencoderWasm4096RowsPerSecond,
      runs,
      '',
    ],
    [
      '(e) detector stage, full ensemble, 81 features, 4096-flow batches',
      'flows/s',
      r.detectorEnsembleFlowsPerSecond,
      runs,
      `≥ ${fmt(FLOORS.detectorFlowsPerSecond)}: ${met(r.detectorEnsembleFlowsPerSecond.median >= FLOORS.detectorFlowsPerSecond)}`,
    ],
    [
      '(e) the same, per CPU-second of the bench process',
      'flows',
      r.detectorEnsembleFlowsPerCpuSecond,
      runs,
      '',
    ],
    [
      '(e) adaptation, 5 steps on 128 flows (median per run)',
      'ms',
      r.adaptationMs,
      runs,
      `≤ ${FLOORS.adaptationMs}: ${met(r.adaptationMs.median <= FLOORS.adaptationMs)}`,
      (x) => x.toFixed(1),
    ],
    [
      "(e) nearest-row search on the capture's rows (bench/nearest-row.js)",
      'µs per row',
      r.nearestRowUsPerRow,
      runs,
      '',
      (x) => x.toFixed(2),
    ],
  ];
  for (const [label, d] of Object.entries(r.kafkaDecode)) {
    const twoPlaces = (x) => x.toFixed(2);
    rows.push([`(f) Kafka decoding alone: ${label}`, 'µs per message', d.usPerMessage, runs, '', twoPlaces]);
    rows.push([
      `(f) Kafka decoding, 16 batches alive: ${label}`,
      'µs per message',
      d.usPerMessageQueued,
      runs,
      '',
      twoPlaces,
    ]);
    rows.push([
      `(f) Kafka decoding: ${label}`,
      'bytes allocated per message',
      d.bytesPerMessage,
      runs,
      '',
      (x) => x.toFixed(0),
    ]);
  }
  for (const [name, k] of r.kafka ? Object.entries(r.kafka) : []) {
    rows.push(
      [
        `(f) Kafka ${name} → alerts on Kafka, sustained backlog`,
        'flows/s',
        k.flowsPerSecond,
        kafkaRuns,
        `≥ ${fmt(FLOORS.kafkaFlowsPerSecond)}: ${met(k.flowsPerSecond.median >= FLOORS.kafkaFlowsPerSecond)}`,
      ],
      [`(f) Kafka ${name}, first backlog after start (cold)`, 'flows/s', k.coldFlowsPerSecond, kafkaRuns, ''],
      [`(f) Kafka ${name}, per daemon CPU-second`, 'flows', k.flowsPerCpuSecond, kafkaRuns, ''],
      [`(f) Kafka ${name}, p50 produce → alert at 20k flows/s`, 'ms', k.p50Ms, kafkaRuns, ''],
      [
        `(f) Kafka ${name}, p99 produce → alert at 20k flows/s`,
        'ms',
        k.p99Ms,
        kafkaRuns,
        `< ${FLOORS.kafkaP99Ms}: ${met(k.p99Ms.median < FLOORS.kafkaP99Ms)}`,
      ],
    );
  }
  const lines = [
    `Capture: ${fmt(r.packets)} packets, ${fmt(r.flows)} flows. Median of the runs, min – max beside it.`,
    '',
    '| measurement | unit | median | min – max | runs | floor |',
    '|:---|:---|---:|---:|---:|:---|',
  ];
  for (const [name, unit, s, n, floor, f = fmt] of rows) {
    const value = unit === 'MiB' ? (x) => f(x).replace(' MiB', '') : f;
    lines.push(`| ${name} | ${unit} | ${value(s.median)} | ${range(s, value)} | ${n} | ${floor} |`);
  }
  const ratio = (a, b) => (a / b).toFixed(2);
  lines.push(
    '',
    `Our reader vs pcap-parser (medians): ${ratio(r.read.median, r.pcapParser.median)}×; ` +
      `read + decode + assemble vs pcap-parser reading alone: ${ratio(r.decodeAssemble.median, r.pcapParser.median)}×; ` +
      `whole pipeline vs decode + assemble: ${ratio(p.packetsPerSecond.median, r.decodeAssemble.median)}×.`,
  );
  return lines.join('\n');
}

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'pipeline-runs': { type: 'string', default: '3' },
    'kafka-runs': { type: 'string', default: '3' },
    packets: { type: 'string', default: '1000000' },
  },
});
const runs = Number(values.runs);
const pipelineRuns = Number(values['pipeline-runs']);
const kafkaRuns = Number(values['kafka-runs']);
const capture = join(OUT, 'bench-1m.pcap');
ensureCapture(capture, Number(values.packets));
const results = await measureAll({ capture, runs, pipelineRuns, kafkaRuns });
const report = {
  date: new Date().toISOString(),
  machine: machine(results.pipeline.backend),
  capture: join('bench', 'out', 'bench-1m.pcap'),
  floors: FLOORS,
  floorsMet: {
    decodeAssemble: results.decodeAssemble.median >= FLOORS.decodeAssemblePacketsPerSecond,
    pipeline: results.pipeline.packetsPerSecond.median >= FLOORS.pipelinePacketsPerSecond,
    pipelineRss: results.pipeline.maxRssBytes.max < FLOORS.pipelineMaxRssBytes,
    detector: results.detectorEnsembleFlowsPerSecond.median >= FLOORS.detectorFlowsPerSecond,
    adaptation: results.adaptationMs.median <= FLOORS.adaptationMs,
    ...(results.kafka && {
      kafkaThroughput: Object.values(results.kafka).every(
        (k) => k.flowsPerSecond.median >= FLOORS.kafkaFlowsPerSecond,
      ),
      kafkaLatency: Object.values(results.kafka).every((k) => k.p99Ms.median < FLOORS.kafkaP99Ms),
    }),
  },
  results,
};
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
const m = report.machine;
process.stdout.write(
  `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, tfjs backend ${m.tfjsBackend}\n\n` +
    `${markdown(results, runs, pipelineRuns, kafkaRuns)}\n\nWrote bench/out/results.json\n`,
);
