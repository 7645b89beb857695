import type { AlertPolicyConfig } from './alert-policy.js';
import { type DedupEntryState, DedupTable } from './dedup-table.js';
import { type RateBucketState, SegmentRateLimiter } from './segment-rate-limiter.js';
import type { AlertLogFn } from './sinks/alert-sink.js';

/** A segment's share of the alert suppression state, as written to its checkpoint. */
export interface SegmentSuppressionState {
  /** Its dedup keys, oldest emission first. */
  dedup: DedupEntryState[];
  /** Its rate-limit bucket, when it has one. */
  rate?: RateBucketState;
}

/**
 * Most dedup keys in one segment's checkpoint, the most recently emitted: about 80 characters
 * each, so at most about 160 KB of checkpoint text.
 */
export const MAX_CHECKPOINT_DEDUP_KEYS = 2000;

/** Options of {@link AlertSuppression}. */
export interface AlertSuppressionOptions {
  config: AlertPolicyConfig;
  log: AlertLogFn;
  /** Most dedup keys remembered at once. Default 10,000. */
  maxDedupKeys?: number;
}

/**
 * The alert stage's memory of what it already sent: the dedup table and the per-segment rate
 * limiter. It lives apart from `AlertPipeline` so the scale-out state store can move one
 * segment's share with the segment — snapshot it into the segment's checkpoint, restore it on
 * the instance the segment moves to, drop it on the one it left — and can be built before the
 * pipeline and its sinks. Every dedup key starts with its segment (`dedupKey`), and every key
 * and bucket is tagged with it, so a segment's share is exact.
 */
export class AlertSuppression {
  readonly dedup: DedupTable;
  readonly rate: SegmentRateLimiter;

  constructor(options: AlertSuppressionOptions) {
    this.rate = new SegmentRateLimiter(options.config.maxAlertsPerMinute ?? 0);
    this.dedup = new DedupTable({
      windowSeconds: options.config.dedupWindowSeconds,
      maxKeys: options.maxDedupKeys ?? 10_000,
      onDropped: (key, suppressed) =>
        options.log('info', 'dedup table full: forgetting suppressed repeats', {
          dedup_key: key,
          suppressed,
        }),
    });
  }

  /** The segment's dedup keys and bucket; undefined when it has neither. */
  snapshotSegment(segment: string): SegmentSuppressionState | undefined {
    const dedup = this.dedup.snapshotSegment(segment, MAX_CHECKPOINT_DEDUP_KEYS);
    const rate = this.rate.snapshotSegment(segment);
    if (dedup.length === 0 && rate === undefined) return undefined;
    return rate === undefined ? { dedup } : { dedup, rate };
  }

  /** Take over a segment's share from its checkpoint. */
  restoreSegment(segment: string, state: SegmentSuppressionState): void {
    this.dedup.restoreSegment(segment, Array.isArray(state.dedup) ? state.dedup : []);
    if (state.rate !== undefined) this.rate.restoreSegment(segment, state.rate);
  }

  /** Forget the share of the segments `gone` selects: another instance owns them now. */
  dropSegments(gone: (segment: string) => boolean): void {
    this.dedup.dropSegments(gone);
    this.rate.dropSegments(gone);
  }
}
