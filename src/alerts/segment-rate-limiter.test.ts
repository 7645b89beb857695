import { describe, expect, it } from 'vitest';
import { SegmentRateLimiter } from './segment-rate-limiter.js';

const T0 = 1_714_564_800_000;

function takeMany(limiter: SegmentRateLimiter, segment: string, n: number, atMs: number): boolean[] {
  return Array.from({ length: n }, () => limiter.take(segment, atMs).allowed);
}

describe('SegmentRateLimiter', () => {
  it('lets a burst of one minute pass, then refills in event time', () => {
    const limiter = new SegmentRateLimiter(6);
    expect(takeMany(limiter, 'a', 8, T0)).toEqual([true, true, true, true, true, true, false, false]);
    // 6 per minute = one token per 10 s of event time.
    expect(limiter.take('a', T0 + 9_000).allowed).toBe(false);
    expect(limiter.take('a', T0 + 10_000)).toEqual({ allowed: true, suppressedBefore: 3 });
    expect(limiter.take('a', T0 + 10_001)).toEqual({ allowed: false, suppressed: 1 });
  });

  it('keeps segments apart', () => {
    const limiter = new SegmentRateLimiter(1);
    expect(limiter.take('a', T0).allowed).toBe(true);
    expect(limiter.take('a', T0).allowed).toBe(false);
    expect(limiter.take('b', T0).allowed).toBe(true);
    expect(limiter.pending()).toEqual([{ segment: 'a', suppressed: 1 }]);
  });

  it('refills nothing for out-of-order timestamps', () => {
    const limiter = new SegmentRateLimiter(1);
    expect(limiter.take('a', T0 + 60_000).allowed).toBe(true);
    expect(limiter.take('a', T0).allowed).toBe(false);
    expect(limiter.take('a', T0 + 90_000).allowed).toBe(false);
    expect(limiter.take('a', T0 + 120_000).allowed).toBe(true);
  });

  it('is unlimited at 0 and hands over counts held under an earlier limit', () => {
    const limiter = new SegmentRateLimiter(1);
    takeMany(limiter, 'a', 3, T0);
    limiter.perMinute = 0;
    expect(limiter.take('a', T0)).toEqual({ allowed: true, suppressedBefore: 2 });
    expect(takeMany(limiter, 'a', 100, T0).every(Boolean)).toBe(true);
  });

  it('applies a lower limit at once', () => {
    const limiter = new SegmentRateLimiter(60);
    takeMany(limiter, 'a', 10, T0);
    limiter.perMinute = 2;
    expect(takeMany(limiter, 'a', 3, T0)).toEqual([true, true, false]);
    expect(() => {
      limiter.perMinute = -1;
    }).toThrow(RangeError);
  });
});

describe('SegmentRateLimiter per segment', () => {
  it('moves a segment’s bucket: the new owner goes on from the old one’s tokens and counts', () => {
    const a = new SegmentRateLimiter(3);
    expect(takeMany(a, 'lan', 4, T0)).toEqual([true, true, true, false]);
    a.take('dmz', T0);
    const moved = structuredClone(a.snapshotSegment('lan'));
    expect(moved).toEqual({ tokens: 0, lastMs: T0, suppressed: 1 });

    const b = new SegmentRateLimiter(3);
    b.restoreSegment('lan', moved!);
    // Still empty: no fresh minute's burst after the move.
    expect(b.take('lan', T0 + 1_000)).toEqual({ allowed: false, suppressed: 2 });
    // 3 per minute = one token per 20 s; the held-back count rides on the next alert.
    expect(b.take('lan', T0 + 20_000)).toEqual({ allowed: true, suppressedBefore: 2 });
    expect(b.snapshotSegment('dmz')).toBeUndefined();

    a.dropSegments((segment) => segment === 'lan');
    expect(a.snapshotSegment('lan')).toBeUndefined();
    expect(a.snapshotSegment('dmz')).toBeDefined();
  });

  it('caps restored tokens at the current limit', () => {
    const b = new SegmentRateLimiter(2);
    b.restoreSegment('lan', { tokens: 50, lastMs: T0, suppressed: 0 });
    expect(takeMany(b, 'lan', 3, T0)).toEqual([true, true, false]);
  });
});
