import { describe, expect, it } from 'vitest';
import { OffsetCommitter } from './offset-committer.js';
import type { CommitPlan } from './offset-tracker.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('OffsetCommitter', () => {
  it('turns a burst of acknowledgements into one commit, in partition order', async () => {
    const commits: CommitPlan[] = [];
    const committer = new OffsetCommitter(
      async (plan) => void commits.push(plan),
      20,
      () => undefined,
    );
    const { tracker } = committer;
    const a = tracker.track('flows', 0, '9');
    const b = tracker.track('flows', 0, '19');
    committer.settle(b, true);
    committer.settle(a, true);
    await sleep(60);
    expect(commits).toEqual([[{ topic: 'flows', partition: 0, offset: '20' }]]);
  });

  it('puts a failed commit back for the next one', async () => {
    const commits: CommitPlan[] = [];
    let refuse = true;
    const logged: string[] = [];
    const committer = new OffsetCommitter(
      async (plan) => {
        if (refuse) throw new Error('coordinator moved');
        commits.push(plan);
      },
      1000,
      (msg) => logged.push(msg),
    );
    committer.settle(committer.tracker.track('flows', 1, '4'), true);
    await committer.flush();
    expect([commits, logged]).toEqual([[], ['offset commit failed; will retry']]);
    refuse = false;
    await committer.flush();
    expect(commits).toEqual([[{ topic: 'flows', partition: 1, offset: '5' }]]);
  });

  it('forgets a failed commit when the assignment changed meanwhile', async () => {
    const commits: CommitPlan[] = [];
    let refuse = true;
    const committer = new OffsetCommitter(
      async (plan) => {
        if (refuse) {
          committer.tracker.reset();
          throw new Error('rebalance in progress');
        }
        commits.push(plan);
      },
      1000,
      () => undefined,
    );
    committer.settle(committer.tracker.track('flows', 0, '4'), true);
    await committer.flush();
    refuse = false;
    await committer.flush();
    expect(commits).toEqual([]);
  });
});
