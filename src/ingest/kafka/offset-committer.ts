import { type CommitPlan, OffsetTracker, type TrackedBatch } from './offset-tracker.js';

/**
 * Commits what the {@link OffsetTracker} says is safe, at most every `intervalMs` after an acknowledgement,
 * so a burst of acknowledged batches becomes one commit request. A commit that fails (a rebalance, a lost
 * broker) is put back for the next one, unless the assignment changed meanwhile: a new assignment reads
 * again from the broker's committed offsets anyway.
 */
export class OffsetCommitter {
  readonly tracker = new OffsetTracker();
  readonly #commit: (plan: CommitPlan) => Promise<void>;
  readonly #intervalMs: number;
  readonly #log: (msg: string, fields: Record<string, unknown>) => void;
  #timer: NodeJS.Timeout | undefined;
  #committing: Promise<void> = Promise.resolve();

  constructor(
    commit: (plan: CommitPlan) => Promise<void>,
    intervalMs: number,
    log: (msg: string, fields: Record<string, unknown>) => void,
  ) {
    this.#commit = commit;
    this.#intervalMs = intervalMs;
    this.#log = log;
  }

  /** A batch is done (`ok`) or failed; its offsets go out with the next commit once it is safe. */
  settle(tracked: TrackedBatch, ok: boolean): void {
    if (ok) this.tracker.done(tracked);
    else this.tracker.fail(tracked);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#intervalMs);
  }

  /** Commit whatever is committable now; commits run one at a time, in order. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#committing = this.#committing.then(async () => {
      const plan = this.tracker.takeCommits();
      if (plan.length === 0) return;
      const epoch = this.tracker.epoch;
      try {
        await this.#commit(plan);
      } catch (err) {
        if (epoch === this.tracker.epoch) this.tracker.restoreCommits(plan);
        this.#log('offset commit failed; will retry', { err: (err as Error).message });
      }
    });
    return this.#committing;
  }
}
