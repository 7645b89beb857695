import { setImmediate } from 'node:timers/promises';
import type { Batch, Consumer, ConsumerConfig, EachBatchPayload } from 'kafkajs';
import { BoundedQueue } from '../../core/bounded-queue.js';
import { InputError } from '../../core/errors.js';
import type { FlowRecord } from '../../core/flow-record.js';
import type { FlowSource } from '../../core/flow-source.js';
import { ConsumerLagProbe } from './consumer-lag-probe.js';
import type { DeadLetter } from './dead-letter-producer.js';
import type { KafkaSourceBatch, KafkaSourceOptions } from './kafka-source-options.js';

export type {
  KafkaSourceBatch,
  KafkaSourceHooks,
  KafkaSourceOptions,
  SourceLog,
} from './kafka-source-options.js';

import { LateRecords } from './late-records.js';
import { mergeBatches } from './merge-batches.js';
import { OffsetCommitter } from './offset-committer.js';
import type { TrackedBatch } from './offset-tracker.js';
import { BatchTimestamps, RecordTimestamps } from './record-timestamps.js';

/** How often a pipeline that is slow to take a batch still heartbeats, so the group keeps us. */
const HEARTBEAT_WHILE_BLOCKED_MS = 2000;
/** The broker health probe runs this often; lag is computed on every n-th probe. */
const HEALTH_INTERVAL_MS = 1000;

/**
 * Flows from a Kafka consumer group. Each fetched partition batch is decoded into one
 * SourceBatch and queued for the pipeline; a full queue pauses the topics until it drains. A
 * batch's offsets are committed only after its `ack()` — in delivery order per partition, see
 * {@link OffsetTracker} — so every record is processed at least once. Undecodable messages go to
 * the dead-letter topic before their batch is queued. kafkajs retries and restarts the consumer
 * after a broker loss; reading then resumes from the committed offsets.
 */
export class KafkaSource implements FlowSource {
  readonly name = 'kafka';
  readonly #o: KafkaSourceOptions;
  readonly #consumer: Consumer;
  readonly #queue: BoundedQueue<KafkaSourceBatch>;
  readonly #commits: OffsetCommitter;
  readonly #late: LateRecords;
  readonly #probe: ConsumerLagProbe;
  readonly #timestamps = new RecordTimestamps();
  #assigned: ReadonlyMap<string, readonly number[]> = new Map();
  #assignmentReady: Promise<void> = Promise.resolve();
  #joined = false;
  #brokerOk = false;
  #paused = false;
  #fatal: InputError | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: KafkaSourceOptions) {
    this.#o = options;
    // kafkajs sleeps a whole `maxWaitTimeInMs` before it looks again at a paused partition, so
    // after a full queue resumes, reading restarts only that much later: keep it short. The fetch
    // itself still returns as soon as any record is there (minBytes 1).
    const settings = {
      sessionTimeout: 30_000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: options.fetchMaxWaitMs,
      ...options.consumer,
    };
    this.#consumer = options.kafka.consumer({
      ...(settings as Partial<ConsumerConfig>),
      groupId: options.groupId,
    });
    this.#commits = new OffsetCommitter(
      (plan) => this.#consumer.commitOffsets(plan),
      options.commitIntervalMs,
      (msg, fields) => options.log('debug', msg, fields),
    );
    this.#late = new LateRecords(options.allowedLatenessSeconds);
    this.#queue = new BoundedQueue(options.maxQueueBatches, { onPressure: (full) => this.#pressure(full) });
    this.#probe = new ConsumerLagProbe({
      kafka: options.kafka,
      groupId: options.groupId,
      topics: options.topics,
      assigned: () => this.#assigned,
      intervalMs: Math.min(HEALTH_INTERVAL_MS, options.lagIntervalMs),
      lagEvery: Math.max(1, Math.round(options.lagIntervalMs / HEALTH_INTERVAL_MS)),
      onLag: (lags) => options.hooks?.lag?.(lags),
      onHealth: (ok, err) => this.#health(ok, err),
    });
    this.#watchConsumer();
  }

  /** Connected to the brokers and a member of the group (what `/-/ready` reports). */
  get connected(): boolean {
    return this.#joined && this.#brokerOk && this.#closing === undefined;
  }

  /** Partitions owned now, per topic. */
  get assignment(): ReadonlyMap<string, readonly number[]> {
    return this.#assigned;
  }

  /** Kafka timestamp (epoch ms) of the in-flight message a flow came from, for the latency histogram. */
  recordTimestamp(origin: string, partition: number, offset: string): number | undefined {
    return this.#timestamps.get(origin, partition, offset);
  }

  /** Connect, subscribe and start consuming; rejects when the brokers cannot be reached at all. */
  async start(): Promise<void> {
    await this.#consumer.connect();
    for (const topic of this.#o.topics) {
      await this.#consumer.subscribe({ topic, fromBeginning: this.#o.fromBeginning });
    }
    this.#probe.start();
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.#eachBatch(payload),
    });
  }

  /**
   * Queued partition batches, merged up to `maxBatchFlows` flows per pipeline batch: when the
   * pipeline falls behind, the next call takes everything that piled up at once, so a fixed cost
   * per batch (scoring call, alert round trip) is paid once for all of it instead of once per fetch.
   *
   * A batch is handed over only after one turn of the event loop. Queuing it resolves the waiting
   * consumer first, and kafkajs sends its next fetch from continuations queued behind that one: handed
   * over at once, the pipeline would run features and scoring before the fetch is even sent. After
   * the turn, the next fetch is already on its way and the broker answers while we process.
   */
  async *batches(): AsyncIterable<KafkaSourceBatch> {
    for (let batch = await this.#queue.pop(); batch !== undefined; batch = await this.#queue.pop()) {
      await setImmediate();
      yield await this.#coalesce(batch);
    }
    if (this.#fatal) throw this.#fatal;
  }

  async #coalesce(first: KafkaSourceBatch): Promise<KafkaSourceBatch> {
    const limit = this.#o.maxBatchFlows;
    if (this.#queue.size === 0 || first.flows.length >= limit) return first;
    const parts = [first];
    let count = first.flows.length;
    while (this.#queue.size > 0 && count < limit) {
      const next = await this.#queue.pop();
      if (next === undefined) break;
      parts.push(next);
      count += next.flows.length;
    }
    return mergeBatches(parts);
  }

  /** Stop fetching, wait (bounded) for handed-out batches to be acknowledged, commit. Stays in the group. */
  close(): Promise<void> {
    this.#closing ??= this.#drain();
    return this.#closing;
  }

  /** Leave the group and disconnect; call after {@link close} (scale-out checkpoints in between). */
  async disconnect(): Promise<void> {
    await this.close();
    await this.#probe.stop();
    // kafkajs waits for its fetch loop, which can hang on a broker that went away: bound it.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#o.shutdownTimeoutMs);
    });
    const result = await Promise.race([this.#consumer.disconnect(), deadline]);
    clearTimeout(timer);
    if (result === 'timeout') this.#o.log('warn', 'Kafka consumer did not leave the group in time', {});
  }

  async #drain(): Promise<void> {
    this.#pauseAll();
    this.#queue.close();
    const until = Date.now() + this.#o.shutdownTimeoutMs;
    const { tracker } = this.#commits;
    while (tracker.pending > 0 && Date.now() < until) await sleep(20);
    if (tracker.pending > 0) {
      this.#o.log(
        'warn',
        'Kafka batches not acknowledged within the shutdown deadline; they will be read again',
        {
          batches: tracker.pending,
        },
      );
    }
    await this.#commits.flush();
  }

  async #eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    await this.#assignmentReady;
    if (batch.messages.length === 0 || !isRunning() || isStale() || this.#closing) return;
    const timestamps = new BatchTimestamps();
    const { flows, letters } = this.#decode(batch, timestamps);
    const late = this.#late.count(flows);
    if (late > 0) this.#o.hooks?.late?.(late);
    await this.#deadLetter(letters);
    // Registered only now: when dead-lettering throws, kafkajs fetches the batch again.
    this.#timestamps.begin(timestamps);
    const tracked = this.#commits.tracker.track(batch.topic, batch.partition, batch.lastOffset());
    const ack = async () => this.#settle(tracked, timestamps, true);
    const fail = () => this.#settle(tracked, timestamps, false);
    const sourceBatch: KafkaSourceBatch = { flows, ack, fail };
    if (flows.length === 0) await ack();
    else if (!(await this.#push(sourceBatch, heartbeat))) return fail();
    resolveOffset(batch.lastOffset());
    await heartbeat();
  }

  /** The flows and dead letters of one fetched batch; each flow's Kafka timestamp goes to `timestamps`. */
  #decode(batch: Batch, timestamps: BatchTimestamps): { flows: FlowRecord[]; letters: DeadLetter[] } {
    const flows: FlowRecord[] = [];
    const letters: DeadLetter[] = [];
    const { decoder, hooks } = this.#o;
    for (const message of batch.messages) {
      const decoded = decoder.decode(batch.topic, batch.partition, message);
      if (decoded.deadLetter) letters.push(decoded.deadLetter);
      if (decoded.flows.length === 0) continue;
      const upstreamMs = hooks?.adjust?.(decoded.flows, message);
      const timestamp = upstreamMs ?? Number(message.timestamp);
      for (const flow of decoded.flows) {
        timestamps.add(flow.source, timestamp);
        flows.push(flow);
      }
    }
    // Flow counts go to the metrics once per batch: a labelled counter update costs a hash each.
    decoder.flushCounts();
    return { flows, letters };
  }

  /** Queue a batch, heartbeating while the pipeline is slow; false when the queue closed. */
  async #push(batch: KafkaSourceBatch, heartbeat: () => Promise<void>): Promise<boolean> {
    const timer = setInterval(() => {
      heartbeat().catch((err: unknown) => this.#o.log('debug', 'heartbeat while blocked failed', { err }));
    }, HEARTBEAT_WHILE_BLOCKED_MS);
    try {
      return await this.#queue.push(batch);
    } finally {
      clearInterval(timer);
    }
  }

  async #deadLetter(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    // Throwing here leaves the batch unresolved: kafkajs retries it, so no bad message is lost.
    await this.#o.deadLetters?.send(letters);
    for (const letter of letters) this.#o.hooks?.deadLettered?.(letter.reason);
  }

  #settle(tracked: TrackedBatch, timestamps: BatchTimestamps, ok: boolean): void {
    this.#timestamps.end(timestamps);
    this.#commits.settle(tracked, ok);
  }

  #pressure(full: boolean): void {
    if (full) this.#pauseAll();
    else if (this.#paused && !this.#closing) {
      this.#paused = false;
      this.#consumer.resume(this.#o.topics.map((topic) => ({ topic })));
    }
  }

  #pauseAll(): void {
    this.#paused = true;
    this.#consumer.pause(this.#o.topics.map((topic) => ({ topic })));
  }

  #health(ok: boolean, err?: unknown): void {
    if (ok !== this.#brokerOk) {
      this.#o.log(ok ? 'info' : 'warn', ok ? 'Kafka brokers reachable' : 'Kafka brokers unreachable', {
        ...(err ? { error: (err as Error).message } : {}),
      });
    }
    this.#brokerOk = ok;
  }

  #watchConsumer(): void {
    const { events } = this.#consumer;
    this.#consumer.on(events.GROUP_JOIN, ({ payload }) => {
      this.#joined = true;
      this.#commits.tracker.reset();
      this.#assigned = new Map(Object.entries(payload.memberAssignment));
      this.#o.log('info', 'Kafka partitions assigned', {
        group: payload.groupId,
        assignment: payload.memberAssignment,
      });
      this.#assignmentReady = this.#o.hooks?.assigned?.(this.#assigned) ?? Promise.resolve();
    });
    this.#consumer.on(events.REBALANCING, () => this.#o.hooks?.rebalancing?.());
    this.#consumer.on(events.CRASH, ({ payload }) => {
      this.#joined = false;
      this.#o.log('warn', 'Kafka consumer crashed', {
        error: payload.error.message,
        restart: payload.restart,
      });
      if (!payload.restart && !this.#closing) {
        this.#fatal = new InputError(
          'TAPWATCH_INPUT_UNREADABLE',
          'kafka',
          `Kafka consumer stopped: ${payload.error.message}`,
          {
            cause: payload.error,
          },
        );
        this.#queue.close();
      }
    });
    this.#consumer.on(events.DISCONNECT, () => {
      this.#joined = false;
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
