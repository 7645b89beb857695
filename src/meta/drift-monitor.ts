/** Options of a {@link DriftMonitor}. */
export interface DriftMonitorOptions {
  /** Effective window (flows) of the running share of small p-values. */
  windowFlows: number;
  /** Share of p-values below {@link SMALL_P} that counts as shifted (0.1 when calibrated). */
  shiftedShare: number;
  /** How long (event time) the share must stay shifted before the segment is declared drifted. */
  minSeconds: number;
}

/** Serializable state of a {@link DriftMonitor}. */
export interface DriftMonitorSnapshot {
  share: number;
  seen: number;
  /** Event time the share became shifted, or null while it is not. */
  sinceMs: number | null;
}

/** Under calibration, P(p < 0.1) = 0.1 for benign flows. */
export const SMALL_P = 0.1;

/**
 * Detects a lasting shift of a segment's benign traffic away from what its model was calibrated on. For a
 * calibrated scorer, p-values of benign flows are uniform, so the share below 0.1 is 0.1; the monitor keeps an
 * exponentially weighted share over about `windowFlows` non-alert flows and reports drift once it has stayed
 * above `shiftedShare` for `minSeconds` of event time. Alerted flows are not fed to it, and the time
 * requirement keeps a burst (a flood, a scan) from passing for drift: attacks alert, drift persists.
 */
export class DriftMonitor {
  readonly #options: DriftMonitorOptions;
  #state: DriftMonitorSnapshot = { share: SMALL_P, seen: 0, sinceMs: null };

  constructor(options: DriftMonitorOptions) {
    this.#options = options;
  }

  /** Current share of small p-values. */
  get share(): number {
    return this.#state.share;
  }

  /** Feeds one non-alert flow's p-value at event time `timeMs`; true when the segment has drifted. */
  observe(pValue: number, timeMs: number): boolean {
    const s = this.#state;
    s.seen++;
    // Plain averaging until the window has filled, then exponential forgetting.
    const rate = 1 / Math.min(s.seen, this.#options.windowFlows);
    s.share += rate * ((pValue < SMALL_P ? 1 : 0) - s.share);
    if (s.seen < this.#options.windowFlows || s.share <= this.#options.shiftedShare) {
      s.sinceMs = null;
      return false;
    }
    s.sinceMs ??= timeMs;
    return timeMs - s.sinceMs >= this.#options.minSeconds * 1000;
  }

  /** Starts over, e.g. after the model was re-adapted. */
  reset(): void {
    this.#state = { share: SMALL_P, seen: 0, sinceMs: null };
  }

  snapshot(): DriftMonitorSnapshot {
    return { ...this.#state };
  }

  restore(snapshot: DriftMonitorSnapshot): void {
    this.#state = { ...snapshot };
  }
}
