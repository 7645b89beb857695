import type { FlowRecord } from '../../core/flow-record.js';

/** Longest run of empty ticks replayed, as in {@link VolumeForecaster} (a longer gap is jumped over). */
const MAX_REPLAYED_TICKS = 1024;

/**
 * Flows per tick exactly as a segment's {@link VolumeForecaster} counts them, for flows in stream order: a flow
 * counts at its end or one tick after its start if it lasted longer; a flow whose tick already closed counts
 * in the open tick; empty ticks between two flows are zeros (at most 1024 of them).
 */
export function tickCounts(
  flows: readonly Pick<FlowRecord, 'start' | 'end'>[],
  tickSeconds: number,
): Float64Array {
  const tickMs = tickSeconds * 1000;
  const counts: number[] = [];
  let open = Number.NaN;
  let count = 0;
  for (const f of flows) {
    const atMs = Number.isFinite(f.start) ? Math.min(f.end, f.start + tickMs) : f.end;
    const tick = Math.floor(atMs / tickMs);
    if (Number.isNaN(open)) open = tick;
    else if (tick > open) {
      counts.push(count);
      for (let k = Math.min(tick - open - 1, MAX_REPLAYED_TICKS); k > 0; k--) counts.push(0);
      open = tick;
      count = 0;
    }
    count++;
  }
  if (!Number.isNaN(open)) counts.push(count);
  return Float64Array.from(counts);
}

/** {@link tickCounts} per segment; `segmentOf` names a flow's segment (e.g. `SegmentRouter.route(f).segment`). */
export function tickCountsBySegment(
  flows: readonly FlowRecord[],
  tickSeconds: number,
  segmentOf: (flow: FlowRecord) => string,
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
  return new Map([...bySegment].map(([s, list]) => [s, tickCounts(list, tickSeconds)]));
}
