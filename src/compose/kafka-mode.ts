import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import type { Alert } from '../alerts/alert.js';
import type { AlertSuppression } from '../alerts/alert-suppression.js';
import type { AlertSink } from '../alerts/sinks/alert-sink.js';
import { KafkaSink } from '../alerts/sinks/kafka-sink.js';
import type { TapwatchConfig } from '../config/schema.js';
import type { FlowSource, SourceBatch } from '../core/flow-source.js';
import type { FeatureExtractor } from '../features/extract-features.js';
import { DeadLetterProducer } from '../ingest/kafka/dead-letter-producer.js';
import { KafkaSource, type KafkaSourceHooks } from '../ingest/kafka/kafka-source.js';
import { MessageDecoder } from '../ingest/kafka/message-decoder.js';
import type { DetectorThread } from '../meta/detector-thread.js';
import type { Logger } from '../telemetry/logger.js';
import type { TapwatchMetrics } from '../telemetry/metrics.js';
import { RateLimitedLogger } from '../telemetry/rate-limited-logger.js';
import { createKafkaClient } from './kafka-client.js';
import { kafkaStartupError } from './kafka-startup-error.js';
import { ScaleOut } from './scale-out.js';

/** What the daemon hands over to build the Kafka parts. */
export interface KafkaModeDeps {
  config: Readonly<TapwatchConfig>;
  /** False when capture files replace the input (`tapwatch replay`): only the alert sink is built. */
  useInput: boolean;
  metrics: TapwatchMetrics;
  log: Logger;
  extractor: FeatureExtractor;
  detectors: DetectorThread;
  productVersion: string;
  /** Dedup table and rate limiter, moved with their segments under scale-out. */
  alerts?: AlertSuppression;
}

/**
 * The Kafka wiring of the composition root: the client, the SIEM alert sink, and the input — a
 * plain consumer group over the configured topics, or with `scaleOut` the re-keying step plus a
 * consumer of the internal topic with per-segment state. Every instance runs both halves of
 * scale-out, so adding an instance adds routing and scoring capacity alike and there is one
 * kind of process to deploy. Metrics are mapped here; the Kafka classes only call hooks.
 */
export class KafkaMode {
  /** The input, when Kafka drives this run. */
  readonly source: FlowSource | undefined;
  readonly sinks: AlertSink[];
  readonly #parts: { close(): Promise<void> }[];
  readonly #input: KafkaSource | undefined;
  readonly #scaleOut: ScaleOut | undefined;

  private constructor(parts: {
    input?: KafkaSource;
    scaleOut?: ScaleOut;
    sink?: KafkaSink;
    closers: { close(): Promise<void> }[];
  }) {
    this.#input = parts.input;
    this.#scaleOut = parts.scaleOut;
    this.#parts = parts.closers;
    this.sinks = parts.sink ? [parts.sink] : [];
    this.source = parts.input ? wrapSource(parts.input, parts.sink, parts.scaleOut) : undefined;
  }

  /** Build and start what the config asks for; undefined when nothing Kafka is configured. */
  static async open(deps: KafkaModeDeps): Promise<KafkaMode | undefined> {
    try {
      return await KafkaMode.#open(deps);
    } catch (err) {
      throw kafkaStartupError(err, deps.config.input.kafka);
    }
  }

  static async #open(deps: KafkaModeDeps): Promise<KafkaMode | undefined> {
    const { config, metrics, log } = deps;
    const kc = config.input.kafka;
    const useInput = deps.useInput && kc.topics.length > 0;
    if (!useInput && !config.alerts.kafka.enabled) return undefined;
    const logs = new RateLimitedLogger({ logger: log });
    const kafka = createKafkaClient(kc, logs);
    const closers: { close(): Promise<void> }[] = [];
    let input: KafkaSource | undefined;
    const sink = config.alerts.kafka.enabled
      ? await openSink(kafka, deps, (alerts, atMs) => observeLatency(metrics, input, alerts, atMs), closers)
      : undefined;
    if (!useInput) return new KafkaMode({ sink, closers });

    const onProduceError = (topic: string) => metrics.kafkaProduceErrors.inc({ topic });
    const deadLetters = kc.deadLetterTopic ? new DeadLetterProducer(kafka, kc.deadLetterTopic) : undefined;
    if (deadLetters) closers.push(deadLetters);
    const decoder = new MessageDecoder({
      formats: new Map(kc.topics.map((t) => [t.name, t.format])),
      maxMessageBytes: kc.maxMessageBytes,
      counters: {
        records: (format, n) => metrics.inputRecords.inc({ source: 'kafka', format }, n),
        decodeError: (format, reason) => metrics.inputDecodeErrors.inc({ format, reason }),
      },
      log: (key, msg, fields) => logs.log(key, 'warn', msg, fields),
    });
    const hooks: KafkaSourceHooks = {
      deadLettered: (reason) => metrics.inputDeadLettered.inc({ reason }),
      late: (n) => metrics.inputLateRecords.inc(n),
      lag: (lags) => {
        metrics.kafkaConsumerLag.reset();
        for (const l of lags)
          metrics.kafkaConsumerLag.set({ topic: l.topic, partition: String(l.partition) }, l.lag);
      },
    };
    const sourceLog = log.log.bind(log);
    const common = {
      kafka,
      groupId: kc.groupId,
      fromBeginning: kc.fromBeginning,
      deadLetters,
      allowedLatenessSeconds: kc.allowedLatenessSeconds,
      maxQueueBatches: kc.maxQueueBatches,
      maxBatchFlows: kc.maxBatchFlows,
      fetchMaxWaitMs: kc.fetchMaxWaitMs,
      commitIntervalMs: kc.commitIntervalMs,
      lagIntervalMs: kc.lagIntervalSeconds * 1000,
      shutdownTimeoutMs: kc.shutdownTimeoutMs,
      consumer: kc.consumer,
      log: sourceLog,
    };
    let scaleOut: ScaleOut | undefined;
    if (config.scaleOut.enabled) {
      scaleOut = await ScaleOut.open({ ...deps, kafka, decoder, deadLetters, onProduceError, hooks, common });
      input = scaleOut.source;
    } else {
      input = new KafkaSource({ ...common, topics: kc.topics.map((t) => t.name), decoder, hooks });
      await input.start();
    }
    return new KafkaMode({ input, scaleOut, sink, closers });
  }

  /**
   * After the pipeline drained: checkpoint per-segment state, leave the consumer groups and
   * disconnect every producer. The alert sink must already be flushed (`AlertPipeline.close`).
   */
  async finish(): Promise<void> {
    await this.#input?.close();
    await this.#scaleOut?.checkpoint('shutdown');
    await this.#input?.disconnect();
    await this.#scaleOut?.close();
    for (const part of this.#parts) await part.close();
  }
}

async function openSink(
  kafka: Kafka,
  { config, metrics, log, productVersion }: KafkaModeDeps,
  onAcknowledged: (alerts: readonly Alert[], atMs: number) => void,
  closers: { close(): Promise<void> }[],
): Promise<KafkaSink> {
  const ak = config.alerts.kafka;
  const producer: Producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: ak.idempotent,
    // kafkajs's idempotent producer keeps sequence numbers right only with one request in flight.
    ...(ak.idempotent ? { maxInFlightRequests: 1 } : {}),
    allowAutoTopicCreation: true,
  });
  await producer.connect();
  closers.push({ close: () => producer.disconnect() });
  return new KafkaSink({
    producer,
    topic: ak.topic,
    format: ak.format,
    compression: ak.compression,
    acks: ak.acks,
    lingerMs: ak.lingerMs,
    maxBatchAlerts: ak.maxBatchAlerts,
    flushTimeoutMs: ak.flushTimeoutMs,
    formatOptions: { productVersion },
    log: log.log.bind(log),
    onProduceError: (topic) => metrics.kafkaProduceErrors.inc({ topic }),
    onAcknowledged,
  });
}

function observeLatency(
  metrics: TapwatchMetrics,
  input: KafkaSource | undefined,
  alerts: readonly Alert[],
  atMs: number,
): void {
  if (!input) return;
  for (const alert of alerts) {
    const { origin, partition, offset } = alert.tapwatch.input;
    if (partition === undefined || offset === undefined) continue;
    const recordMs = input.recordTimestamp(origin, partition, offset);
    if (recordMs !== undefined) metrics.alertLatency.observe(Math.max(0, (atMs - recordMs) / 1000));
  }
}

/**
 * The KafkaSource as the daemon sees it. A batch during which the alert sink gave up on an alert
 * is failed instead of acknowledged, so its offsets are never committed (at-least-once at
 * shutdown, when the sink stops retrying). Readiness includes the routing step in scale-out.
 */
function wrapSource(
  input: KafkaSource,
  sink: KafkaSink | undefined,
  scaleOut: ScaleOut | undefined,
): FlowSource {
  return {
    name: 'kafka',
    get connected() {
      return input.connected && (scaleOut?.connected ?? true);
    },
    async *batches(): AsyncIterable<SourceBatch> {
      for await (const batch of input.batches()) {
        const failuresBefore = sink?.failures ?? 0;
        yield {
          flows: batch.flows,
          ack: async () => {
            if ((sink?.failures ?? 0) !== failuresBefore) batch.fail();
            else await batch.ack();
          },
        };
      }
    },
    close: async () => {
      await scaleOut?.stopRouting();
      await input.close();
    },
  };
}
