import { Kafka, type KafkaConfig, logLevel, Partitioners } from 'kafkajs';
import { FLOW_MESSAGE } from '../../../src/ingest/kafka/goflow2-schema.js';

/** A flow as the tests produce it, before it is written in some upstream format. */
export interface TestFlow {
  startMs: number;
  endMs: number;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  proto: 'tcp' | 'udp';
  bytesFwd: number;
  pktsFwd: number;
  bytesRev: number;
  pktsRev: number;
  /** OR of TCP flags; 2 = SYN only. */
  tcpFlags: number;
}

export type TestFormat = 'goflow2-pb' | 'goflow2-json' | 'eve' | 'zeek' | 'tapwatch';

/** Event time of the first flow: fixed, so every run sees the same records. */
export const T0_MS = 1_767_225_600_000;
/** Mean event-time gap between benign flows. */
const SPACING_MS = 250;
const SERVERS = ['10.1.0.5', '10.1.0.6', '10.1.0.7'];
const SERVICES: [TestFlow['proto'], number][] = [
  ['tcp', 443],
  ['tcp', 80],
  ['udp', 53],
  ['tcp', 22],
];

/** Deterministic pseudo-random numbers (mulberry32), so runs and formats agree. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Ordinary client traffic of one /24: a few dozen clients, a few servers and services. */
export function benignFlows(count: number, firstIndex = 0, net = '10.1.0'): TestFlow[] {
  const rnd = random(7 + firstIndex);
  return Array.from({ length: count }, (_v, k) => {
    const i = firstIndex + k;
    const [proto, dstPort] = SERVICES[Math.floor(rnd() * SERVICES.length)]!;
    // About four flows a second with jitter: the volume forecaster needs minutes of event time
    // and a count that varies from tick to tick.
    const startMs = T0_MS + i * SPACING_MS + Math.floor((rnd() * 2 - 1) * 180);
    const pktsFwd = 3 + Math.floor(rnd() * 20);
    const pktsRev = 3 + Math.floor(rnd() * 30);
    return {
      startMs,
      endMs: startMs + 20 + Math.floor(rnd() * 500),
      srcIp: `${net}.${20 + Math.floor(rnd() * 40)}`,
      dstIp: SERVERS[Math.floor(rnd() * SERVERS.length)]!.replace('10.1.0', net),
      srcPort: 32768 + Math.floor(rnd() * 28000),
      dstPort,
      proto,
      bytesFwd: pktsFwd * (60 + Math.floor(rnd() * 400)),
      pktsFwd,
      bytesRev: pktsRev * (200 + Math.floor(rnd() * 1200)),
      pktsRev,
      tcpFlags: proto === 'tcp' ? 0x1b : 0,
    };
  });
}

/** A fast SYN port scan from one host: one 44-byte SYN per port, nothing back. */
export function scanFlows(count: number, firstIndex: number, net = '10.1.0'): TestFlow[] {
  return Array.from({ length: count }, (_v, k) => {
    const startMs = T0_MS + firstIndex * SPACING_MS + k * 2;
    return {
      startMs,
      endMs: startMs,
      srcIp: `${net}.66`,
      dstIp: `${net}.5`,
      srcPort: 40000,
      dstPort: 1 + k * 7,
      proto: 'tcp',
      bytesFwd: 44,
      pktsFwd: 1,
      bytesRev: 0,
      pktsRev: 0,
      tcpFlags: 0x02,
    };
  });
}

const ip4 = (text: string) => Buffer.from(text.split('.').map(Number));
const iso = (ms: number) => new Date(ms).toISOString();

/** One flow in an upstream format (goflow2 protobuf is one varint-delimited FlowMessage). */
export function encodeFlow(f: TestFlow, format: TestFormat): Buffer {
  const protoNumber = f.proto === 'tcp' ? 6 : 17;
  switch (format) {
    case 'goflow2-pb':
      return Buffer.from(
        FLOW_MESSAGE.encodeDelimited(
          FLOW_MESSAGE.create({
            type: 3,
            time_flow_start_ns: f.startMs * 1e6,
            time_flow_end_ns: f.endMs * 1e6,
            src_addr: ip4(f.srcIp),
            dst_addr: ip4(f.dstIp),
            bytes: f.bytesFwd + f.bytesRev,
            packets: f.pktsFwd + f.pktsRev,
            proto: protoNumber,
            src_port: f.srcPort,
            dst_port: f.dstPort,
            tcp_flags: f.tcpFlags,
            sampling_rate: 1,
          }),
        ).finish(),
      );
    case 'goflow2-json':
      return json({
        type: 'IPFIX',
        time_flow_start_ns: f.startMs * 1e6,
        time_flow_end_ns: f.endMs * 1e6,
        src_addr: f.srcIp,
        dst_addr: f.dstIp,
        bytes: f.bytesFwd + f.bytesRev,
        packets: f.pktsFwd + f.pktsRev,
        proto: f.proto.toUpperCase(),
        src_port: f.srcPort,
        dst_port: f.dstPort,
        tcp_flags: f.tcpFlags,
        sampling_rate: 1,
      });
    case 'eve':
      return json({
        timestamp: iso(f.endMs),
        event_type: 'flow',
        src_ip: f.srcIp,
        src_port: f.srcPort,
        dest_ip: f.dstIp,
        dest_port: f.dstPort,
        proto: f.proto.toUpperCase(),
        flow: {
          pkts_toserver: f.pktsFwd,
          pkts_toclient: f.pktsRev,
          bytes_toserver: f.bytesFwd,
          bytes_toclient: f.bytesRev,
          start: iso(f.startMs),
          end: iso(f.endMs),
        },
        ...(f.proto === 'tcp' ? { tcp: { tcp_flags: f.tcpFlags.toString(16) } } : {}),
      });
    case 'zeek':
      return json({
        ts: f.startMs / 1000,
        'id.orig_h': f.srcIp,
        'id.orig_p': f.srcPort,
        'id.resp_h': f.dstIp,
        'id.resp_p': f.dstPort,
        proto: f.proto,
        duration: (f.endMs - f.startMs) / 1000,
        conn_state: f.tcpFlags === 0x02 ? 'S0' : 'SF',
        history: f.tcpFlags === 0x02 ? 'S' : 'ShADadFf',
        orig_pkts: f.pktsFwd,
        orig_ip_bytes: f.bytesFwd,
        resp_pkts: f.pktsRev,
        resp_ip_bytes: f.bytesRev,
      });
    case 'tapwatch':
      return json({
        start: f.startMs,
        end: f.endMs,
        srcIp: f.srcIp,
        dstIp: f.dstIp,
        srcPort: f.srcPort,
        dstPort: f.dstPort,
        proto: protoNumber,
        bytesFwd: f.bytesFwd,
        pktsFwd: f.pktsFwd,
        bytesRev: f.bytesRev,
        pktsRev: f.pktsRev,
        tcpFlags: f.tcpFlags,
      });
  }
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/**
 * Produce values to a topic (partition 0 unless given), in requests of `chunk` messages. `client` adds
 * kafkajs settings, e.g. `ssl` and `sasl` for a secured broker.
 */
export async function produceValues(
  brokers: string[],
  topic: string,
  values: (Buffer | { key?: string; value: Buffer; partition?: number })[],
  chunk = 200,
  client: Partial<KafkaConfig> = {},
): Promise<void> {
  const kafka = new Kafka({ brokers, clientId: 'test-producer', logLevel: logLevel.NOTHING, ...client });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  try {
    for (let i = 0; i < values.length; i += chunk) {
      const messages = values
        .slice(i, i + chunk)
        .map((v) => (Buffer.isBuffer(v) ? { value: v, partition: 0 } : { partition: 0, ...v }));
      await producer.send({ topic, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Values of a metric's series from a Prometheus text page, keyed by their label text. */
export async function scrape(base: string, name: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name) out.set(m[2] ?? '', Number(m[3]));
  }
  return out;
}

/** Sum of a metric over its series whose labels contain `filter`. */
export async function metricSum(base: string, name: string, filter = ''): Promise<number> {
  let sum = 0;
  for (const [labels, value] of await scrape(base, name)) if (labels.includes(filter)) sum += value;
  return sum;
}

/** Poll `check` until it returns true, bounded. */
export async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** YAML of a Kafka-driven daemon config for tests. */
export function kafkaConfigYaml(options: {
  brokers: string[];
  topics: { name: string; format: string }[];
  groupId?: string;
  deadLetterTopic?: string;
  alertsTopic?: string;
  alertFormat?: string;
  scaleOut?: { partitions: number };
  /** Named segments, name → /24 prefix such as 10.1.0 (default: lan = 10.1.0). */
  segments?: Record<string, string>;
  extra?: string;
}): string {
  const segments = Object.entries(options.segments ?? { lan: '10.1.0' })
    .map(([name, net]) => `    - { name: ${name}, cidrs: [${net}.0/24] }`)
    .join('\n');
  const topics = options.topics.map((t) => `      - { name: ${t.name}, format: ${t.format} }`).join('\n');
  const scale = options.scaleOut
    ? `scaleOut:\n  enabled: true\n  partitions: ${options.scaleOut.partitions}\n  checkpointIntervalSeconds: 1\n`
    : '';
  return `input:
  kafka:
    brokers: [${options.brokers.join(', ')}]
    groupId: ${options.groupId ?? 'tapwatch-it'}
    fromBeginning: true
    lagIntervalSeconds: 1
    deadLetterTopic: "${options.deadLetterTopic ?? ''}"
    client: { retry: { initialRetryTime: 200, maxRetryTime: 1000, retries: 5 } }
    consumer: { sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 6000 }
    topics:
${topics}
segments:
  definitions:
${segments}
detector:
  backend: auto
  warmupFlows: 512
  warmupEpochs: 20
alerts:
  dedupWindowSeconds: 0
  maxAlertsPerMinute: 0
  stdout: { enabled: false }
  kafka:
    enabled: true
    topic: ${options.alertsTopic ?? 'siem-alerts'}
    format: ${options.alertFormat ?? 'ecs'}
telemetry:
  listen: 127.0.0.1:0
${scale}${options.extra ?? ''}`;
}

/**
 * One segment name per partition of `topic`, found with the producer's own partitioner, each mapped to
 * its own /24 prefix (`10.<n>.0`): segments keyed by these names cover every partition.
 */
export function segmentsCoveringPartitions(topic: string, partitions: number): Record<string, string> {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_v, i) => ({
    partitionId: i,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  const byPartition = new Map<number, string>();
  for (let i = 0; byPartition.size < partitions && i < 1000; i++) {
    const name = `seg-${i}`;
    const p = partitioner({ topic, partitionMetadata, message: { key: name, value: null } });
    if (!byPartition.has(p)) byPartition.set(p, name);
  }
  return Object.fromEntries([...byPartition.values()].map((name, i) => [name, `10.${i + 1}.0`]));
}
