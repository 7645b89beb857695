/** Longest run of empty ticks replayed one by one; a longer gap is jumped over. */
export const MAX_REPLAYED_TICKS = 1024;

/**
 * Closes, in tick order, every tick up to `last` not closed yet: the ticks held in `open` (removed from it as they
 * close, with `countOf` their flow count) and, between them, empty ticks as zeros — after
 * {@link MAX_REPLAYED_TICKS} empty ticks in a row the rest of the gap is jumped over. `closedThrough` is the newest
 * tick closed so far (NaN: none); returns the new one. Shared by the forecaster and the count series it is fitted
 * on, so both see the same ticks.
 */
export function closeTicksThrough<T>(
  open: Map<number, T>,
  countOf: (value: T) => number,
  closedThrough: number,
  last: number,
  close: (tick: number, count: number) => void,
): number {
  const pending = [...open.keys()].filter((k) => k <= last).sort((a, b) => a - b);
  let k = Number.isNaN(closedThrough) ? pending[0] : closedThrough + 1;
  if (k === undefined) return closedThrough;
  let zeros = 0;
  for (const next of [...pending, last + 1]) {
    for (; k < next && k <= last; k++) {
      if (zeros++ >= MAX_REPLAYED_TICKS) {
        k = next;
        break;
      }
      close(k, 0);
    }
    if (next > last) break;
    if (k <= next) {
      close(next, countOf(open.get(next)!));
      k = next + 1;
    }
    open.delete(next);
  }
  return Number.isNaN(closedThrough) ? last : Math.max(closedThrough, last);
}

/**
 * The tick a flow belongs to: the tick of its end, or one tick after its start if it lasted longer (a long flow's
 * end can lie hours ahead of the flows around it and must not drag the tick clock forward).
 */
export function flowTick(startMs: number, endMs: number, tickMs: number): number {
  const atMs = Number.isFinite(startMs) ? Math.min(endMs, startMs + tickMs) : endMs;
  return Math.floor(atMs / tickMs);
}

/**
 * The open tick a flow of `tick` counts in once the clock stands at `head`: its own while it is open, else the
 * oldest open one (the newest `openTicks` up to `head`, after `closedThrough`) — the volume arrived, only late.
 */
export function openTickFor(tick: number, head: number, openTicks: number, closedThrough: number): number {
  return Math.max(tick, head - openTicks + 1, Number.isNaN(closedThrough) ? tick : closedThrough + 1);
}
