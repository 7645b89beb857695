/**
 * Idempotent-producer bookkeeping for one partition (KIP-98): the broker remembers, per producer id, the
 * epoch, the last sequence number written and the offsets of the last few batches, so that a batch retried
 * after a lost response is acknowledged with its original offset instead of being written twice.
 */
import { ErrorCode, type ErrorCodeValue } from './error-codes.js';
import type { RecordBatch } from './record-batch.js';

/** Kafka keeps the metadata of the last five batches per producer (max.in.flight for idempotence is 5). */
const RECENT_BATCHES = 5;

interface RecentBatch {
  firstSequence: number;
  lastSequence: number;
  baseOffset: number;
}

interface ProducerEntry {
  epoch: number;
  lastSequence: number;
  recent: RecentBatch[];
}

/** Outcome of checking a batch against the producer's history. */
export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number }
  | { kind: 'reject'; errorCode: ErrorCodeValue };

/** Sequence numbers wrap at INT32 max back to 0. */
function nextSequence(seq: number): number {
  return seq === 0x7fffffff ? 0 : seq + 1;
}

/** Per-partition sequence tracking for idempotent producers. */
export class ProducerSequences {
  #producers = new Map<number, ProducerEntry>();

  /** Decides whether a batch is new, a retry of one already written, or out of order. */
  check(batch: RecordBatch): SequenceCheck {
    if (batch.producerId < 0 || batch.baseSequence < 0) return { kind: 'append' };
    const entry = this.#producers.get(batch.producerId);
    if (entry === undefined || batch.producerEpoch > entry.epoch) {
      // A new producer, or a bumped epoch: the first sequence is taken as given. Kafka insists on 0 here, but a
      // test broker that lost nothing has no reason to refuse a producer that resumes where it left off.
      return { kind: 'append' };
    }
    if (batch.producerEpoch < entry.epoch)
      return { kind: 'reject', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH };
    const dup = entry.recent.find((b) => b.firstSequence === batch.baseSequence);
    if (dup !== undefined) return { kind: 'duplicate', baseOffset: dup.baseOffset };
    if (batch.baseSequence !== nextSequence(entry.lastSequence)) {
      return { kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    }
    return { kind: 'append' };
  }

  /** Records a batch that was appended at `baseOffset`. */
  record(batch: RecordBatch, baseOffset: number): void {
    if (batch.producerId < 0 || batch.baseSequence < 0) return;
    let entry = this.#producers.get(batch.producerId);
    if (entry === undefined || batch.producerEpoch > entry.epoch) {
      entry = { epoch: batch.producerEpoch, lastSequence: -1, recent: [] };
      this.#producers.set(batch.producerId, entry);
    }
    const lastSequence = (batch.baseSequence + batch.lastOffsetDelta) % 0x80000000;
    entry.lastSequence = lastSequence;
    entry.recent.push({ firstSequence: batch.baseSequence, lastSequence, baseOffset });
    if (entry.recent.length > RECENT_BATCHES) entry.recent.shift();
  }
}
