// Kafka end to end: flows/s from Kafka through decode, features, scoring and alert production, and the
// latency from producing a record to its alert reaching the SIEM topic at a fixed offered load.
//
//   npm run build && node bench/kafka.js [--flows 300000] [--rate 20000] [--seconds 10]
//     [--formats goflow2-pb,zeek] [--event-rate 12.5] [--no-forecast] [--cpu-prof DIR] [--node-flags='--flag ...']
//     [--flow-file PATH]
//
// --event-rate sets how many flows the synthetic network produces per second of event time (see
// EVENT_SPACING_MS); --no-forecast turns the volume-forecast member off (detector.ensemble.forecast: 0).
// --flow-file PATH writes the clean flows and the first backlog as tapwatch flow records (JSON lines) with
// PATH.labels.csv beside it (1 = attack flow), and exits: `tapwatch eval PATH -c <config>` then replays the same
// traffic offline, e.g. with online adaptation off.
//
// --cpu-prof DIR runs the daemon under `node --cpu-prof` and writes its .cpuprofile into DIR
// (summarise it with bench/profile-summary.js); the profile slows the daemon, so its numbers are
// not throughput figures. The daemon's node runs as the deploy files run it, with one V8 helper thread
// (--v8-pool-size=1, sized for two cores; docs/kafka.md, Sizing). --node-flags passes more V8/Node flags
// to the daemon's node only, after that one (A/B of runtime settings without touching the broker's and
// load generator's process; --node-flags=--v8-pool-size=4 gives Node's default pool).
//
// The broker is the Kafka-wire-protocol test broker (test/support/kafka-broker, TypeScript): this script
// compiles it with the project's own tsc into the OS temp directory first, so no extra tooling is needed.
// The daemon runs as a child process (`node dist/main.js run`); its main thread and its detector thread
// share the machine's cores with the broker and load generator, so the table also reports how busy each
// thread was while the backlog drained. The daemon first learns every segment from clean flows;
// throughput is then timed over backlogs produced while it was stopped, so it measures scoring with
// ready models (not warm-up buffering). Two backlogs of --flows each: the first runs cold (it also pays
// for compiling the hot path) and is timed from SIGCONT to the commit of its last record; the second gives
// the sustained rate, over its middle 80 %. Then latency from each input record's Kafka timestamp to the timestamp of the
// alert on the SIEM topic (set when the sink sends it), plus the daemon's own
// tapwatch_alert_latency_seconds histogram (record timestamp → broker acknowledged the alert).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { encodeFlowMessage } from './flow-messages.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    'cpu-prof': { type: 'string' },
    'node-flags': { type: 'string', default: '' },
    flows: { type: 'string', default: '300000' },
    formats: { type: 'string', default: 'goflow2-pb,zeek' },
    partitions: { type: 'string', default: '1' },
    rate: { type: 'string', default: '20000' },
    'event-rate': { type: 'string', default: '12.5' },
    'no-forecast': { type: 'boolean', default: false },
    seconds: { type: 'string', default: '10' },
    'flow-file': { type: 'string' },
  },
});
const FLOWS = Number(args.flows);
const RATE = Number(args.rate);
/**
 * Event-time spacing of consecutive flows, ms: the synthetic network produces --event-rate flows per second
 * (default 12.5, 80 ms apart: docs/benchmarks.md, *Event time of the bench's flows*).
 */
const EVENT_SPACING_MS = 1000 / Number(args['event-rate']);
const SECONDS = Number(args.seconds);
// One upstream partition by default: the synthetic stream packs minutes of event time into each
// second, so batches from several partitions would interleave event time far more than live
// traffic does (live partitions are written at the same wall-clock time).
const PARTITIONS = Number(args.partitions);
const FORMATS = args.formats.split(',');
/** The flag the deploy files start the daemon with (Dockerfile, systemd unit), then --node-flags. */
const DAEMON_NODE_FLAGS = [
  '--v8-pool-size=1',
  ...args['node-flags'].split(' ').filter((flag) => flag !== ''),
  ...(args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', args['cpu-prof']] : []),
];
const T0 = 1_767_225_600_000;
/** Most records per produce request, backlog and paced load alike. */
const SEND_CHUNK = 1000;

function compileBroker() {
  const out = mkdtempSync(join(tmpdir(), 'tapwatch-bench-broker-'));
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const entry = join(ROOT, 'test', 'support', 'kafka-broker', 'test-kafka-broker.ts');
  execFileSync(
    process.execPath,
    [
      tsc,
      '--outDir',
      out,
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
      entry,
    ],
    { stdio: 'inherit' },
  );
  return import(pathToFileURL(join(out, 'test-kafka-broker.js')).href);
}

/** mulberry32: a tiny seeded generator, so every run offers the same records. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const SERVICES = [
  [6, 443],
  [6, 80],
  [17, 53],
  [6, 22],
];

/** Flows before the first probe: every segment's warm-up (1,024 flows each) sees benign traffic only. */
const CLEAN_FLOWS = 6000;
/** Segments of the bench config, one per /24 of {@link flowAt}. */
const SEGMENTS = 3;

/**
 * Seeded traffic: benign clients in three /24s, and after the warm-up one
 * SYN probe in every 200 flows. 80 ms apart in event time, so a segment's 1,024 warm-up flows span about
 * four minutes, which the volume forecaster needs before it scores.
 */
function flowAt(i) {
  // Addresses of 12 to 14 characters, as in most networks. V8 keeps one shared copy of a JSON string value
  // shorter than ten characters, so shorter addresses would hide what each record's own copy costs.
  const net = `192.168.${101 + (i % 3)}`;
  const rnd = random(i + 1);
  const start = T0 + Math.floor(i * EVENT_SPACING_MS + (rnd() * 2 - 1) * 60);
  if (i >= CLEAN_FLOWS && i % 200 === 199) {
    return {
      start,
      end: start,
      src: `${net}.66`,
      dst: `${net}.5`,
      sport: 40000,
      dport: 1 + (i % 1000),
      proto: 6,
      bytesFwd: 44,
      pktsFwd: 1,
      bytesRev: 0,
      pktsRev: 0,
      flags: 2,
    };
  }
  const [proto, dport] = SERVICES[Math.floor(rnd() * SERVICES.length)];
  const pktsFwd = 3 + Math.floor(rnd() * 20);
  const pktsRev = 3 + Math.floor(rnd() * 30);
  return {
    start,
    end: start + 20 + Math.floor(rnd() * 500),
    src: `${net}.${20 + Math.floor(rnd() * 40)}`,
    dst: `${net}.${5 + Math.floor(rnd() * 3)}`,
    sport: 32768 + Math.floor(rnd() * 28000),
    dport,
    proto,
    bytesFwd: pktsFwd * (60 + Math.floor(rnd() * 400)),
    pktsFwd,
    bytesRev: pktsRev * (200 + Math.floor(rnd() * 1200)),
    pktsRev,
    flags: proto === 6 ? 0x1b : 0,
  };
}

function configYaml(brokers, format) {
  return `input:
  kafka:
    brokers: [${brokers.join(', ')}]
    groupId: bench
    fromBeginning: true
    topics: [{ name: flows, format: ${format} }]
segments:
  definitions:
    - { name: a, cidrs: [192.168.101.0/24] }
    - { name: b, cidrs: [192.168.102.0/24] }
    - { name: c, cidrs: [192.168.103.0/24] }
${args['no-forecast'] ? 'detector:\n  ensemble: { forecast: 0 }\n' : ''}alerts:
  dedupWindowSeconds: 0
  maxAlertsPerMinute: 0
  stdout: { enabled: false }
  kafka: { enabled: true, topic: siem }
telemetry:
  listen: 127.0.0.1:0
`;
}

async function producer(brokers) {
  const kafka = new Kafka({ brokers, clientId: 'bench', logLevel: logLevel.NOTHING });
  const p = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await p.connect();
  return p;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(check, timeoutMs, what) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`bench: timed out waiting for ${what}`);
}

/**
 * CPU seconds (user + system) the process has used so far, from /proc (Linux); NaN elsewhere. On a
 * shared machine, flows per CPU-second of the daemon moves far less with other load than flows/s.
 */
function cpuSeconds(pid) {
  try {
    // Fields after the command name: state is field 3, utime and stime are fields 14 and 15.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** The process's peak resident set size so far in MiB, from /proc (Linux); NaN elsewhere. */
function peakRss(pid) {
  try {
    const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Math.round(Number(kib) / 1024);
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds per thread of the process (Linux): the main thread (its id is the pid) and the others. */
function threadCpuSeconds(pid) {
  const threads = new Map();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`))
      threads.set(Number(tid), cpuSeconds(`${pid}/task/${tid}`));
  } catch {
    // Not Linux: no per-thread figures.
  }
  return threads;
}

/**
 * Share of `seconds` each kind of thread was on a CPU: the main thread, the busiest other thread (the
 * detector thread) and the rest together (V8's garbage-collection helpers, libuv's pool). A share of 1 means
 * that thread alone sets the throughput.
 */
function threadBusy(before, after, pid, seconds) {
  const used = [...after].map(([tid, cpu]) => [tid, cpu - (before.get(tid) ?? 0)]);
  const others = used.filter(([tid]) => tid !== pid).map(([, cpu]) => cpu);
  const main = used.find(([tid]) => tid === pid)?.[1] ?? Number.NaN;
  const detector = Math.max(0, ...others);
  const rest = others.reduce((sum, cpu) => sum + cpu, 0) - detector;
  const share = (cpu) => +(cpu / seconds).toFixed(2);
  return { main: share(main), detector: share(detector), rest: share(rest) };
}

/** Per-stage call count and seconds from `tapwatch_processing_duration_seconds`. */
function stageTotals(text) {
  const totals = {};
  for (const line of text.split('\n')) {
    const m = /^tapwatch_processing_duration_seconds_(sum|count)\{stage="([^"]+)"\} (\S+)$/.exec(line);
    if (!m) continue;
    totals[m[2]] ??= { sum: 0, count: 0 };
    totals[m[2]][m[1]] = Number(m[3]);
  }
  return totals;
}

/** Training rounds of every segment so far (warm-up, adaptation, re-adaptation), from a scrape. */
function adaptations(text) {
  return text
    .split('\n')
    .filter((l) => l.startsWith('tapwatch_segment_adaptations_total{'))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Stage totals between two scrapes: calls, total ms and ms per call. */
function stageDelta(before, after) {
  return Object.fromEntries(
    Object.entries(after).map(([stage, a]) => {
      const b = before[stage] ?? { sum: 0, count: 0 };
      const calls = a.count - b.count;
      const ms = (a.sum - b.sum) * 1000;
      return [stage, { calls, ms: Math.round(ms), msPerCall: calls > 0 ? +(ms / calls).toFixed(2) : 0 }];
    }),
  );
}

async function run(TestKafkaBroker, format) {
  const broker = await TestKafkaBroker.start({
    topics: [
      { name: 'flows', partitions: PARTITIONS },
      { name: 'siem', partitions: 1 },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), 'tapwatch-bench-'));
  writeFileSync(join(dir, 'tapwatch.yaml'), configYaml(broker.brokers, format));
  const p = await producer(broker.brokers);
  const send = async (from, to) => {
    for (let i = from; i < to; i += SEND_CHUNK) {
      const messages = [];
      for (let k = i; k < Math.min(to, i + SEND_CHUNK); k++)
        messages.push({ value: encodeFlowMessage(flowAt(k), format), partition: k % PARTITIONS });
      await p.send({ topic: 'flows', messages });
    }
  };
  // Every segment learns from the clean flows first: the throughput below is that of scoring, not of
  // filling warm-up buffers while the models train.
  await send(0, CLEAN_FLOWS);
  const child = spawn(
    process.execPath,
    [...DAEMON_NODE_FLAGS, join(ROOT, 'dist', 'main.js'), 'run', '--config', join(dir, 'tapwatch.yaml')],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const committed = () =>
    Array.from({ length: PARTITIONS }, (_v, q) => q).reduce(
      (sum, q) => sum + (broker.committedOffset('bench', 'flows', q) ?? 0),
      0,
    );
  await waitFor(() => stderr.includes('telemetry listening'), 60_000, 'telemetry address');
  const address = JSON.parse(stderr.split('\n').find((l) => l.includes('telemetry listening'))).address;
  const metrics = async () => (await fetch(`http://${address}/metrics`)).text();
  const readySegments = async () =>
    (await metrics())
      .split('\n')
      .filter((l) => l.startsWith('tapwatch_segment_model_state{') && l.includes('state="ready"'))
      .filter((l) => l.endsWith(' 1')).length;
  await waitFor(
    async () => committed() >= CLEAN_FLOWS && (await readySegments()) === SEGMENTS,
    120_000,
    'every segment ready',
  );
  // Throughput: each backlog lands on the topic while the daemon is stopped (SIGSTOP, well inside the
  // group's 30 s session timeout), then it drains it from the first fetch after SIGCONT. The first
  // backlog after the models are ready runs cold: it also pays for compiling the scoring path (V8's
  // optimizing compiler on a helper thread) and for growing the heap, and is timed from SIGCONT to the
  // commit of its last record. The second is timed over its middle: from the commit that passes 10 % of
  // it to the one that passes 90 %, so the rate is that of a full pipeline, without the first fetch or
  // the last batch's trip through the pipeline and the commit interval.
  const drain = async (from) => {
    child.kill('SIGSTOP');
    await send(from, from + FLOWS);
    // One sample per commit step (and one before SIGCONT): only those can be the span's ends, and reading
    // /proc at every 20 ms poll would add the bench's own CPU to what it measures.
    const samples = [];
    const sample = () => {
      const done = committed() - from;
      if (samples.at(-1)?.done === done) return false;
      samples.push({
        at: performance.now(),
        done,
        cpu: cpuSeconds(child.pid),
        threads: threadCpuSeconds(child.pid),
        own: process.cpuUsage(),
      });
      return done >= FLOWS;
    };
    sample();
    child.kill('SIGCONT');
    await waitFor(sample, 600_000, 'backlog');
    const span = (first, last) => {
      const seconds = (last.at - first.at) / 1000;
      const flows = last.done - first.done;
      const own = (last.own.user + last.own.system - first.own.user - first.own.system) / 1e6;
      return {
        flowsPerSecond: Math.round(flows / seconds),
        // Flows per CPU-second of the daemon (all its threads): its throughput on one free core.
        flowsPerCpuSecond: Math.round(flows / (last.cpu - first.cpu)),
        threadBusy: threadBusy(first.threads, last.threads, child.pid, seconds),
        // The test broker and this script share the machine with the daemon: their CPU meanwhile.
        brokerCpuShare: +(own / seconds).toFixed(2),
      };
    };
    const passing = (share) => samples.find((s) => s.done >= share * FLOWS);
    return { whole: span(samples[0], samples.at(-1)), middle: span(passing(0.1), passing(0.9)) };
  };
  const cold = (await drain(CLEAN_FLOWS)).whole;
  const scrape0 = await metrics();
  const sustained = (await drain(CLEAN_FLOWS + FLOWS)).middle;
  const scrape1 = await metrics();
  const [stages0, stages1] = [stageTotals(scrape0), stageTotals(scrape1)];

  // Latency at a fixed offered load, segments ready by now.
  const base = CLEAN_FLOWS + 2 * FLOWS;
  const total = RATE * SECONDS;
  const tickMs = 10;
  const perTick = Math.round((RATE * tickMs) / 1000);
  const started = performance.now();
  const startedWallMs = Date.now();
  const pacedCpu0 = cpuSeconds(child.pid);
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE) + perTick);
    // At most SEND_CHUNK per request even when the generator fell behind: the test broker and
    // kafkajs take superlinear time on large produce requests (20,000 records: ~20 s), which
    // would stall the offered load for minutes instead of letting it catch up.
    while (sent < due) {
      const messages = [];
      for (const end = Math.min(due, sent + SEND_CHUNK); sent < end; sent++)
        messages.push({
          value: encodeFlowMessage(flowAt(base + sent), format),
          partition: sent % PARTITIONS,
        });
      await p.send({ topic: 'flows', messages });
    }
    await sleep(tickMs);
  }
  const offered = total / ((performance.now() - started) / 1000);
  await waitFor(() => committed() >= base + total, 120_000, 'paced load');
  // The daemon's CPU (all threads) while it kept up with the offered load: what an instance needs at that rate.
  const pacedCores = (cpuSeconds(child.pid) - pacedCpu0) / ((performance.now() - started) / 1000);
  const inputs = new Map(broker.records('flows').map((r) => [`${r.partition}:${r.offset}`, r.timestamp]));
  // Only alerts on the paced records: the backlog's alerts measure queueing, not latency.
  const latencies = broker
    .records('siem')
    .map((r) => {
      const input = JSON.parse(r.value.toString()).tapwatch.input;
      const produced = inputs.get(`${input.partition}:${input.offset}`);
      return produced !== undefined && produced >= startedWallMs ? r.timestamp - produced : undefined;
    })
    .filter((v) => v !== undefined)
    .sort((a, b) => a - b);
  // Alerts on the clean flows, over the whole run: every attack flow comes from one host per segment (.66).
  const falseAlerts = broker
    .records('siem')
    .filter((r) => !JSON.parse(r.value.toString()).source.ip.endsWith('.66')).length;
  const quantile = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const histogram = await (await fetch(`http://${address}/metrics`)).text();
  const stages2 = stageTotals(histogram);
  const peakRssMiB = peakRss(child.pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  await p.disconnect();
  await broker.close();
  return {
    format,
    flows: FLOWS,
    daemonNodeFlags: DAEMON_NODE_FLAGS,
    throughputFlowsPerSecond: sustained.flowsPerSecond,
    flowsPerCpuSecond: sustained.flowsPerCpuSecond,
    backlogThreadBusy: sustained.threadBusy,
    brokerCpuShare: sustained.brokerCpuShare,
    coldFlowsPerSecond: cold.flowsPerSecond,
    coldFlowsPerCpuSecond: cold.flowsPerCpuSecond,
    offeredFlowsPerSecond: Math.round(offered),
    pacedCores: +pacedCores.toFixed(2),
    // Flows per CPU-second at the offered load: smaller fetches and batches than a backlog's.
    pacedFlowsPerCpuSecond: Math.round(offered / pacedCores),
    peakRssMiB,
    alertsMeasured: latencies.length,
    falseAlerts,
    latencyP50Ms: quantile(0.5),
    latencyP99Ms: quantile(0.99),
    backlogStages: stageDelta(stages0, stages1),
    // Adaptation rounds while the second backlog drained: how much training its event time asked for.
    backlogAdaptations: adaptations(scrape1) - adaptations(scrape0),
    pacedStages: stageDelta(stages1, stages2),
    ackHistogram: histogram
      .split('\n')
      .filter((l) => l.startsWith('tapwatch_alert_latency_seconds_bucket'))
      .map((l) => l.replace('tapwatch_alert_latency_seconds_bucket', '')),
  };
}

if (args['flow-file']) {
  const lines = [];
  const labels = [];
  for (let i = 0; i < CLEAN_FLOWS + FLOWS; i++) {
    const f = flowAt(i);
    lines.push(
      JSON.stringify({
        start: f.start,
        end: f.end,
        srcIp: f.src,
        dstIp: f.dst,
        srcPort: f.sport,
        dstPort: f.dport,
        proto: f.proto,
        bytesFwd: f.bytesFwd,
        pktsFwd: f.pktsFwd,
        bytesRev: f.bytesRev,
        pktsRev: f.pktsRev,
        tcpFlags: f.flags,
      }),
    );
    labels.push(f.src.endsWith('.66') ? 1 : 0);
  }
  writeFileSync(args['flow-file'], `${lines.join('\n')}\n`);
  writeFileSync(`${args['flow-file']}.labels.csv`, `${labels.join('\n')}\n`);
  process.exit(0);
}
const { TestKafkaBroker } = await compileBroker();
const results = [];
for (const format of FORMATS) results.push(await run(TestKafkaBroker, format));
console.log(`daemon: node ${DAEMON_NODE_FLAGS.join(' ')} dist/main.js run`);
console.log(
  '| format | flows | flows/s (first backlog) | flows/s (sustained) | flows per CPU-s | main / detector / other threads busy | offered flows/s | cores at that load | alerts | false alerts | p50 ms | p99 ms | peak RSS MiB |',
);
console.log('|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
for (const r of results) {
  console.log(
    `| ${r.format} | ${r.flows} | ${r.coldFlowsPerSecond} | ${r.throughputFlowsPerSecond} | ${r.flowsPerCpuSecond} | ${r.backlogThreadBusy.main} / ${r.backlogThreadBusy.detector} / ${r.backlogThreadBusy.rest} | ${r.offeredFlowsPerSecond} | ${r.pacedCores} | ${r.alertsMeasured} | ${r.falseAlerts} | ${r.latencyP50Ms} | ${r.latencyP99Ms} | ${r.peakRssMiB} |`,
  );
}
console.log(JSON.stringify(results, null, 2));
