import type { Kafka } from 'kafkajs';
import type { AlertSuppression } from '../alerts/alert-suppression.js';
import type { TapwatchConfig } from '../config/schema.js';
import type { FeatureExtractor } from '../features/extract-features.js';
import type { DeadLetterProducer } from '../ingest/kafka/dead-letter-producer.js';
import { KafkaSource, type KafkaSourceHooks, type KafkaSourceOptions } from '../ingest/kafka/kafka-source.js';
import { MessageDecoder } from '../ingest/kafka/message-decoder.js';
import type { DetectorThread } from '../meta/detector-thread.js';
import type { Logger } from '../telemetry/logger.js';
import { restoreUpstreamSource, SegmentRekeyer } from './segment-rekeyer.js';
import { SegmentStateStore } from './segment-state-store.js';

/** What {@link ScaleOut.open} needs; `common` are the KafkaSource settings shared with plain mode. */
export interface ScaleOutDeps {
  config: Readonly<TapwatchConfig>;
  log: Logger;
  extractor: FeatureExtractor;
  detectors: DetectorThread;
  kafka: Kafka;
  decoder: MessageDecoder;
  deadLetters: DeadLetterProducer | undefined;
  onProduceError: (topic: string) => void;
  hooks: KafkaSourceHooks;
  common: Omit<KafkaSourceOptions, 'topics' | 'decoder' | 'hooks'>;
  /**
   * The alert stage's dedup table and rate limiter, moved with each segment; omitted = they stay
   * behind (a moved segment's alerts may then repeat once and its rate limit restarts).
   */
  alerts?: AlertSuppression;
}

/**
 * Scale-out in one process: the re-keying step (upstream topics → internal topic keyed by
 * segment, consumer group `<groupId>-router`) and the scoring consumer of the internal topic
 * (group `<groupId>`), with segment state checkpointed to and restored from the state topic.
 */
export class ScaleOut {
  readonly source: KafkaSource;
  readonly #rekeyer: SegmentRekeyer;
  readonly #state: SegmentStateStore;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #checkpointing: Promise<void> = Promise.resolve();

  private constructor(source: KafkaSource, rekeyer: SegmentRekeyer, state: SegmentStateStore, log: Logger) {
    this.source = source;
    this.#rekeyer = rekeyer;
    this.#state = state;
    this.#log = log;
  }

  static async open(deps: ScaleOutDeps): Promise<ScaleOut> {
    const { config, kafka, log } = deps;
    const so = config.scaleOut;
    const kc = config.input.kafka;
    const partitions = await ensureTopics(kafka, so);
    const state = new SegmentStateStore({
      kafka,
      stateTopic: so.stateTopic,
      internalTopic: so.internalTopic,
      partitions,
      detectors: deps.detectors,
      extractor: deps.extractor,
      alerts: deps.alerts,
      log: log.log.bind(log),
    });
    const highWatermarks = async () => {
      const admin = kafka.admin();
      try {
        await admin.connect();
        const offsets = await admin.fetchTopicOffsets(so.stateTopic);
        return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
      } finally {
        await admin.disconnect();
      }
    };
    // Flows on the internal topic are counted once, at routing: only errors count here.
    const internalDecoder = new MessageDecoder({
      formats: new Map([[so.internalTopic, 'tapwatch']]),
      maxMessageBytes: kc.maxMessageBytes,
      counters: { records: () => undefined, decodeError: () => undefined },
      log: (_key, msg, fields) => log.warn(msg, fields),
    });
    let scaleOut: ScaleOut | undefined;
    const source = new KafkaSource({
      ...deps.common,
      topics: [so.internalTopic],
      decoder: internalDecoder,
      hooks: {
        ...deps.hooks,
        adjust: restoreUpstreamSource,
        // After the checkpoint the rebalance began with: revoked segments are dropped here only
        // once their state is on the state topic.
        assigned: async (assignment) => {
          await scaleOut?.checkpointed();
          await state.assigned(assignment.get(so.internalTopic) ?? [], highWatermarks);
        },
        rebalancing: () => void scaleOut?.checkpoint('rebalance'),
      },
    });
    const rekeyer = new SegmentRekeyer({
      kafka,
      groupId: `${kc.groupId}-router`,
      topics: kc.topics.map((t) => t.name),
      fromBeginning: kc.fromBeginning,
      internalTopic: so.internalTopic,
      segments: config.segments,
      decoder: deps.decoder,
      deadLetters: deps.deadLetters,
      consumer: kc.consumer,
      log: log.log.bind(log),
      onDeadLettered: deps.hooks.deadLettered,
      onProduceError: deps.onProduceError,
    });
    scaleOut = new ScaleOut(source, rekeyer, state, log);
    await state.start();
    await source.start();
    await rekeyer.start();
    scaleOut.#timer = setInterval(
      () => void scaleOut?.checkpoint('interval'),
      so.checkpointIntervalSeconds * 1000,
    );
    scaleOut.#timer.unref();
    log.info('scale-out started', { internalTopic: so.internalTopic, stateTopic: so.stateTopic, partitions });
    return scaleOut;
  }

  /** Member of the routing group too (for `/-/ready`). */
  get connected(): boolean {
    return this.#rekeyer.connected;
  }

  /** Stop the routing step (first in shutdown: no new flows enter the internal topic from here). */
  stopRouting(): Promise<void> {
    return this.#rekeyer.close();
  }

  /** Checkpoint owned segments; one at a time, failures logged (the next one catches up). */
  checkpoint(reason: string): Promise<void> {
    this.#checkpointing = this.#checkpointing.then(() =>
      this.#state.checkpoint(reason).catch((err: unknown) => {
        this.#log.warn('segment state checkpoint failed', { reason, error: (err as Error).message });
      }),
    );
    return this.#checkpointing;
  }

  /** Resolves once the checkpoints begun so far are written (or failed). */
  checkpointed(): Promise<void> {
    return this.#checkpointing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#checkpointing;
    await this.#rekeyer.close();
    await this.#state.close();
  }
}

/** Create the internal and state topics when missing; returns the internal topic's partition count. */
async function ensureTopics(kafka: Kafka, so: TapwatchConfig['scaleOut']): Promise<number> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const topics = [
      { topic: so.internalTopic, numPartitions: so.partitions, replicationFactor: so.replicationFactor },
      {
        topic: so.stateTopic,
        numPartitions: 1,
        replicationFactor: so.replicationFactor,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ].filter((t) => !existing.has(t.topic));
    if (topics.length > 0) await admin.createTopics({ topics, waitForLeaders: true });
    const metadata = await admin.fetchTopicMetadata({ topics: [so.internalTopic] });
    return metadata.topics[0]?.partitions.length ?? so.partitions;
  } finally {
    await admin.disconnect();
  }
}
