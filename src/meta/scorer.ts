/**
 * One detector of a segment's ensemble: it turns scaled feature rows into raw anomaly scores (higher = more
 * anomalous) on its own scale. A {@link Threshold} per scorer calibrates those scores into p-values, and the
 * segment averages the p-values with configured weights. The autoencoder is the first scorer; the volume
 * forecaster and a cheap non-neural baseline are meant to implement this too.
 */
export interface Scorer {
  /** Detector name as it appears in a Detection's `detectors` list, e.g. `autoencoder`. */
  readonly name: string;
  /** Features per row this scorer expects. */
  readonly inputDim: number;
  /** One raw score per row of row-major `rows` (`n × inputDim`). */
  score(rows: Float32Array): Float32Array;
  /**
   * Per-feature parts of each row's score (`n × inputDim`, non-negative, summing to the row's score up to
   * a constant factor), for explanations. Called only for the few rows above threshold.
   */
  featureErrors(rows: Float32Array): Float32Array;
  /** Frees the scorer's resources (tensors); idempotent. */
  dispose(): void;
}
