// Kafka message decoding alone: microseconds per message from a Kafka message value to a FlowRecord,
// through the daemon's MessageDecoder, for Zeek conn JSON and goflow2 protobuf. Plain ESM over the built
// output (`npm run build` first):
//
//   node bench/kafka-decode.js [--messages 20000] [--rounds 12]
//
// Three figures per kind of message, each case in a process of its own:
//   - µs per message with every record dropped at once: the decoder's own work;
//   - µs per message with the records of the last 16 batches alive, as the daemon's input queue keeps them
//     (its default `maxQueueBatches`): this adds collecting records that outlive a young-generation
//     collection, the larger part of decoding's cost in the daemon;
//   - bytes allocated per message, from the heap's growth between collections (v8.GCProfiler).
// Zeek runs twice: with addresses shorter than ten characters (10.1.0.x) and with longer ones
// (192.168.101.x), which JSON.parse gives each record a copy of; the Zeek records carry every field
// Zeek's writer emits (bench/flow-messages.js).
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { MessageDecoder } from '../dist/ingest/kafka/message-decoder.js';
import { encodeFlowMessage } from './flow-messages.js';

const { values: args } = parseArgs({
  options: {
    case: { type: 'string' },
    messages: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '12' },
  },
});
const MESSAGES = Number(args.messages);
const ROUNDS = Number(args.rounds);
const BATCH = 2000;
const KEPT_BATCHES = 16;

/** Seeded flow `i` between 40 clients and 3 servers of `net` (a /24 prefix, e.g. "10.1.0"). */
function flowAt(i, net) {
  const start = 1_767_225_600_000 + i * 80;
  const proto = i % 4 === 2 ? 17 : 6;
  const pktsFwd = 3 + (i % 20);
  const pktsRev = 3 + (i % 30);
  return {
    start,
    end: start + 20 + (i % 500),
    src: `${net}.${20 + (i % 40)}`,
    dst: `${net}.${5 + (i % 3)}`,
    sport: 32768 + ((i * 7919) % 28000),
    dport: [443, 80, 53, 22][i % 4],
    proto,
    bytesFwd: pktsFwd * 120,
    pktsFwd,
    bytesRev: pktsRev * 900,
    pktsRev,
    flags: proto === 6 ? 0x1b : 0,
  };
}

/**
 * Median microseconds per message over `ROUNDS` passes (the first three warm up and are left out) with
 * the flows of the last `keptBatches` batches alive, and the bytes allocated per message over those passes.
 */
function pass(decoder, messages, keptBatches) {
  const kept = [];
  const perMessage = [];
  let flows = 0;
  let profiler;
  for (let round = 0; round < ROUNDS; round++) {
    if (round === 3) {
      profiler = new GCProfiler();
      profiler.start();
    }
    const started = performance.now();
    for (let from = 0; from < MESSAGES; from += BATCH) {
      const batch = [];
      for (let i = from; i < Math.min(MESSAGES, from + BATCH); i++) {
        for (const flow of decoder.decode('flows', 0, messages[i]).flows) batch.push(flow);
      }
      flows += batch.length;
      kept.push(batch);
      if (kept.length > keptBatches) kept.shift();
    }
    if (round >= 3) perMessage.push(((performance.now() - started) * 1000) / MESSAGES);
  }
  const usedAtEnd = getHeapStatistics().used_heap_size;
  const gcs = profiler.stop().statistics;
  if (flows !== MESSAGES * ROUNDS) throw new Error(`decoded ${flows} flows, expected ${MESSAGES * ROUNDS}`);
  perMessage.sort((a, b) => a - b);
  // What the heap grew by between collections, plus since the last one: every byte allocated.
  let allocated = 0;
  for (let i = 1; i < gcs.length; i++) {
    allocated += gcs[i].beforeGC.heapStatistics.usedHeapSize - gcs[i - 1].afterGC.heapStatistics.usedHeapSize;
  }
  allocated += usedAtEnd - (gcs.at(-1)?.afterGC.heapStatistics.usedHeapSize ?? usedAtEnd);
  return {
    usPerMessage: +perMessage[Math.floor(perMessage.length / 2)].toFixed(3),
    bytesPerMessage: gcs.length < 2 ? undefined : Math.round(allocated / ((ROUNDS - 3) * MESSAGES)),
  };
}

function run(label, format, net) {
  const messages = Array.from({ length: MESSAGES }, (_v, i) => ({
    value: encodeFlowMessage(flowAt(i, net), format),
    offset: String(i),
    timestamp: '0',
  }));
  const decoder = new MessageDecoder({
    formats: new Map([['flows', format]]),
    maxMessageBytes: 1_048_576,
    counters: { records: () => undefined, decodeError: () => undefined },
    log: () => undefined,
  });
  const alone = pass(decoder, messages, 0);
  const queued = pass(decoder, messages, KEPT_BATCHES);
  return {
    label,
    format,
    usPerMessage: alone.usPerMessage,
    usPerMessageQueued: queued.usPerMessage,
    bytesPerMessage: alone.bytesPerMessage,
  };
}

const CASES = [
  ['Zeek conn JSON, addresses 10.1.0.x', 'zeek', '10.1.0'],
  ['Zeek conn JSON, addresses 192.168.101.x', 'zeek', '192.168.101'],
  ['goflow2 protobuf', 'goflow2-pb', '192.168.101'],
];
if (args.case !== undefined) {
  console.log(JSON.stringify(run(...CASES[Number(args.case)])));
  process.exit(0);
}
// Each case in a process of its own: a case that runs after another inherits the heap the earlier one
// grew, which made the same decoder's figure depend on its place in the list.
const results = CASES.map((_c, i) => {
  const out = execFileSync(process.execPath, [
    fileURLToPath(import.meta.url),
    '--case',
    String(i),
    '--messages',
    String(MESSAGES),
    '--rounds',
    String(ROUNDS),
  ]);
  return JSON.parse(out.toString().trim().split('\n').at(-1));
});
console.log('| messages | µs per message | µs per message, 16 batches alive | bytes allocated per message |');
console.log('|:--|--:|--:|--:|');
for (const r of results) {
  console.log(`| ${r.label} | ${r.usPerMessage} | ${r.usPerMessageQueued} | ${r.bytesPerMessage ?? '–'} |`);
}
console.log(JSON.stringify(results));
