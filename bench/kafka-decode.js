// Kafka message decoding alone: microseconds per message from a Kafka message value to a FlowRecord,
// through the daemon's MessageDecoder, for Zeek conn JSON and goflow2 protobuf. Plain ESM over the built
// output (`npm run build` first):
//
//   node bench/kafka-decode.js [--messages 20000] [--rounds 12]
//
// The decoded records of the last 16 batches stay alive, as they do in the daemon's input queue (its
// default `maxQueueBatches`), so the figure includes collecting records that outlive a young-generation
// collection, the larger part of decoding's cost in the daemon. Zeek runs twice: with addresses shorter than
// ten characters (10.1.0.x, as bench/kafka.js used to send) and with longer ones (192.168.101.x). V8 keeps
// one shared copy of such a short JSON string value, but each parsed record gets its own copy of a longer one.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { MessageDecoder } from '../dist/ingest/kafka/message-decoder.js';
import { encodeFlowMessage } from './flow-messages.js';

const { values: args } = parseArgs({
  options: {
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

/** Median microseconds per message over `ROUNDS` passes (the first three warm up and are left out). */
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
  const kept = [];
  const perMessage = [];
  let flows = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (let from = 0; from < MESSAGES; from += BATCH) {
      const batch = [];
      for (let i = from; i < Math.min(MESSAGES, from + BATCH); i++) {
        for (const flow of decoder.decode('flows', 0, messages[i]).flows) batch.push(flow);
      }
      flows += batch.length;
      kept.push(batch);
      if (kept.length > KEPT_BATCHES) kept.shift();
    }
    if (round >= 3) perMessage.push(((performance.now() - started) * 1000) / MESSAGES);
  }
  if (flows !== MESSAGES * ROUNDS)
    throw new Error(`${label}: decoded ${flows} flows, expected ${MESSAGES * ROUNDS}`);
  perMessage.sort((a, b) => a - b);
  return { label, format, usPerMessage: +perMessage[Math.floor(perMessage.length / 2)].toFixed(3) };
}

const results = [
  run('Zeek conn JSON, addresses 10.1.0.x', 'zeek', '10.1.0'),
  run('Zeek conn JSON, addresses 192.168.101.x', 'zeek', '192.168.101'),
  run('goflow2 protobuf', 'goflow2-pb', '192.168.101'),
];
console.log('| messages | µs per message (median) |');
console.log('|:--|--:|');
for (const r of results) console.log(`| ${r.label} | ${r.usPerMessage} |`);
console.log(JSON.stringify(results));
