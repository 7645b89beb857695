/** One batch handed to the pipeline from one partition: the offset to commit once it is done. */
export interface TrackedBatch {
  readonly topic: string;
  readonly partition: number;
  /** Offset of the batch's last message plus one: Kafka commits the next offset to read. */
  readonly nextOffset: bigint;
  /** Assignment epoch it was delivered in; acks from an older epoch are ignored. */
  readonly epoch: number;
}

interface Entry {
  batch: TrackedBatch;
  state: 'pending' | 'done' | 'failed';
}

/** Offsets ready to commit: `topic → partition → next offset`. */
export type CommitPlan = { topic: string; partition: number; offset: string }[];

/**
 * Turns out-of-order acknowledgements into in-order commits, per partition. Batches are
 * registered in delivery order; a partition's commit point only moves past a batch once it and
 * every batch delivered before it are done, so a commit never covers an unprocessed record
 * (at-least-once even when a later batch finishes first). A failed batch (an alert that could
 * not be delivered) blocks its partition until the partition is reassigned, so its records are
 * read again from the last commit.
 */
export class OffsetTracker {
  readonly #partitions = new Map<string, Entry[]>();
  readonly #committable = new Map<string, { topic: string; partition: number; offset: bigint }>();
  readonly #committed = new Map<string, bigint>();
  #epoch = 0;

  /** The current assignment epoch; {@link reset} starts a new one. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Batches delivered and neither done nor failed, over all partitions. */
  get pending(): number {
    let n = 0;
    for (const entries of this.#partitions.values()) {
      for (const e of entries) if (e.state === 'pending') n++;
    }
    return n;
  }

  /** Register a batch at delivery; the returned object is passed back to {@link done} or {@link fail}. */
  track(topic: string, partition: number, lastOffset: string): TrackedBatch {
    const batch = { topic, partition, nextOffset: BigInt(lastOffset) + 1n, epoch: this.#epoch };
    const key = keyOf(topic, partition);
    let entries = this.#partitions.get(key);
    if (!entries) {
      entries = [];
      this.#partitions.set(key, entries);
    }
    entries.push({ batch, state: 'pending' });
    return batch;
  }

  /** The batch's flows were fully handled; advances the partition's commit point where possible. */
  done(batch: TrackedBatch): void {
    this.#settle(batch, 'done');
  }

  /** The batch could not be fully handled: its partition commits nothing past it until reassigned. */
  fail(batch: TrackedBatch): void {
    this.#settle(batch, 'failed');
  }

  /** Offsets that became committable since the last call; the caller commits them. */
  takeCommits(): CommitPlan {
    const plan: CommitPlan = [];
    for (const [key, c] of this.#committable) {
      plan.push({ topic: c.topic, partition: c.partition, offset: c.offset.toString() });
      this.#committed.set(key, c.offset);
    }
    this.#committable.clear();
    return plan;
  }

  /** Put back commits that failed, unless a newer commit point has appeared meanwhile. */
  restoreCommits(plan: CommitPlan): void {
    for (const c of plan) {
      const key = keyOf(c.topic, c.partition);
      this.#committed.delete(key);
      if (!this.#committable.has(key)) {
        this.#committable.set(key, { topic: c.topic, partition: c.partition, offset: BigInt(c.offset) });
      }
    }
  }

  /**
   * A new assignment (rebalance or consumer restart): the consumer reads again from the broker's
   * committed offsets, so everything delivered before is forgotten and its late acks ignored.
   */
  reset(): void {
    this.#epoch++;
    this.#partitions.clear();
    this.#committable.clear();
    this.#committed.clear();
  }

  #settle(batch: TrackedBatch, state: 'done' | 'failed'): void {
    if (batch.epoch !== this.#epoch) return;
    const key = keyOf(batch.topic, batch.partition);
    const entries = this.#partitions.get(key);
    const entry = entries?.find((e) => e.batch === batch);
    if (!entries || !entry || entry.state !== 'pending') return;
    entry.state = state;
    let next: bigint | undefined;
    while (entries.length > 0 && entries[0]!.state === 'done') next = entries.shift()!.batch.nextOffset;
    if (entries.length === 0) this.#partitions.delete(key);
    // Offsets only move forward within an epoch (a restart re-reading older offsets resets first).
    const committed = this.#committable.get(key)?.offset ?? this.#committed.get(key) ?? -1n;
    if (next !== undefined && next > committed) {
      this.#committable.set(key, { topic: batch.topic, partition: batch.partition, offset: next });
    }
  }
}

function keyOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
