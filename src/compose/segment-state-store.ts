import { randomUUID } from 'node:crypto';
import {
  CompressionTypes,
  type Consumer,
  type Kafka,
  Partitioners,
  type PartitionMetadata,
  type Producer,
} from 'kafkajs';
import type { AlertSuppression, SegmentSuppressionState } from '../alerts/alert-suppression.js';
import type { FeatureExtractor } from '../features/extract-features.js';
import type { HostSegmentState } from '../features/host-statistics.js';
import type { SegmentWindowsState } from '../features/segment-windows.js';
import type { SourceLog } from '../ingest/kafka/kafka-source.js';
import type { DetectorThread } from '../meta/detector-thread.js';
import type { SegmentSnapshot } from '../meta/segment-detector.js';
import { parseState, stringifyState } from './state-json.js';

/**
 * Format of the checkpoints written. Version 1 held detector and windows; version 2 adds the
 * optional `hosts` and `alerts`. Readers take both: a version 1 checkpoint restores what it has
 * and the rest starts empty, as before. Older readers ignore the added fields.
 */
export const CHECKPOINT_VERSION = 2;

/** One segment's checkpoint on the state topic (the value; the key is the segment). */
export interface SegmentCheckpoint {
  version: 1 | 2;
  segment: string;
  takenAtMs: number;
  detector: SegmentSnapshot;
  windows?: SegmentWindowsState;
  /** Since version 2: the segment's hosts, host pairs and sockets (see `HostStatistics.snapshotSegments`). */
  hosts?: HostSegmentState;
  /** Since version 2: the segment's dedup keys and rate-limit bucket. */
  alerts?: SegmentSuppressionState;
}

/** Options of {@link SegmentStateStore}. */
export interface SegmentStateStoreOptions {
  kafka: Kafka;
  stateTopic: string;
  internalTopic: string;
  /** Partitions of the internal topic (the segment → partition map depends on it). */
  partitions: number;
  detectors: DetectorThread;
  /** Windows and host statistics. */
  extractor: FeatureExtractor;
  /** The alert stage's dedup table and rate limiter; omitted = not moved. */
  alerts?: AlertSuppression;
  log: SourceLog;
  /** Longest wait for the state topic to be read up to its end before an assignment starts. */
  catchUpTimeoutMs?: number;
}

const partitioner = Partitioners.DefaultPartitioner();

/** Uncompressed checkpoint text per produce request (gzip then shrinks it several-fold). */
const MAX_REQUEST_CHARS = 768 * 1024;

/** Consecutive groups of `messages` of at most `maxChars` of value each (a larger one alone). */
function chunkBySize<T extends { value: string }>(messages: readonly T[], maxChars: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const m of messages) {
    if (current.length > 0 && size + m.value.length > maxChars) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(m);
    size += m.value.length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Per-segment state through a compacted Kafka topic, the pattern of Kafka Streams' changelog
 * topics. A reader follows the whole topic (one record per segment after compaction) into memory;
 * when partitions of the internal topic are assigned here, every checkpointed segment that hashes
 * to a newly assigned partition is restored into the detectors, windows, host statistics (the
 * hosts, pairs and sockets whose latest flow was the segment's) and alert suppression (its dedup
 * keys and rate bucket) before its flows are scored, so a moved segment is ready at once and
 * does not alert again on what its old owner already sent. The old owner drops the host and
 * alert state of revoked segments once the checkpoint the rebalance began with is written.
 * Owned, ready segments are checkpointed periodically, when a rebalance begins and at shutdown.
 * Learning segments are not written: their warm-up rows are large and a moved learning segment
 * simply keeps learning (it never alerted, and its hosts rebuild while it learns).
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

  /**
   * A new assignment of the internal topic: forget the host and alert state of segments whose
   * partition left (the checkpoint taken when the rebalance began carries it to the new owner),
   * then restore the segments of partitions that are new here.
   */
  async assigned(partitions: readonly number[], admin: () => Promise<Map<number, bigint>>): Promise<void> {
    const fresh = partitions.filter((p) => !this.#owned.has(p));
    const revoked = [...this.#owned].filter((p) => !partitions.includes(p));
    this.#owned = new Set(partitions);
    if (revoked.length > 0) this.#dropRevoked(new Set(revoked));
    if (fresh.length === 0) return;
    await this.#catchUp(await admin());
    const hosts = new Map<string, HostSegmentState>();
    for (const checkpoint of this.#latest.values()) {
      if (!fresh.includes(this.partitionOf(checkpoint.segment))) continue;
      if ((await this.#restore(checkpoint)) && checkpoint.hosts)
        hosts.set(checkpoint.segment, checkpoint.hosts);
    }
    if (hosts.size === 0) return;
    try {
      // One rebuild of the host tables for all arriving segments.
      this.#o.extractor.restoreHostSegments(hosts);
    } catch (err) {
      this.#o.log('warn', 'segment host statistics not restored', {
        segments: [...hosts.keys()],
        error: (err as Error).message,
      });
    }
  }

  /** Restore one checkpoint's detector, windows and alert state; false when it does not fit. */
  async #restore(checkpoint: SegmentCheckpoint): Promise<boolean> {
    const { segment } = checkpoint;
    try {
      if (checkpoint.version !== 1 && checkpoint.version !== 2)
        throw new RangeError(`checkpoint version ${String(checkpoint.version)}; this build reads 1 and 2`);
      await this.#o.detectors.restore(checkpoint.detector);
      if (checkpoint.windows) this.#o.extractor.windows.restoreSegment(segment, checkpoint.windows);
      if (checkpoint.alerts) this.#o.alerts?.restoreSegment(segment, checkpoint.alerts);
      this.#o.log('info', 'segment state restored', {
        segment,
        state: checkpoint.detector.state,
        ageSeconds: Math.round((Date.now() - checkpoint.takenAtMs) / 1000),
        dedupKeys: checkpoint.alerts?.dedup.length ?? 0,
        hosts: checkpoint.hosts?.hosts.keys.length ?? 0,
      });
      return true;
    } catch (err) {
      // A checkpoint from another model or config: the segment learns afresh instead.
      this.#o.log('warn', 'segment state not restored', { segment, error: (err as Error).message });
      return false;
    }
  }

  /** Forget what moved away with the segments of `revoked` partitions. */
  #dropRevoked(revoked: ReadonlySet<number>): void {
    const gone = (segment: string) => revoked.has(this.partitionOf(segment));
    this.#o.alerts?.dropSegments(gone);
    this.#o.extractor.dropHostSegments(gone);
    this.#o.log('info', 'segment host and alert state handed over', { partitions: [...revoked] });
  }

  /** Write every owned, ready segment's state; resolves after the broker acknowledged. */
  async checkpoint(reason: string): Promise<void> {
    const takenAtMs = Date.now();
    // The detector thread answers after scoring every batch handed to it before this request, and a
    // batch is handed over in the same turn its features are extracted. Windows, host tables and alert
    // suppression taken in this turn therefore pair with the detector states that come back, even when
    // the next batch's features are extracted, or earlier batches' alerts sent, while the answer is on
    // its way.
    const snapshots = this.#o.detectors.snapshots();
    const { extractor } = this.#o;
    const owned = (segment: string) => this.#owned.has(this.partitionOf(segment));
    const withWindows = extractor.windows.segments.filter(owned);
    const windows = new Map(withWindows.map((s) => [s, extractor.windows.snapshotSegment(s)]));
    const hosts = extractor.snapshotHostSegments(withWindows);
    const alerts = new Map(withWindows.map((s) => [s, this.#o.alerts?.snapshotSegment(s)]));
    const ready = (await snapshots).filter((s) => s.state === 'ready' && owned(s.segment));
    if (ready.length === 0) return;
    const messages = ready.map((detector) => {
      const { segment } = detector;
      const checkpoint: SegmentCheckpoint = {
        version: CHECKPOINT_VERSION,
        segment,
        takenAtMs,
        detector,
        windows: windows.get(segment),
        hosts: hosts.get(segment),
        alerts: alerts.get(segment),
      };
      return { key: segment, value: stringifyState(checkpoint) };
    });
    // One request per segment group of bounded size: one partition means one record batch per
    // request, and a broker refuses a batch over its message.max.bytes (1 MiB by default).
    for (const chunk of chunkBySize(messages, MAX_REQUEST_CHARS)) {
      await this.#producer.send({
        topic: this.#o.stateTopic,
        acks: -1,
        compression: CompressionTypes.GZIP,
        messages: chunk,
      });
    }
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
