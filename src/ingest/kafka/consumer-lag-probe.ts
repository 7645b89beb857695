import type { Admin, Kafka } from 'kafkajs';

/** Lag of one assigned partition: high-water mark minus the group's committed offset. */
export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/** Options of {@link ConsumerLagProbe}. */
export interface ConsumerLagProbeOptions {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  /** Partitions this instance owns now; lag is reported for these only (others belong to peers). */
  assigned: () => ReadonlyMap<string, readonly number[]>;
  /** Between two probes; lag is computed every `lagEvery` probes. */
  intervalMs: number;
  lagEvery: number;
  /** Every successful lag computation, with every assigned partition. */
  onLag: (lags: PartitionLag[]) => void;
  /** Broker reachable or not, after each probe. */
  onHealth: (ok: boolean, err?: unknown) => void;
}

/**
 * kafkajs reports no consumer lag, so it is measured: the topics' high-water marks
 * (ListOffsets) against the group's committed offsets (OffsetFetch), through an admin client with
 * few retries. The same round trip doubles as the broker health probe behind `/-/ready`: the
 * consumer itself only notices a lost broker after its own retries run out.
 */
export class ConsumerLagProbe {
  readonly #options: ConsumerLagProbeOptions;
  readonly #admin: Admin;
  #timer: NodeJS.Timeout | undefined;
  #round = 0;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: ConsumerLagProbeOptions) {
    this.#options = options;
    this.#admin = options.kafka.admin({ retry: { retries: 0 } });
  }

  start(): void {
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    await this.#admin.disconnect();
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#probe().finally(() => this.#schedule(this.#options.intervalMs));
    }, delayMs);
    this.#timer.unref();
  }

  async #probe(): Promise<void> {
    const { topics, lagEvery } = this.#options;
    const withLag = this.#round++ % lagEvery === 0;
    try {
      await this.#admin.connect();
      const high = await Promise.all(topics.map((t) => this.#admin.fetchTopicOffsets(t)));
      this.#options.onHealth(true);
      if (!withLag) return;
      const committed = await this.#admin.fetchOffsets({
        groupId: this.#options.groupId,
        topics: [...topics],
      });
      this.#options.onLag(this.#lags(high, committed));
    } catch (err) {
      this.#options.onHealth(false, err);
    }
  }

  #lags(
    high: Awaited<ReturnType<Admin['fetchTopicOffsets']>>[],
    committed: Awaited<ReturnType<Admin['fetchOffsets']>>,
  ): PartitionLag[] {
    const assigned = this.#options.assigned();
    const lags: PartitionLag[] = [];
    this.#options.topics.forEach((topic, i) => {
      const mine = new Set(assigned.get(topic) ?? []);
      const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const p of high[i] ?? []) {
        if (!mine.has(p.partition)) continue;
        const at = Number(done.find((c) => c.partition === p.partition)?.offset ?? '-1');
        // No commit yet: everything retained is still to be read.
        const from = at >= 0 ? at : Number(p.low);
        lags.push({ topic, partition: p.partition, lag: Math.max(0, Number(p.high) - from) });
      }
    });
    return lags;
  }
}
