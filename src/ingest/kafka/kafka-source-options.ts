import type { Kafka, KafkaMessage } from 'kafkajs';
import type { FlowRecord } from '../../core/flow-record.js';
import type { SourceBatch } from '../../core/flow-source.js';
import type { PartitionLag } from './consumer-lag-probe.js';
import type { DeadLetterProducer } from './dead-letter-producer.js';
import type { MessageDecoder } from './message-decoder.js';

/** Structured log function, shaped like `Logger.log`. */
export type SourceLog = (
  level: 'debug' | 'info' | 'warn' | 'error',
  msg: string,
  fields?: Record<string, unknown>,
) => void;

/** Hooks the composition root uses for metrics and (in scale-out) for per-segment state. */
export interface KafkaSourceHooks {
  /** Dead letters produced (or only counted, without a dead-letter topic), per reason. */
  deadLettered?(reason: string): void;
  /** Flows whose event time is behind the watermark (newest event time minus allowed lateness). */
  late?(count: number): void;
  lag?(lags: PartitionLag[]): void;
  /** A new assignment; batches of it wait for the returned promise (scale-out restores state here). */
  assigned?(partitions: ReadonlyMap<string, readonly number[]>): Promise<void>;
  /** A rebalance began: partitions may be about to move (scale-out checkpoints here). */
  rebalancing?(): void;
  /**
   * Adjust decoded flows using the message (scale-out restores the upstream position from
   * headers); may return the upstream record's timestamp (epoch ms) for the latency histogram.
   */
  adjust?(flows: FlowRecord[], message: KafkaMessage): number | undefined;
}

/**
 * A batch from Kafka: `ack()` commits its offsets (in order); `fail()` says an alert derived from
 * it was not delivered, so its partition commits nothing past it and the records are read again.
 */
export interface KafkaSourceBatch extends SourceBatch {
  fail(): void;
}

/** Options of {@link KafkaSource}; the connection is built by the caller. */
export interface KafkaSourceOptions {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  fromBeginning: boolean;
  decoder: MessageDecoder;
  deadLetters: DeadLetterProducer | undefined;
  allowedLatenessSeconds: number;
  maxQueueBatches: number;
  /** Queued batches are merged into one pipeline batch up to this many flows. */
  maxBatchFlows: number;
  /** Longest fetch wait on an idle partition, and the pause poll interval of kafkajs. */
  fetchMaxWaitMs: number;
  /** Acknowledged offsets are committed together at most this often. */
  commitIntervalMs: number;
  lagIntervalMs: number;
  shutdownTimeoutMs: number;
  /** Raw kafkajs consumer settings, merged over ours. */
  consumer: Record<string, unknown>;
  log: SourceLog;
  hooks?: KafkaSourceHooks;
}
