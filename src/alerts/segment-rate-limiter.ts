/**
 * Whether one alert may go out and how many were held back in its segment before it; or, when
 * refused, how many have been held back so far (1 = the limit was just reached).
 */
export type RateDecision =
  | { allowed: true; suppressedBefore: number }
  | { allowed: false; suppressed: number };

/** One segment's bucket in a checkpoint (see {@link SegmentRateLimiter.snapshotSegment}). */
export interface RateBucketState {
  tokens: number;
  lastMs: number;
  suppressed: number;
}

interface Bucket {
  tokens: number;
  /** Latest event time seen in the segment; refills are measured from it. */
  lastMs: number;
  suppressed: number;
}

/**
 * A token bucket per segment, in event time: it holds up to `perMinute` tokens (one minute's
 * worth, so a burst of that size passes), refills at `perMinute / 60` per second of event time,
 * and each alert takes one. Event time rather than the clock means a capture replayed at any
 * speed is limited the same way.
 *
 * Input from several partitions arrives slightly out of order: an older timestamp refills
 * nothing (time never runs backwards for a bucket), it just takes a token if one is left.
 */
export class SegmentRateLimiter {
  #perMinute: number;
  readonly #maxSegments: number;
  // Insertion order = first seen; segments are capped upstream, this bound only guards memory.
  readonly #buckets = new Map<string, Bucket>();

  /**
   * @param perMinute alerts per segment per minute; 0 = unlimited.
   * @param maxSegments buckets held; beyond it the oldest is forgotten (its count is lost).
   */
  constructor(perMinute: number, maxSegments = 4096) {
    this.#perMinute = checkRate(perMinute);
    this.#maxSegments = maxSegments;
  }

  /** Current limit (alerts per segment per minute, 0 = unlimited). */
  get perMinute(): number {
    return this.#perMinute;
  }

  /**
   * Change the limit, keeping each segment's bucket: tokens are capped at the new size, so a
   * lower limit applies at once and a higher one fills in over time. Suppressed counts stay.
   */
  set perMinute(value: number) {
    this.#perMinute = checkRate(value);
    for (const bucket of this.#buckets.values()) bucket.tokens = Math.min(bucket.tokens, this.#perMinute);
  }

  /** Take a token for one alert in `segment` at event time `eventMs`. */
  take(segment: string, eventMs: number): RateDecision {
    let bucket = this.#buckets.get(segment);
    if (this.#perMinute === 0) {
      // Unlimited: still hand over counts held back under an earlier, stricter limit.
      if (bucket === undefined || bucket.suppressed === 0) return { allowed: true, suppressedBefore: 0 };
      return this.#release(bucket);
    }
    if (bucket === undefined) {
      bucket = { tokens: this.#perMinute, lastMs: eventMs, suppressed: 0 };
      this.#buckets.set(segment, bucket);
      if (this.#buckets.size > this.#maxSegments) this.#buckets.delete(this.#buckets.keys().next().value!);
    } else if (eventMs > bucket.lastMs) {
      bucket.tokens = Math.min(
        this.#perMinute,
        bucket.tokens + ((eventMs - bucket.lastMs) * this.#perMinute) / 60_000,
      );
      bucket.lastMs = eventMs;
    }
    if (bucket.tokens < 1) {
      bucket.suppressed++;
      return { allowed: false, suppressed: bucket.suppressed };
    }
    bucket.tokens -= 1;
    return this.#release(bucket);
  }

  /** The segment's bucket for its checkpoint; undefined when it has none. */
  snapshotSegment(segment: string): RateBucketState | undefined {
    const bucket = this.#buckets.get(segment);
    return bucket === undefined ? undefined : { ...bucket };
  }

  /**
   * Take over a segment's bucket from a checkpoint (its partition moved here), replacing any
   * bucket held here; tokens are capped at the current limit.
   */
  restoreSegment(segment: string, state: RateBucketState): void {
    if (!Number.isFinite(state.tokens) || !Number.isFinite(state.lastMs) || !(state.suppressed >= 0)) return;
    this.#buckets.delete(segment);
    this.#buckets.set(segment, {
      tokens: Math.max(0, Math.min(state.tokens, this.#perMinute === 0 ? state.tokens : this.#perMinute)),
      lastMs: state.lastMs,
      suppressed: state.suppressed,
    });
    if (this.#buckets.size > this.#maxSegments) this.#buckets.delete(this.#buckets.keys().next().value!);
  }

  /** Forget the buckets of the segments `gone` selects (moved to another instance, which carries them on). */
  dropSegments(gone: (segment: string) => boolean): void {
    for (const segment of this.#buckets.keys()) if (gone(segment)) this.#buckets.delete(segment);
  }

  /** Segments with alerts held back and not yet reported by a later alert. */
  pending(): { segment: string; suppressed: number }[] {
    const out: { segment: string; suppressed: number }[] = [];
    for (const [segment, bucket] of this.#buckets)
      if (bucket.suppressed > 0) out.push({ segment, suppressed: bucket.suppressed });
    return out;
  }

  #release(bucket: Bucket): RateDecision {
    const suppressedBefore = bucket.suppressed;
    bucket.suppressed = 0;
    return { allowed: true, suppressedBefore };
  }
}

function checkRate(perMinute: number): number {
  if (!Number.isInteger(perMinute) || perMinute < 0)
    throw new RangeError('perMinute must be an integer >= 0');
  return perMinute;
}
