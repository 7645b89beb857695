import type { FlowSource } from '../../core/flow-record.js';

/**
 * Kafka timestamps of the flows of one in-flight batch, by the flow's input position (its
 * `source`: upstream topic, partition and offset). Offsets are grouped under their topic and
 * partition, and consecutive flows of the same partition reuse the group, so recording a flow
 * is one Map set keyed by the offset string kafkajs already made — no key text is built per flow.
 */
export class BatchTimestamps {
  readonly #byPartition = new Map<string, Map<string, number>>();
  #lastOrigin: string | undefined;
  #lastPartition: number | undefined;
  #last: Map<string, number> | undefined;

  /** Remember `timestampMs` for the flow at `source`. */
  add(source: FlowSource, timestampMs: number): void {
    const { origin, partition, offset } = source;
    if (offset === undefined) return;
    if (this.#last === undefined || origin !== this.#lastOrigin || partition !== this.#lastPartition) {
      const key = partitionKey(origin, partition);
      let offsets = this.#byPartition.get(key);
      if (offsets === undefined) {
        offsets = new Map();
        this.#byPartition.set(key, offsets);
      }
      this.#last = offsets;
      this.#lastOrigin = origin;
      this.#lastPartition = partition;
    }
    this.#last.set(offset, timestampMs);
  }

  get(key: string, offset: string): number | undefined {
    return this.#byPartition.get(key)?.get(offset);
  }
}

/**
 * Timestamps of every batch handed to the pipeline and not yet acknowledged or failed, for the
 * alert latency histogram. A batch's entries go at once when it settles.
 */
export class RecordTimestamps {
  readonly #batches = new Set<BatchTimestamps>();

  /** A batch handed to the pipeline: its flows can be looked up until {@link end}. */
  begin(batch: BatchTimestamps): void {
    this.#batches.add(batch);
  }

  /** Forget a settled batch. */
  end(batch: BatchTimestamps): void {
    this.#batches.delete(batch);
  }

  /** The timestamp of the in-flight flow at this position; the newest batch wins on redelivery. */
  get(origin: string, partition: number, offset: string): number | undefined {
    const key = partitionKey(origin, partition);
    let found: number | undefined;
    for (const batch of this.#batches) found = batch.get(key, offset) ?? found;
    return found;
  }
}

function partitionKey(origin: string, partition: number | undefined): string {
  return `${origin}\u0000${partition}`;
}
