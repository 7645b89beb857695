import type { SegmentsConfig } from '../config/schema.js';
import type { FlowRecord } from '../core/flow-record.js';
import { SegmentRouter } from '../features/segment-router.js';

/**
 * How the flows of one input are split for a few-shot evaluation:
 * - `one-class`: each segment adapts on its first `budget` benign flows (labels choose them, nothing else
 *   sees the labels), as in one-class meta-learning (OC-MAML); every other flow of the segment is scored,
 *   whether it came before or after them in time.
 * - `first-flows`: as deployed — each segment adapts on its first `budget` flows whatever they hold
 *   (attack flows among them are learned as normal) and the rest are scored.
 * A segment with fewer adaptation flows than the budget is left out entirely (nothing adapted, nothing scored).
 */
export type AdaptationProtocol = 'one-class' | 'first-flows';

/** Per-flow masks, indexed like the input flows. Every method of a comparison uses the same plan. */
export interface AdaptationPlan {
  protocol: AdaptationProtocol;
  budget: number;
  /** 1 = an adaptation flow (warm-up); never scored. */
  adapt: Uint8Array;
  /** 1 = scored and counted in the metrics. */
  scored: Uint8Array;
  /** Segment of each flow, as the daemon's router assigns it. */
  segments: string[];
}

/** Builds the plan; routing follows the daemon's {@link SegmentRouter} over the flows in input order. */
export function adaptationPlan(
  flows: readonly FlowRecord[],
  labels: ArrayLike<number> | undefined,
  segmentsConfig: SegmentsConfig,
  budget: number,
  protocol: AdaptationProtocol,
): AdaptationPlan {
  const router = new SegmentRouter(segmentsConfig);
  const n = flows.length;
  const segments = new Array<string>(n);
  const bySegment = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    // Route a shallow copy: the router sets `segment` on what it is given.
    const segment = router.route({ ...flows[i]! }).segment;
    segments[i] = segment;
    const list = bySegment.get(segment);
    if (list) list.push(i);
    else bySegment.set(segment, [i]);
  }
  const adapt = new Uint8Array(n);
  const scored = new Uint8Array(n);
  for (const indices of bySegment.values()) {
    const eligible = protocol === 'one-class' ? indices.filter((i) => !labels?.[i]) : indices;
    if (eligible.length < budget) continue;
    for (const i of eligible.slice(0, budget)) adapt[i] = 1;
    for (const i of indices) if (!adapt[i]) scored[i] = 1;
  }
  return { protocol, budget, adapt, scored, segments };
}
