import type { RoutedFlow } from './flow-record.js';

/**
 * Segment-level counts over one sliding window, computed by the features stage.
 * Alerts use them to explain volumetric behaviour; the forecaster uses `flows`.
 */
export interface SegmentWindowStats {
  windowSeconds: number;
  /** Event time (epoch ms) of the window's right edge. */
  endMs: number;
  flows: number;
  bytes: number;
  packets: number;
  /** Approximate distinct destination hosts and ports (sketch estimates). */
  distinctDstHosts: number;
  distinctDstPorts: number;
  distinctSrcHosts: number;
  /** Share of TCP flows that saw SYN and nothing but SYN (no ACK) from the initiator. */
  synOnlyRatio: number;
  /** Share of flows with no reply (pktsRev = 0) or reset. */
  failedRatio: number;
  /** Shannon entropy (bits) of destination ports. */
  dstPortEntropy: number;
}

/**
 * What the features stage hands the detector: raw (unscaled) feature rows, one per flow,
 * in a row-major matrix, plus each segment's window stats at the batch's end.
 */
export interface FeatureBatch {
  flows: RoutedFlow[];
  /** Row-major, `flows.length × featureNames.length`. */
  values: Float32Array;
  featureNames: readonly string[];
  /** Keyed by segment; the shortest configured window is first in each list. */
  windows: ReadonlyMap<string, readonly SegmentWindowStats[]>;
}

export type ModelState = 'learning' | 'ready' | 'drift';

export interface FeatureContribution {
  name: string;
  /** The flow's (unscaled) value. */
  value: number;
  /** The segment's typical (unscaled) value, e.g. the scaler's median. */
  baseline: number;
  /** Share of the reconstruction error (or of the deviation) this feature carries, 0..1. */
  share: number;
}

export interface DetectorContribution {
  /** `autoencoder`, `forecast`, `baseline`, ... */
  detector: string;
  /** Calibrated p-value (small = anomalous). */
  pValue: number;
  /** Configured averaging weight. */
  weight: number;
}

/** One scored flow, for every flow (anomalous or not); alerts decide what to emit. */
export interface Detection {
  flow: RoutedFlow;
  /** Combined anomaly score, higher is worse (e.g. -log10 of the combined p-value). */
  score: number;
  /** The segment's current threshold on `score`. */
  threshold: number;
  /** Combined p-value. */
  pValue: number;
  modelState: ModelState;
  detectors: DetectorContribution[];
  /** Filled only for detections above threshold (explanations cost time). */
  topFeatures: FeatureContribution[];
  /** The segment's windows when the flow was scored. */
  windows: readonly SegmentWindowStats[];
}
