import type { SegmentWindowStats } from '../core/detection.js';
import { SlidingWindow, type SlidingWindowState, type WindowObservation } from './sliding-window.js';

/** One segment's windows, shortest first; part of the segment's checkpointed state. */
export interface SegmentWindowsState {
  windows: SlidingWindowState[];
  /**
   * Event time the segment's observation began (see {@link SegmentWindows.observedSince}).
   * Absent from older checkpoints: their segments count as observed for long.
   */
  sinceMs?: number;
}

/** A segment's windows and the event time its observation began (−Infinity: long ago). */
interface SegmentEntry {
  windows: SlidingWindow[];
  sinceMs: number;
}

/**
 * Per-segment sliding windows in event time (e.g. 1 s, 10 s, 60 s): flows, bytes, packets,
 * distinct destination hosts / ports and source hosts, SYN-only and failed ratios, and
 * destination-port entropy. Memory is bounded per segment, and segments are bounded by the
 * router's cap.
 */
export class SegmentWindows {
  readonly #windowsSeconds: readonly number[];
  readonly #segments = new Map<string, SegmentEntry>();

  /** @param windowsSeconds window lengths; sorted here so the shortest always comes first. */
  constructor(windowsSeconds: readonly number[]) {
    if (windowsSeconds.length === 0 || !windowsSeconds.every((s) => s > 0 && Number.isFinite(s))) {
      throw new RangeError(`windowsSeconds: expected positive numbers, got [${windowsSeconds.join(', ')}]`);
    }
    this.#windowsSeconds = [...windowsSeconds].sort((a, b) => a - b);
  }

  /** Adds one flow to every window of `segment`; returns the segment's shortest window. */
  add(segment: string, observation: WindowObservation): SlidingWindow {
    const windows = this.#entry(segment, observation.tMs).windows;
    for (let i = 0; i < windows.length; i++) windows[i].add(observation);
    return windows[0];
  }

  /** The segment's stats with every window's right edge at `nowMs`, shortest window first. */
  snapshot(segment: string, nowMs: number): SegmentWindowStats[] {
    return this.#entry(segment, nowMs).windows.map((w) => w.stats(nowMs));
  }

  /**
   * Event time the segment's observation began: its first flow here, or what its checkpoint
   * carried (−Infinity for one without). A segment not seen before begins at `tMs`.
   */
  observedSince(segment: string, tMs: number): number {
    return this.#entry(segment, tMs).sinceMs;
  }

  /** Segments that have windows. */
  get segments(): string[] {
    return [...this.#segments.keys()];
  }

  /** Flows dropped because they were older than a window's ring, over all segments and windows. */
  get droppedLate(): number {
    let dropped = 0;
    for (const { windows } of this.#segments.values()) for (const w of windows) dropped += w.droppedLate;
    return dropped;
  }

  /** The segment's window state, or undefined when it has none. */
  snapshotSegment(segment: string): SegmentWindowsState | undefined {
    const entry = this.#segments.get(segment);
    if (entry === undefined) return undefined;
    const windows = entry.windows.map((w) => w.snapshot());
    return Number.isFinite(entry.sinceMs) ? { windows, sinceMs: entry.sinceMs } : { windows };
  }

  /** Replaces the segment's windows with a checkpoint (e.g. after a partition moved here). */
  restoreSegment(segment: string, state: SegmentWindowsState): void {
    const lengths = state.windows.map((w) => w.windowSeconds);
    if (lengths.join() !== this.#windowsSeconds.join()) {
      throw new RangeError(
        `segment ${segment}: checkpoint windows [${lengths.join(', ')}] s differ from configured [${this.#windowsSeconds.join(', ')}] s`,
      );
    }
    this.#segments.set(segment, {
      windows: state.windows.map((w) => SlidingWindow.restore(w)),
      sinceMs: state.sinceMs ?? Number.NEGATIVE_INFINITY,
    });
  }

  /** Drops a segment's windows (its partition moved elsewhere). */
  delete(segment: string): boolean {
    return this.#segments.delete(segment);
  }

  #entry(segment: string, tMs: number): SegmentEntry {
    let entry = this.#segments.get(segment);
    if (entry === undefined) {
      entry = { windows: this.#windowsSeconds.map((s) => new SlidingWindow(s)), sinceMs: tMs };
      this.#segments.set(segment, entry);
    }
    return entry;
  }
}
