/** What the table says about one occurrence of a key. */
export type DedupDecision = { emit: true; occurrences: number } | { emit: false };

/** Window and bound of a `DedupTable`. */
export interface DedupTableOptions {
  /** Repeats within this many seconds (event time) of the last emitted alert are suppressed; 0 disables. */
  windowSeconds: number;
  /** Most keys held; beyond it expired keys go first, then the oldest. */
  maxKeys: number;
  /** Told about suppressed repeats that will never ride on a later alert (the key was evicted). */
  onDropped?: (key: string, suppressed: number) => void;
}

interface Entry {
  emittedAtMs: number;
  suppressed: number;
  /** Segment the key belongs to, so a segment's keys can move with it (scale-out). */
  segment: string;
}

/** One key of a segment's checkpoint (see {@link DedupTable.snapshotSegment}). */
export interface DedupEntryState {
  key: string;
  emittedAtMs: number;
  suppressed: number;
}

/**
 * Notice suppression in the manner of Zeek: the first occurrence of a key is emitted, repeats
 * within the window after it are suppressed and counted, and the next occurrence after the
 * window is emitted carrying that count. Time is event time passed in, never the clock, so
 * replays at any speed suppress the same way.
 *
 * Memory is bounded by `maxKeys`. Expired keys with suppressed repeats are kept (the count must
 * reach the next alert) until space is needed; then they are dropped and reported.
 */
export class DedupTable {
  #windowMs: number;
  readonly #maxKeys: number;
  readonly #onDropped: ((key: string, suppressed: number) => void) | undefined;
  // Map iteration order is insertion order; a key is re-inserted on every emission, so the head
  // is the key emitted longest ago.
  readonly #entries = new Map<string, Entry>();
  #watermarkMs = Number.NEGATIVE_INFINITY;

  constructor(options: DedupTableOptions) {
    if (!(options.windowSeconds >= 0)) throw new RangeError('windowSeconds must be >= 0');
    if (!Number.isInteger(options.maxKeys) || options.maxKeys < 1)
      throw new RangeError('maxKeys must be an integer >= 1');
    this.#windowMs = options.windowSeconds * 1000;
    this.#maxKeys = options.maxKeys;
    this.#onDropped = options.onDropped;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Current window in seconds. */
  get windowSeconds(): number {
    return this.#windowMs / 1000;
  }

  /**
   * Change the window, keeping every key and its suppressed count: a key emitted under the old
   * window is judged by the new one from its next occurrence on.
   */
  set windowSeconds(value: number) {
    if (!(value >= 0)) throw new RangeError('windowSeconds must be >= 0');
    this.#windowMs = value * 1000;
  }

  /**
   * True when `observe(key, eventMs)` would suppress the occurrence; changes nothing. Lets the
   * caller veto an emission (rate limit) without the table believing the key went out.
   */
  wouldSuppress(key: string, eventMs: number): boolean {
    if (this.#windowMs === 0) return false;
    const entry = this.#entries.get(key);
    return entry !== undefined && Math.abs(eventMs - entry.emittedAtMs) < this.#windowMs;
  }

  /**
   * Record one occurrence of `key` at event time `eventMs` and decide whether to emit it.
   * `segment` tags the key so {@link snapshotSegment} can find it.
   */
  observe(key: string, eventMs: number, segment = ''): DedupDecision {
    if (this.#windowMs === 0) {
      // Repeats held back under an earlier, non-zero window still ride on the next alert.
      const held = this.#entries.get(key);
      if (held !== undefined) this.#entries.delete(key);
      return { emit: true, occurrences: 1 + (held?.suppressed ?? 0) };
    }
    if (eventMs > this.#watermarkMs) this.#watermarkMs = eventMs;
    const entry = this.#entries.get(key);
    // Out-of-order input (several partitions) can put a repeat slightly before the emitted one.
    if (entry !== undefined && Math.abs(eventMs - entry.emittedAtMs) < this.#windowMs) {
      entry.suppressed++;
      return { emit: false };
    }
    const occurrences = 1 + (entry?.suppressed ?? 0);
    this.#entries.delete(key);
    this.#entries.set(key, { emittedAtMs: eventMs, suppressed: 0, segment });
    if (this.#entries.size > this.#maxKeys) this.#shrink();
    return { emit: true, occurrences };
  }

  /**
   * The segment's keys, oldest emission first, for its checkpoint: at most `maxKeys`, the most
   * recently emitted. Expired keys without suppressed repeats are left out: they would change no
   * decision and carry no count.
   */
  snapshotSegment(segment: string, maxKeys = Number.POSITIVE_INFINITY): DedupEntryState[] {
    const out: DedupEntryState[] = [];
    for (const [key, entry] of this.#entries) {
      if (entry.segment !== segment) continue;
      if (entry.suppressed === 0 && entry.emittedAtMs + this.#windowMs <= this.#watermarkMs) continue;
      out.push({ key, emittedAtMs: entry.emittedAtMs, suppressed: entry.suppressed });
    }
    return out.length > maxKeys ? out.slice(out.length - maxKeys) : out;
  }

  /**
   * Take over a segment's keys from a checkpoint (its partition moved here). A key held here
   * already keeps the later emission and the sum of the suppressed counts. The bound applies.
   */
  restoreSegment(segment: string, entries: readonly DedupEntryState[]): void {
    for (const { key, emittedAtMs, suppressed } of entries) {
      if (!Number.isFinite(emittedAtMs) || !(suppressed >= 0)) continue;
      const held = this.#entries.get(key);
      if (held !== undefined && held.emittedAtMs >= emittedAtMs) {
        held.suppressed += suppressed;
        continue;
      }
      this.#entries.delete(key);
      this.#entries.set(key, { emittedAtMs, suppressed: suppressed + (held?.suppressed ?? 0), segment });
      if (emittedAtMs > this.#watermarkMs) this.#watermarkMs = emittedAtMs;
    }
    if (this.#entries.size > this.#maxKeys) this.#shrink();
  }

  /**
   * Forget the keys of the segments `gone` selects without reporting their counts: their
   * partitions moved to another instance, which carries them on from the checkpoint.
   */
  dropSegments(gone: (segment: string) => boolean): void {
    for (const [key, entry] of this.#entries) if (gone(entry.segment)) this.#entries.delete(key);
  }

  /** Keys with repeats not yet carried by an alert, e.g. to report them at shutdown. */
  pending(): { key: string; suppressed: number }[] {
    const out: { key: string; suppressed: number }[] = [];
    for (const [key, entry] of this.#entries)
      if (entry.suppressed > 0) out.push({ key, suppressed: entry.suppressed });
    return out;
  }

  /**
   * Free space down to 90% of the bound so the O(n) sweep runs once per many insertions:
   * expired keys first, then the oldest.
   */
  #shrink(): void {
    const target = Math.max(1, Math.floor(this.#maxKeys * 0.9));
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= target) return;
      if (entry.emittedAtMs + this.#windowMs <= this.#watermarkMs) this.#drop(key, entry);
    }
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= target) return;
      this.#drop(key, entry);
    }
  }

  #drop(key: string, entry: Entry): void {
    this.#entries.delete(key);
    if (entry.suppressed > 0) this.#onDropped?.(key, entry.suppressed);
  }
}
