/**
 * Everything the broker stores: topics with their partition logs, committed group offsets and the producer id
 * counter. It outlives the TCP listener, which is what lets `stop()`/`restart()` model a broker outage
 * without data loss.
 */
import { ErrorCode, type ErrorCodeValue } from './error-codes.js';
import { PartitionLog } from './log.js';

/** A topic to create. */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** `cleanup.policy=compact`: reads return the latest record per key. */
  compacted?: boolean;
}

/** A topic and its partitions, indexed by partition number. */
export interface Topic {
  name: string;
  compacted: boolean;
  partitions: PartitionLog[];
}

/** A committed offset with the metadata string the consumer attached. */
export interface CommittedOffset {
  offset: number;
  metadata: string | null;
}

/** Kafka's topic name rule: 1–249 characters of `[a-zA-Z0-9._-]`, and not `.` or `..`. */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** Storage shared by every connection and surviving restarts. */
export class BrokerState {
  readonly topics = new Map<string, Topic>();
  readonly autoCreateTopics: boolean;
  readonly defaultPartitions: number;
  #offsets = new Map<string, Map<string, CommittedOffset>>();
  #nextProducerId = 1000;
  #appendListeners = new Set<() => void>();

  constructor(options: { autoCreateTopics: boolean; defaultPartitions: number }) {
    this.autoCreateTopics = options.autoCreateTopics;
    this.defaultPartitions = options.defaultPartitions;
  }

  /** Creates a topic; returns the error code CreateTopics would report. */
  createTopic(spec: TopicSpec): ErrorCodeValue {
    if (!TOPIC_NAME.test(spec.name) || spec.name === '.' || spec.name === '..') {
      return ErrorCode.INVALID_TOPIC_EXCEPTION;
    }
    if (this.topics.has(spec.name)) return ErrorCode.TOPIC_ALREADY_EXISTS;
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1) return ErrorCode.INVALID_PARTITIONS;
    const compacted = spec.compacted ?? false;
    const partitions = Array.from({ length: spec.partitions }, () => new PartitionLog(compacted));
    this.topics.set(spec.name, { name: spec.name, compacted, partitions });
    return ErrorCode.NONE;
  }

  /** The topic, auto-creating it with the default partition count when allowed (like `auto.create.topics.enable`). */
  topicOrCreate(name: string, allowAutoCreate: boolean): Topic | undefined {
    const existing = this.topics.get(name);
    if (existing !== undefined || !allowAutoCreate || !this.autoCreateTopics) return existing;
    this.createTopic({ name, partitions: this.defaultPartitions });
    return this.topics.get(name);
  }

  /** A partition's log, or undefined when the topic or partition does not exist. */
  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  commitOffset(group: string, topic: string, partition: number, committed: CommittedOffset): void {
    let byPartition = this.#offsets.get(group);
    if (byPartition === undefined) {
      byPartition = new Map();
      this.#offsets.set(group, byPartition);
    }
    byPartition.set(`${partition}:${topic}`, committed);
  }

  committedOffset(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.#offsets.get(group)?.get(`${partition}:${topic}`);
  }

  /** Every committed offset of a group, for OffsetFetch with a null topic list (v2+). */
  committedOffsets(group: string): { topic: string; partition: number; committed: CommittedOffset }[] {
    const byPartition = this.#offsets.get(group) ?? new Map<string, CommittedOffset>();
    return [...byPartition].map(([key, committed]) => {
      const colon = key.indexOf(':');
      return { topic: key.slice(colon + 1), partition: Number(key.slice(0, colon)), committed };
    });
  }

  /** A fresh producer id for InitProducerId. */
  allocateProducerId(): number {
    return this.#nextProducerId++;
  }

  /** Subscribes to appends on any partition; returns the unsubscribe function. Fetch long-polls use it. */
  onAppend(listener: () => void): () => void {
    this.#appendListeners.add(listener);
    return () => this.#appendListeners.delete(listener);
  }

  /** Wakes every waiting fetch after an append. */
  notifyAppend(): void {
    for (const listener of [...this.#appendListeners]) listener();
  }
}
