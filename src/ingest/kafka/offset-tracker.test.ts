import { describe, expect, it } from 'vitest';
import { OffsetTracker } from './offset-tracker.js';

describe('OffsetTracker', () => {
  it('commits in order per partition when acks come out of order', () => {
    const tracker = new OffsetTracker();
    const a = tracker.track('flows', 0, '9');
    const b = tracker.track('flows', 0, '19');
    const c = tracker.track('flows', 1, '4');
    tracker.done(b);
    expect(tracker.takeCommits()).toEqual([]);
    tracker.done(c);
    expect(tracker.takeCommits()).toEqual([{ topic: 'flows', partition: 1, offset: '5' }]);
    tracker.done(a);
    expect(tracker.takeCommits()).toEqual([{ topic: 'flows', partition: 0, offset: '20' }]);
    expect(tracker.pending).toBe(0);
  });

  it('never commits past a failed batch until the partition is reassigned', () => {
    const tracker = new OffsetTracker();
    const a = tracker.track('flows', 0, '9');
    const b = tracker.track('flows', 0, '19');
    tracker.fail(a);
    tracker.done(b);
    expect(tracker.takeCommits()).toEqual([]);
    tracker.reset();
    const again = tracker.track('flows', 0, '9');
    tracker.done(a);
    expect(tracker.takeCommits()).toEqual([]);
    tracker.done(again);
    expect(tracker.takeCommits()).toEqual([{ topic: 'flows', partition: 0, offset: '10' }]);
  });

  it('puts back failed commits without going backwards', () => {
    const tracker = new OffsetTracker();
    tracker.done(tracker.track('flows', 0, '9'));
    const plan = tracker.takeCommits();
    tracker.done(tracker.track('flows', 0, '29'));
    tracker.restoreCommits(plan);
    expect(tracker.takeCommits()).toEqual([{ topic: 'flows', partition: 0, offset: '30' }]);
  });

  it('keeps 64-bit offsets exact', () => {
    const tracker = new OffsetTracker();
    tracker.done(tracker.track('flows', 0, '9007199254740993'));
    expect(tracker.takeCommits()[0]!.offset).toBe('9007199254740994');
  });
});
