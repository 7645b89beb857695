import { describe, expect, it } from 'vitest';
import { fmix32 } from './key-hash.js';
import { SegmentWindows } from './segment-windows.js';
import type { WindowObservation } from './sliding-window.js';

const obs = (tMs: number, dstPort = 80): WindowObservation => ({
  tMs,
  bytes: 10,
  packets: 1,
  dstHostHash: fmix32(dstPort),
  srcHostHash: fmix32(7),
  dstPort,
  tcp: true,
  synOnly: true,
  failed: true,
});

describe('SegmentWindows', () => {
  it('keeps windows per segment, shortest first, sliding in event time', () => {
    const windows = new SegmentWindows([60, 1, 10]);
    for (let i = 0; i < 30; i++) windows.add('a', obs(100_000 + i * 100));
    windows.add('b', obs(100_000));
    const a = windows.snapshot('a', 103_000);
    expect(a.map((w) => w.windowSeconds)).toEqual([1, 10, 60]);
    // The 1 s window at 103 s holds the buckets from 102.1 s on: nine of the flows.
    expect(a.map((w) => w.flows)).toEqual([9, 30, 30]);
    expect(a[1]).toMatchObject({ endMs: 103_000, synOnlyRatio: 1, failedRatio: 1, bytes: 300 });
    expect(windows.snapshot('b', 103_000)[2].flows).toBe(1);
    expect(windows.snapshot('a', 200_000).map((w) => w.flows)).toEqual([0, 0, 0]);
    expect(windows.segments.sort()).toEqual(['a', 'b']);
    // Each segment's observation began with its first flow.
    expect(windows.observedSince('a', 200_000)).toBe(100_000);
    expect(windows.observedSince('c', 150_000)).toBe(150_000);
  });

  it('round-trips one segment through snapshotSegment / restoreSegment', () => {
    const windows = new SegmentWindows([1, 10]);
    for (let i = 0; i < 100; i++) windows.add('a', obs(5_000 + i * 10, i % 9));
    const other = new SegmentWindows([1, 10]);
    other.restoreSegment('a', structuredClone(windows.snapshotSegment('a')!));
    expect(other.snapshot('a', 6_000).map((w) => w.flows)).toEqual(
      windows.snapshot('a', 6_000).map((w) => w.flows),
    );
    expect(other.observedSince('a', 9_000)).toBe(5_000);
    const { sinceMs: _dropped, ...older } = windows.snapshotSegment('a')!;
    other.restoreSegment('a', older);
    expect(other.observedSince('a', 9_000)).toBe(Number.NEGATIVE_INFINITY);
    expect(() => new SegmentWindows([1, 60]).restoreSegment('a', windows.snapshotSegment('a')!)).toThrow(
      /checkpoint windows \[1, 10\] s differ from configured \[1, 60\] s/,
    );
  });
});
