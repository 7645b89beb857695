import type { FlowSource } from '../../core/flow-record.js';

/**
 * Kafka timestamps of the flows of one in-flight batch, by the flow's input position (its
 * `source`: upstream topic, partition and offset). Offsets are grouped under their topic and
 * partition, and consecutive flows of the same partition reuse the group. Within a group,
 * recording a flow appends to two arrays — no hashing per flow, where a Map keyed by offset cost
 * a hash of a fresh string per flow — and the rare lookup (one per alert) binary-searches them,
 * since a partition's offsets arrive in ascending order.
 */
export class BatchTimestamps {
  readonly #byPartition = new Map<string, OffsetTimes>();
  #lastOrigin: string | undefined;
  #lastPartition: number | undefined;
  #last: OffsetTimes | undefined;

  /** Remember `timestampMs` for the flow at `source`. */
  add(source: FlowSource, timestampMs: number): void {
    const { origin, partition, offset } = source;
    if (offset === undefined) return;
    if (this.#last === undefined || origin !== this.#lastOrigin || partition !== this.#lastPartition) {
      const key = partitionKey(origin, partition);
      let group = this.#byPartition.get(key);
      if (group === undefined) {
        group = new OffsetTimes();
        this.#byPartition.set(key, group);
      }
      this.#last = group;
      this.#lastOrigin = origin;
      this.#lastPartition = partition;
    }
    this.#last.add(offset, timestampMs);
  }

  get(key: string, offset: string): number | undefined {
    return this.#byPartition.get(key)?.get(offset);
  }
}

/** Offsets (decimal text) and their timestamps in the order added; the last add of an offset wins. */
class OffsetTimes {
  readonly #offsets: string[] = [];
  readonly #times: number[] = [];
  /** Every offset greater than the one before: binary search applies. */
  #ascending = true;

  add(offset: string, timestampMs: number): void {
    const n = this.#offsets.length;
    if (n > 0) {
      const previous = this.#offsets[n - 1];
      // Several flows of one message share its offset.
      if (previous === offset) {
        this.#times[n - 1] = timestampMs;
        return;
      }
      if (this.#ascending && !offsetBefore(previous, offset)) this.#ascending = false;
    }
    this.#offsets.push(offset);
    this.#times.push(timestampMs);
  }

  get(offset: string): number | undefined {
    const offsets = this.#offsets;
    if (!this.#ascending) {
      // Out-of-order positions (re-keyed input after a redelivery): the latest entry wins.
      const i = offsets.lastIndexOf(offset);
      return i < 0 ? undefined : this.#times[i];
    }
    let lo = 0;
    let hi = offsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (offsetBefore(offsets[mid], offset)) lo = mid + 1;
      else hi = mid;
    }
    return offsets[lo] === offset ? this.#times[lo] : undefined;
  }
}

/** Numeric order of two offsets in decimal text without leading zeros, as Kafka clients write them. */
function offsetBefore(a: string, b: string): boolean {
  return a.length < b.length || (a.length === b.length && a < b);
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
