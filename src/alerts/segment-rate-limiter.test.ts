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
