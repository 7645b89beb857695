import { randomUUID } from 'node:crypto';
import { type Consumer, type Kafka, Partitioners, type PartitionMetadata, type Producer } from 'kafkajs';
import type { SegmentWindows, SegmentWindowsState } from '../features/segment-windows.js';
import type { SourceLog } from '../ingest/kafka/kafka-source.js';
import type { SegmentSnapshot } from '../meta/segment-detector.js';
import type { SegmentDetectors } from '../meta/segment-detectors.js';
import { parseState, stringifyState } from './state-json.js';

/** One segment's checkpoint on the state topic (the value; the key is the segment). */
export interface SegmentCheckpoint {
  version: 1;
  segment: string;
  takenAtMs: number;
  detector: SegmentSnapshot;
  windows?: SegmentWindowsState;
}

/** Options of {@link SegmentStateStore}. */
export interface SegmentStateStoreOptions {
  kafka: Kafka;
  stateTopic: string;
  internalTopic: string;
  /** Partitions of the internal topic (the segment → partition map depends on it). */
  partitions: number;
  detectors: SegmentDetectors;
  windows: SegmentWindows;
  log: SourceLog;
  /** Longest wait for the state topic to be read up to its end before an assignment starts. */
  catchUpTimeoutMs?: number;
}

const partitioner = Partitioners.DefaultPartitioner();

/**
 * Per-segment state through a compacted Kafka topic, the pattern of Kafka Streams' changelog
 * topics. A reader follows the whole topic (one record per segment after compaction) into memory;
 * when partitions of the internal topic are assigned here, every checkpointed segment that hashes
 * to a newly assigned partition is restored into the detectors and windows before its flows are
 * scored, so a moved segment is ready at once. Owned, ready segments are checkpointed
 * periodically, when a rebalance begins and at shutdown. Learning segments are not written: their
 * warm-up rows are large and a moved learning segment simply keeps learning.
 */
export class SegmentStateStore {
  readonly #o: SegmentStateStoreOptions;
  readonly #reader: Consumer;
  readonly #producer: Producer;
  readonly #latest = new Map<string, SegmentCheckpoint>();
  readonly #readUpTo = new Map<number, bigint>();
  readonly #metadata: PartitionMetadata[];
  #owned = new Set<number>();

  constructor(options: SegmentStateStoreOptions) {
    this.#o = options;
    // A group of its own per process: every instance reads the whole topic, and never commits.
    this.#reader = options.kafka.consumer({ groupId: `tapwatch-state-reader-${randomUUID()}` });
    this.#producer = options.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    this.#metadata = Array.from({ length: options.partitions }, (_v, i) => ({
      partitionId: i,
      leader: 0,
      replicas: [0],
      isr: [0],
      partitionErrorCode: 0,
    }));
  }

  /** Partition of the internal topic a segment's flows go to (kafkajs's murmur2 partitioner). */
  partitionOf(segment: string): number {
    return partitioner({
      topic: this.#o.internalTopic,
      partitionMetadata: this.#metadata,
      message: { key: segment, value: null },
    });
  }

  async start(): Promise<void> {
    await this.#producer.connect();
    await this.#reader.connect();
    await this.#reader.subscribe({ topic: this.#o.stateTopic, fromBeginning: true });
    await this.#reader.run({
      eachMessage: async ({ partition, message }) => {
        this.#readUpTo.set(partition, BigInt(message.offset) + 1n);
        if (message.key === null) return;
        const segment = message.key.toString();
        if (message.value === null) this.#latest.delete(segment);
        else this.#latest.set(segment, parseState<SegmentCheckpoint>(message.value.toString()));
      },
    });
  }

  /** A new assignment of the internal topic: restore the segments of partitions that are new here. */
  async assigned(partitions: readonly number[], admin: () => Promise<Map<number, bigint>>): Promise<void> {
    const fresh = partitions.filter((p) => !this.#owned.has(p));
    this.#owned = new Set(partitions);
    if (fresh.length === 0) return;
    await this.#catchUp(await admin());
    for (const checkpoint of this.#latest.values()) {
      if (!fresh.includes(this.partitionOf(checkpoint.segment))) continue;
      try {
        await this.#o.detectors.restore(checkpoint.detector);
        if (checkpoint.windows) this.#o.windows.restoreSegment(checkpoint.segment, checkpoint.windows);
        this.#o.log('info', 'segment state restored', {
          segment: checkpoint.segment,
          state: checkpoint.detector.state,
          ageSeconds: Math.round((Date.now() - checkpoint.takenAtMs) / 1000),
        });
      } catch (err) {
        // A checkpoint from another model or config: the segment learns afresh instead.
        this.#o.log('warn', 'segment state not restored', {
          segment: checkpoint.segment,
          error: (err as Error).message,
        });
      }
    }
  }

  /** Write every owned, ready segment's state; resolves after the broker acknowledged. */
  async checkpoint(reason: string): Promise<void> {
    const takenAtMs = Date.now();
    const messages = this.#o.detectors
      .snapshots()
      .filter((s) => s.state === 'ready' && this.#owned.has(this.partitionOf(s.segment)))
      .map((detector) => {
        const checkpoint: SegmentCheckpoint = {
          version: 1,
          segment: detector.segment,
          takenAtMs,
          detector,
          windows: this.#o.windows.snapshotSegment(detector.segment),
        };
        return { key: detector.segment, value: stringifyState(checkpoint) };
      });
    if (messages.length === 0) return;
    await this.#producer.send({ topic: this.#o.stateTopic, acks: -1, messages });
    this.#o.log('debug', 'segment state checkpointed', { reason, segments: messages.map((m) => m.key) });
  }

  async close(): Promise<void> {
    await this.#reader.disconnect();
    await this.#producer.disconnect();
  }

  async #catchUp(high: Map<number, bigint>): Promise<void> {
    const until = Date.now() + (this.#o.catchUpTimeoutMs ?? 10_000);
    const behind = () => [...high].some(([p, h]) => h > 0n && (this.#readUpTo.get(p) ?? 0n) < h);
    while (behind() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    if (behind()) this.#o.log('warn', 'state topic not read to its end in time; restoring what was read', {});
  }
}
