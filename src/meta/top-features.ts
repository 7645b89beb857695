import type { FeatureContribution } from '../core/detection.js';
import type { Scorer } from './scorer.js';

/** At most this many features explain a detection. */
const MAX_FEATURES = 5;
/** At least this many, even when the error is concentrated in fewer. */
const MIN_FEATURES = 3;
/** Past the minimum, features carrying less than this share of the error add noise, not insight. */
const MIN_SHARE = 0.05;

/**
 * The features that carry most of one row's reconstruction error, largest share first, each with the
 * flow's raw value and the segment's typical value, so an analyst sees "bytesRev 1.2e9 where 3.4e3 is usual".
 *
 * @param errors per-feature error of the row (non-negative), length = feature count
 * @param raw the row's unscaled feature values
 * @param baseline typical unscaled value of feature `j`
 */
export function topFeatures(
  errors: ArrayLike<number>,
  raw: ArrayLike<number>,
  names: readonly string[],
  baseline: (j: number) => number,
): FeatureContribution[] {
  let total = 0;
  for (let j = 0; j < errors.length; j++) total += errors[j]!;
  if (!(total > 0)) return [];
  const ranked = Array.from({ length: errors.length }, (_, j) => j).sort((a, b) => errors[b]! - errors[a]!);
  const picked: FeatureContribution[] = [];
  for (const j of ranked) {
    const share = errors[j]! / total;
    if (picked.length >= MAX_FEATURES || (picked.length >= MIN_FEATURES && share < MIN_SHARE)) break;
    picked.push({ name: names[j]!, value: raw[j]!, baseline: baseline(j), share });
  }
  return picked;
}

/**
 * Explanations for the rows `indices` of a scored batch, by row index: one extra (small) scoring pass over just
 * those rows for their per-feature errors.
 *
 * @param scaled the batch as the scorer saw it; `raw` the same rows unscaled
 */
export function explainRows(
  scorer: Scorer,
  scaled: Float32Array,
  raw: Float32Array,
  indices: readonly number[],
  names: readonly string[],
  baseline: (j: number) => number,
): Map<number, FeatureContribution[]> {
  const explanations = new Map<number, FeatureContribution[]>();
  if (indices.length === 0) return explanations;
  const dim = names.length;
  const picked = new Float32Array(indices.length * dim);
  indices.forEach((i, k) => {
    picked.set(scaled.subarray(i * dim, (i + 1) * dim), k * dim);
  });
  const errors = scorer.featureErrors(picked);
  indices.forEach((i, k) => {
    const rowErrors = errors.subarray(k * dim, (k + 1) * dim);
    explanations.set(i, topFeatures(rowErrors, raw.subarray(i * dim, (i + 1) * dim), names, baseline));
  });
  return explanations;
}
