/**
 * In-memory storage of one topic partition: an append-only list of record batches with broker-assigned
 * offsets. The log start offset is always 0 (nothing is ever deleted), and with a single replica the high
 * watermark equals the log end offset.
 */
import { ErrorCode, type ErrorCodeValue } from './error-codes.js';
import { ProducerSequences } from './producer-state.js';
import type { StoredRecord } from './record.js';
import {
  batchBaseOffset,
  decodeRecords,
  encodeBatch,
  isControlBatch,
  type RecordBatch,
  RecordBatchError,
  stampBatch,
} from './record-batch.js';

/** The batch's records, or null when its compression codec cannot be decoded here. */
function tryDecode(batch: RecordBatch): StoredRecord[] | null {
  try {
    return decodeRecords(batch);
  } catch (err) {
    if (err instanceof RecordBatchError) return null;
    throw err;
  }
}

/** Result of appending one Produce partition entry. */
export interface AppendResult {
  errorCode: ErrorCodeValue;
  /** Offset of the first record written (or of the original write, for a duplicate); -1 on error. */
  baseOffset: number;
}

/** One partition's log. */
export class PartitionLog {
  readonly compacted: boolean;
  #batches: RecordBatch[] = [];
  #nextOffset = 0;
  #sequences = new ProducerSequences();
  /** Compacted view, rebuilt lazily after an append invalidates it. */
  #compactedView: RecordBatch[] | null = null;

  constructor(compacted: boolean) {
    this.compacted = compacted;
  }

  /** Offset the next record will get; also the high watermark and the last stable offset. */
  get highWatermark(): number {
    return this.#nextOffset;
  }

  /** First offset still readable. The test broker keeps everything. */
  get logStartOffset(): number {
    return 0;
  }

  /**
   * Appends the batches of one Produce partition entry atomically: if any batch is out of sequence, nothing is
   * written (Kafka validates the whole entry before appending).
   */
  append(batches: RecordBatch[]): AppendResult {
    const checks = batches.map((b) => this.#sequences.check(b));
    const rejected = checks.find((c) => c.kind === 'reject');
    if (rejected?.kind === 'reject') return { errorCode: rejected.errorCode, baseOffset: -1 };
    if (checks.length > 0 && checks.every((c) => c.kind === 'duplicate')) {
      const first = checks[0];
      return { errorCode: ErrorCode.NONE, baseOffset: first.kind === 'duplicate' ? first.baseOffset : -1 };
    }
    const baseOffset = this.#nextOffset;
    batches.forEach((batch, i) => {
      if (checks[i].kind === 'duplicate') return;
      stampBatch(batch, this.#nextOffset);
      this.#sequences.record(batch, this.#nextOffset);
      this.#batches.push(batch);
      this.#nextOffset += batch.lastOffsetDelta + 1;
    });
    this.#compactedView = null;
    return { errorCode: ErrorCode.NONE, baseOffset };
  }

  /**
   * Batches holding offsets at or after `fetchOffset`, up to `maxBytes`. With `atLeastOne`, the first batch is
   * returned even when it alone exceeds `maxBytes`, so a consumer can make progress (KIP-74). The first batch
   * may start before `fetchOffset`; clients skip the records they did not ask for, as with a real broker.
   */
  read(fetchOffset: number, maxBytes: number, atLeastOne = true): Buffer[] {
    const batches = this.compacted ? this.#compacted() : this.#batches;
    const out: Buffer[] = [];
    let bytes = 0;
    for (let i = this.#firstBatchEndingAtOrAfter(batches, fetchOffset); i < batches.length; i++) {
      const buf = batches[i].buffer;
      if ((out.length > 0 || !atLeastOne) && bytes + buf.length > maxBytes) break;
      out.push(buf);
      bytes += buf.length;
    }
    return out;
  }

  /** Binary search on the batches' last offsets, which grow with the index. */
  #firstBatchEndingAtOrAfter(batches: RecordBatch[], offset: number): number {
    let lo = 0;
    let hi = batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const last = batchBaseOffset(batches[mid]) + batches[mid].lastOffsetDelta;
      if (last < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Earliest offset whose record timestamp is at or after `timestampMs`, or the high watermark if none. */
  offsetForTimestamp(timestampMs: number): number {
    for (const batch of this.#batches) {
      if (batch.maxTimestamp < timestampMs || isControlBatch(batch)) continue;
      // A batch in a codec the broker cannot decode is answered with its base offset, as if it started there.
      const hit = (tryDecode(batch) ?? []).find((r) => r.timestamp >= timestampMs);
      return hit?.offset ?? batchBaseOffset(batch);
    }
    return this.#nextOffset;
  }

  /** All user records in offset order (the compacted view for compacted topics). */
  records(): StoredRecord[] {
    const batches = this.compacted ? this.#compacted() : this.#batches;
    return batches.filter((b) => !isControlBatch(b)).flatMap((b) => decodeRecords(b));
  }

  /**
   * Keeps only the latest record per key, as Kafka's log cleaner would after a full pass. Records with a null
   * key cannot be compacted and are kept (Kafka rejects them on compacted topics; the test broker is lenient).
   * Tombstones (null value) are kept as the latest value of their key, because delete.retention.ms has not run.
   */
  #compacted(): RecordBatch[] {
    if (this.#compactedView !== null) return this.#compactedView;
    const latest = new Map<string, number>();
    const decoded = this.#batches.map((b) => (isControlBatch(b) ? [] : decodeRecords(b)));
    for (const rec of decoded.flat()) {
      if (rec.key !== null) latest.set(rec.key.toString('base64'), rec.offset);
    }
    const view: RecordBatch[] = [];
    this.#batches.forEach((batch, i) => {
      const kept = decoded[i].filter(
        (r) => r.key === null || latest.get(r.key.toString('base64')) === r.offset,
      );
      if (kept.length === decoded[i].length) view.push(batch);
      else if (kept.length > 0)
        view.push(encodeBatch({ ...batch, baseOffset: batchBaseOffset(batch) }, kept));
    });
    this.#compactedView = view;
    return view;
  }
}
