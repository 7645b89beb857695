import type {
  Detection,
  DetectorContribution,
  FeatureContribution,
  ModelState,
  SegmentWindowStats,
} from '../core/detection.js';
import type { RoutedFlow } from '../core/flow-record.js';

/** The per-member p-values of one segment's scored rows, shared by every detection of the batch. */
export interface MemberPValues {
  readonly detector: string;
  readonly weight: number;
  readonly pValues: Float64Array;
}

/** The explanation of a flow below threshold: one shared, frozen empty list rather than one per flow. */
const NO_FEATURES = Object.freeze([]) as unknown as FeatureContribution[];

/**
 * One scored flow. Every flow of a batch gets one, but only the few that alert have their per-detector
 * p-values read, so the `detectors` list is built from the batch's shared columns on first access instead of
 * as four objects and an array per flow up front.
 */
export class ScoredFlow implements Detection {
  readonly flow: RoutedFlow;
  readonly score: number;
  readonly threshold: number;
  readonly pValue: number;
  readonly modelState: ModelState;
  readonly topFeatures: FeatureContribution[];
  readonly windows: readonly SegmentWindowStats[];
  readonly #members: readonly MemberPValues[];
  readonly #row: number;
  #detectors: DetectorContribution[] | undefined;

  constructor(
    flow: RoutedFlow,
    scores: { scores: Float64Array; pValues: Float64Array; threshold: number; state: ModelState },
    members: readonly MemberPValues[],
    row: number,
    topFeatures: FeatureContribution[] | undefined,
    windows: readonly SegmentWindowStats[],
  ) {
    this.flow = flow;
    this.score = scores.scores[row]!;
    this.threshold = scores.threshold;
    this.pValue = scores.pValues[row]!;
    this.modelState = scores.state;
    this.topFeatures = topFeatures ?? NO_FEATURES;
    this.windows = windows;
    this.#members = members;
    this.#row = row;
  }

  get detectors(): DetectorContribution[] {
    if (!this.#detectors) {
      const row = this.#row;
      this.#detectors = this.#members.map((m) => ({
        detector: m.detector,
        pValue: m.pValues[row]!,
        weight: m.weight,
      }));
    }
    return this.#detectors;
  }

  /** Serialized like the plain object it stands for, `detectors` included. */
  toJSON(): Detection {
    const { flow, score, threshold, pValue, modelState, detectors, topFeatures, windows } = this;
    return { flow, score, threshold, pValue, modelState, detectors, topFeatures, windows };
  }
}
