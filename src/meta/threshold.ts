/**
 * A per-segment calibrator for one scorer: it turns raw scores (higher = more anomalous) into p-values and
 * holds the alert threshold for a target false-alert rate q. `SpotThreshold` (streaming extreme value theory,
 * SPOT/DSPOT) implements it, with {@link Threshold.observe} feeding its peaks-over-threshold updates.
 */
export interface Threshold {
  /** Target false-alert rate q. */
  readonly falseAlertRate: number;
  /** Raw score at which the p-value reaches q: scores at or above it are alerts. */
  readonly threshold: number;
  /** Calibrates on scores of benign rows that the scorer did not train on. */
  fit(warmupScores: ArrayLike<number>): void;
  /** Probability that a benign row scores at least `score`; small means anomalous. */
  pValue(score: number): number;
  /** Tells the calibrator about a scored row (a streaming calibrator may update itself). */
  observe(score: number): void;
}
