import { describe, expect, it } from 'vitest';
import { DedupTable } from './dedup-table.js';

describe('DedupTable', () => {
  it('suppresses within the window after an emission and carries the count past it', () => {
    const table = new DedupTable({ windowSeconds: 10, maxKeys: 100 });
    expect(table.observe('k', 0)).toEqual({ emit: true, occurrences: 1 });
    expect(table.observe('k', 9_999)).toEqual({ emit: false });
    // Slightly out of order (another partition) still counts as a repeat.
    expect(table.observe('k', -500)).toEqual({ emit: false });
    expect(table.pending()).toEqual([{ key: 'k', suppressed: 2 }]);
    expect(table.observe('k', 10_000)).toEqual({ emit: true, occurrences: 3 });
    // The window restarts at the new emission.
    expect(table.observe('k', 15_000)).toEqual({ emit: false });
  });

  it('evicts expired keys before live ones and reports dropped counts', () => {
    const dropped: [string, number][] = [];
    const table = new DedupTable({
      windowSeconds: 10,
      maxKeys: 3,
      onDropped: (k, n) => dropped.push([k, n]),
    });
    table.observe('old', 0);
    table.observe('old', 1_000);
    table.observe('live-1', 55_000);
    table.observe('live-2', 56_000);
    table.observe('live-3', 57_000);
    // Shrinks to 90% of the bound (2 of 3): the expired key first, then the oldest live one.
    expect(table.size).toBe(2);
    expect(dropped).toEqual([['old', 1]]);
    expect(table.observe('live-3', 57_500)).toEqual({ emit: false });
    expect(table.observe('live-1', 55_500)).toEqual({ emit: true, occurrences: 1 });
  });

  it('passes everything with a zero window and rejects bad options', () => {
    const table = new DedupTable({ windowSeconds: 0, maxKeys: 1 });
    expect(table.observe('k', 0)).toEqual({ emit: true, occurrences: 1 });
    expect(table.observe('k', 0)).toEqual({ emit: true, occurrences: 1 });
    expect(() => new DedupTable({ windowSeconds: -1, maxKeys: 1 })).toThrow(RangeError);
    expect(() => new DedupTable({ windowSeconds: 1, maxKeys: 0 })).toThrow(RangeError);
  });

  it('answers wouldSuppress without recording anything', () => {
    const table = new DedupTable({ windowSeconds: 10, maxKeys: 10 });
    expect(table.wouldSuppress('k', 0)).toBe(false);
    expect(table.size).toBe(0);
    table.observe('k', 0);
    expect(table.wouldSuppress('k', 5_000)).toBe(true);
    expect(table.wouldSuppress('k', 10_000)).toBe(false);
    expect(table.observe('k', 5_000)).toEqual({ emit: false });
  });

  it('changes its window keeping keys, and a zero window still hands over held counts', () => {
    const table = new DedupTable({ windowSeconds: 300, maxKeys: 10 });
    table.observe('k', 0);
    table.observe('k', 1_000);
    table.windowSeconds = 60;
    expect(table.windowSeconds).toBe(60);
    expect(table.observe('k', 30_000)).toEqual({ emit: false });
    table.windowSeconds = 0;
    expect(table.observe('k', 31_000)).toEqual({ emit: true, occurrences: 3 });
    expect(table.observe('k', 31_000)).toEqual({ emit: true, occurrences: 1 });
    expect(() => {
      table.windowSeconds = -1;
    }).toThrow(RangeError);
  });
});

describe('DedupTable per segment', () => {
  it('moves a segment’s keys and counts to another table, leaving other segments', () => {
    const a = new DedupTable({ windowSeconds: 10, maxKeys: 100 });
    a.observe('lan|scan|10.1.0.66', 1_000, 'lan');
    a.observe('lan|scan|10.1.0.66', 2_000, 'lan');
    a.observe('lan|scan|10.1.0.67', 3_000, 'lan');
    a.observe('dmz|scan|10.2.0.66', 3_000, 'dmz');
    const moved = structuredClone(a.snapshotSegment('lan'));
    expect(moved).toEqual([
      { key: 'lan|scan|10.1.0.66', emittedAtMs: 1_000, suppressed: 1 },
      { key: 'lan|scan|10.1.0.67', emittedAtMs: 3_000, suppressed: 0 },
    ]);

    const b = new DedupTable({ windowSeconds: 10, maxKeys: 100 });
    b.restoreSegment('lan', moved);
    // The new owner suppresses what the old one already sent, and carries the count on.
    expect(b.observe('lan|scan|10.1.0.66', 5_000, 'lan')).toEqual({ emit: false });
    expect(b.observe('lan|scan|10.1.0.66', 11_000, 'lan')).toEqual({ emit: true, occurrences: 3 });
    expect(b.snapshotSegment('dmz')).toEqual([]);

    a.dropSegments((segment) => segment === 'lan');
    expect(a.size).toBe(1);
    expect(a.observe('lan|scan|10.1.0.66', 5_000, 'lan')).toEqual({ emit: true, occurrences: 1 });
  });

  it('leaves expired keys without counts out of the checkpoint and keeps the bound on restore', () => {
    const a = new DedupTable({ windowSeconds: 10, maxKeys: 100 });
    a.observe('s|r|old', 0, 's');
    a.observe('s|r|counted', 0, 's');
    a.observe('s|r|counted', 1, 's');
    a.observe('s|r|new', 60_000, 's');
    expect(a.snapshotSegment('s').map((e) => e.key)).toEqual(['s|r|counted', 's|r|new']);
    expect(a.snapshotSegment('s', 1).map((e) => e.key)).toEqual(['s|r|new']);

    const b = new DedupTable({ windowSeconds: 10, maxKeys: 10 });
    b.restoreSegment(
      's',
      Array.from({ length: 20 }, (_, i) => ({ key: `s|r|${i}`, emittedAtMs: i * 1000, suppressed: 0 })),
    );
    expect(b.size).toBeLessThanOrEqual(10);
    // The newest keys stay.
    expect(b.wouldSuppress('s|r|19', 19_500)).toBe(true);
  });

  it('keeps the later emission and adds counts when both tables hold a key', () => {
    const b = new DedupTable({ windowSeconds: 10, maxKeys: 100 });
    b.observe('s|r|k', 5_000, 's');
    b.observe('s|r|k', 6_000, 's');
    b.restoreSegment('s', [{ key: 's|r|k', emittedAtMs: 1_000, suppressed: 2 }]);
    expect(b.snapshotSegment('s')).toEqual([{ key: 's|r|k', emittedAtMs: 5_000, suppressed: 3 }]);
  });
});
