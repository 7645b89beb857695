import type { FeaturesConfig, SegmentsConfig } from '../../config/schema.js';
import { FeatureExtractor } from '../../features/extract-features.js';
import type { LabelledFlows } from '../../ingest/files/read-labelled-input.js';

/** One segment's feature rows in stream order, with each row's label and event time. */
export interface SegmentRows {
  segment: string;
  /** Row-major raw (unscaled) feature rows, `count × featureNames.length`. */
  rows: Float32Array;
  count: number;
  /** 1 = malicious; all 0 when the input is unlabelled. */
  labels: Uint8Array;
  /** Flow end time (epoch ms) of each row. */
  timesMs: Float64Array;
  /** Index of each row's flow in the input. */
  flowIndex: Uint32Array;
}

/** Rows per extraction call, as the capture source batches flows for the daemon. */
const BATCH_FLOWS = 1024;

/**
 * Runs one input through a fresh features stage, exactly as the daemon would (same routing, same
 * order, same batching), and splits the rows by segment. A fresh extractor per input keeps one
 * network's host statistics from leaking into another's.
 */
export function extractSegmentRows(
  input: LabelledFlows,
  segments: SegmentsConfig,
  features: FeaturesConfig,
): { featureNames: readonly string[]; segments: SegmentRows[] } {
  const extractor = new FeatureExtractor(segments, features);
  const dim = extractor.featureNames.length;
  const parts = new Map<string, { rows: Float32Array[]; indices: number[] }>();
  for (let start = 0; start < input.flows.length; start += BATCH_FLOWS) {
    const batch = extractor.extract(input.flows.slice(start, start + BATCH_FLOWS));
    batch.flows.forEach((flow, i) => {
      let part = parts.get(flow.segment);
      if (!part) {
        part = { rows: [], indices: [] };
        parts.set(flow.segment, part);
      }
      part.rows.push(batch.values.slice(i * dim, (i + 1) * dim));
      part.indices.push(start + i);
    });
  }
  const result: SegmentRows[] = [];
  for (const [segment, part] of parts) {
    const count = part.indices.length;
    const rows = new Float32Array(count * dim);
    part.rows.forEach((row, k) => {
      rows.set(row, k * dim);
    });
    const flowIndex = Uint32Array.from(part.indices);
    result.push({
      segment,
      rows,
      count,
      labels: Uint8Array.from(flowIndex, (i) => input.labels?.[i] ?? 0),
      timesMs: Float64Array.from(flowIndex, (i) => input.flows[i]!.end),
      flowIndex,
    });
  }
  return { featureNames: extractor.featureNames, segments: result };
}

/** The rows of `part` at `indices` (row-major). */
export function pickRows(part: SegmentRows, indices: ArrayLike<number>, dim: number): Float32Array {
  const out = new Float32Array(indices.length * dim);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    out.set(part.rows.subarray(i * dim, (i + 1) * dim), k * dim);
  }
  return out;
}
