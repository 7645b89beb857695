import { type FlowRecord, flowEventMs } from '../../core/flow-record.js';

/**
 * Counts records behind the watermark: older than the newest event time seen so far minus the allowed
 * lateness. A flow's event time is its end (its start when the end is unknown). Late records are still
 * scored; the count is for the metric.
 */
export class LateRecords {
  readonly #allowedMs: number;
  #newestMs = Number.NEGATIVE_INFINITY;

  constructor(allowedLatenessSeconds: number) {
    this.#allowedMs = allowedLatenessSeconds * 1000;
  }

  /** Moves the watermark over `flows`, in order, and returns how many of them were late. */
  count(flows: readonly FlowRecord[]): number {
    let late = 0;
    for (const flow of flows) {
      const t = flowEventMs(flow);
      if (t > this.#newestMs) this.#newestMs = t;
      else if (t < this.#newestMs - this.#allowedMs) late++;
    }
    return late;
  }
}
