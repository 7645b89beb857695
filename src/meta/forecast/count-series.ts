import type { FlowRecord } from '../../core/flow-record.js';
import { closeTicksThrough, flowTick, openTickFor } from './close-ticks.js';

/**
 * Flows per tick exactly as a segment's {@link VolumeForecaster} counts them, for flows in stream order: a flow
 * counts at its end or one tick after its start if it lasted longer; with the newest `openTicks` ticks held
 * open, a flow counts in its own tick while it is open and in the oldest open tick otherwise; empty ticks
 * between two flows are zeros (at most 1024 of them in a row).
 */
export function tickCounts(
  flows: readonly Pick<FlowRecord, 'start' | 'end'>[],
  tickSeconds: number,
  openTicks = 1,
): Float64Array {
  const tickMs = tickSeconds * 1000;
  const counts: number[] = [];
  const open = new Map<number, number>();
  let head = Number.NaN;
  let closed = Number.NaN;
  const closeThrough = (last: number) => {
    closed = closeTicksThrough(
      open,
      (n) => n,
      closed,
      last,
      (_, count) => counts.push(count),
    );
  };
  for (const f of flows) {
    const tick = flowTick(f.start, f.end, tickMs);
    if (Number.isNaN(head)) head = tick;
    else if (tick > head) {
      head = tick;
      closeThrough(tick - openTicks);
    }
    const at = openTickFor(tick, head, openTicks, closed);
    open.set(at, (open.get(at) ?? 0) + 1);
  }
  if (!Number.isNaN(head)) closeThrough(head);
  return Float64Array.from(counts);
}

/** {@link tickCounts} per segment; `segmentOf` names a flow's segment (e.g. `SegmentRouter.route(f).segment`). */
export function tickCountsBySegment(
  flows: readonly FlowRecord[],
  tickSeconds: number,
  segmentOf: (flow: FlowRecord) => string,
  openTicks = 1,
): Map<string, Float64Array> {
  const bySegment = new Map<string, FlowRecord[]>();
  for (const f of flows) {
    const s = segmentOf(f);
    let list = bySegment.get(s);
    if (!list) {
      list = [];
      bySegment.set(s, list);
    }
    list.push(f);
  }
  return new Map([...bySegment].map(([s, list]) => [s, tickCounts(list, tickSeconds, openTicks)]));
}
