import {
  type Consumer,
  type ConsumerConfig,
  type EachBatchPayload,
  type IHeaders,
  type Kafka,
  type KafkaMessage,
  type Message,
  Partitioners,
  type Producer,
} from 'kafkajs';
import type { SegmentsConfig } from '../config/schema.js';
import type { FlowRecord } from '../core/flow-record.js';
import { SegmentRouter } from '../features/segment-router.js';
import type { DeadLetterProducer } from '../ingest/kafka/dead-letter-producer.js';
import type { SourceLog } from '../ingest/kafka/kafka-source.js';
import type { MessageDecoder } from '../ingest/kafka/message-decoder.js';

/** Headers carrying a re-keyed flow's upstream position, so alert ids and latency refer to the original record. */
export const SOURCE_HEADERS = {
  format: 'tapwatch-source-format',
  topic: 'tapwatch-source-topic',
  partition: 'tapwatch-source-partition',
  offset: 'tapwatch-source-offset',
  timestamp: 'tapwatch-source-timestamp',
} as const;

/** Options of {@link SegmentRekeyer}. */
export interface SegmentRekeyerOptions {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  fromBeginning: boolean;
  internalTopic: string;
  segments: SegmentsConfig;
  decoder: MessageDecoder;
  deadLetters: DeadLetterProducer | undefined;
  consumer: Record<string, unknown>;
  log: SourceLog;
  onDeadLettered?: (reason: string) => void;
  onProduceError?: (topic: string) => void;
}

/**
 * The routing step of scale-out: reads the (usually unkeyed) upstream flow topics, decodes them,
 * assigns each flow its segment with the features stage's SegmentRouter, and produces it as
 * tapwatch JSON to the internal topic keyed by segment — so each segment lives on one partition
 * and so on one scoring instance. Upstream offsets are committed only after the internal topic
 * acknowledged the batch (at-least-once; duplicates get the same alert ids downstream, because
 * the upstream position travels in headers).
 */
export class SegmentRekeyer {
  readonly #o: SegmentRekeyerOptions;
  readonly #consumer: Consumer;
  readonly #producer: Producer;
  readonly #router: SegmentRouter;
  #joined = false;
  #busy: Promise<void> = Promise.resolve();
  #closing: Promise<void> | undefined;

  constructor(options: SegmentRekeyerOptions) {
    this.#o = options;
    this.#router = new SegmentRouter(options.segments);
    this.#consumer = options.kafka.consumer({
      sessionTimeout: 30_000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 500,
      ...(options.consumer as Partial<ConsumerConfig>),
      groupId: options.groupId,
    });
    this.#producer = options.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    const { events } = this.#consumer;
    this.#consumer.on(events.GROUP_JOIN, () => {
      this.#joined = true;
    });
    this.#consumer.on(events.CRASH, () => {
      this.#joined = false;
    });
    this.#consumer.on(events.DISCONNECT, () => {
      this.#joined = false;
    });
  }

  /** Member of the routing group (part of `/-/ready` in scale-out). */
  get connected(): boolean {
    return this.#joined && this.#closing === undefined;
  }

  async start(): Promise<void> {
    await this.#producer.connect();
    await this.#consumer.connect();
    for (const topic of this.#o.topics) {
      await this.#consumer.subscribe({ topic, fromBeginning: this.#o.fromBeginning });
    }
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => {
        this.#busy = this.#route(payload);
        return this.#busy;
      },
    });
  }

  /** Stop routing after the batch in flight; leave the group. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#consumer.pause(this.#o.topics.map((topic) => ({ topic })));
      await this.#busy.catch((err: unknown) => this.#o.log('debug', 'last routing batch failed', { err }));
      await this.#consumer.disconnect();
      await this.#producer.disconnect();
    })();
    return this.#closing;
  }

  async #route({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0 || !isRunning() || isStale() || this.#closing) return;
    const messages: Message[] = [];
    const letters = [];
    for (const message of batch.messages) {
      const decoded = this.#o.decoder.decode(batch.topic, batch.partition, message);
      if (decoded.deadLetter) letters.push(decoded.deadLetter);
      for (const flow of decoded.flows) messages.push(this.#message(this.#router.route(flow), message));
    }
    this.#o.decoder.flushCounts();
    if (letters.length > 0) {
      await this.#o.deadLetters?.send(letters);
      for (const letter of letters) this.#o.onDeadLettered?.(letter.reason);
    }
    if (messages.length > 0) {
      try {
        await this.#producer.send({ topic: this.#o.internalTopic, acks: -1, messages });
      } catch (err) {
        // Unresolved, the batch is fetched again after kafkajs restarts the consumer.
        this.#o.onProduceError?.(this.#o.internalTopic);
        throw err;
      }
    }
    const next = (BigInt(batch.lastOffset()) + 1n).toString();
    resolveOffset(batch.lastOffset());
    await this.#consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
    await heartbeat();
  }

  #message(flow: FlowRecord & { segment: string }, upstream: KafkaMessage): Message {
    const { source, ...record } = flow;
    const headers: IHeaders = {
      [SOURCE_HEADERS.format]: source.format,
      [SOURCE_HEADERS.topic]: source.origin,
      [SOURCE_HEADERS.partition]: String(source.partition ?? ''),
      [SOURCE_HEADERS.offset]: source.offset ?? '',
      [SOURCE_HEADERS.timestamp]: upstream.timestamp,
    };
    return { key: flow.segment, value: JSON.stringify(record), headers };
  }
}

/** The upstream position and Kafka timestamp of a re-keyed flow, from its headers. */
export function restoreUpstreamSource(flows: FlowRecord[], message: KafkaMessage): number | undefined {
  const h = message.headers ?? {};
  const text = (name: string) => {
    const value = h[name];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  };
  const origin = text(SOURCE_HEADERS.topic);
  if (origin === undefined) return undefined;
  const partition = Number(text(SOURCE_HEADERS.partition));
  const source = {
    format: text(SOURCE_HEADERS.format) ?? 'tapwatch',
    origin,
    ...(Number.isInteger(partition) ? { partition } : {}),
    offset: text(SOURCE_HEADERS.offset),
  };
  for (const flow of flows) flow.source = source;
  const timestamp = Number(text(SOURCE_HEADERS.timestamp));
  return Number.isFinite(timestamp) ? timestamp : undefined;
}
