import type { FeatureContribution } from '../core/detection.js';

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
  // Only the largest MAX_FEATURES can be picked, so a partial insertion selection replaces a full sort. A
  // feature moves ahead only of strictly smaller errors, so ties keep feature order as a stable sort would.
  const ranked = new Int32Array(MAX_FEATURES);
  let count = 0;
  for (let j = 0; j < errors.length; j++) {
    const e = errors[j]!;
    if (count === MAX_FEATURES && !(e > errors[ranked[count - 1]!]!)) continue;
    let at = count < MAX_FEATURES ? count++ : count - 1;
    while (at > 0 && e > errors[ranked[at - 1]!]!) {
      ranked[at] = ranked[at - 1]!;
      at--;
    }
    ranked[at] = j;
  }
  const picked: FeatureContribution[] = [];
  for (let k = 0; k < count; k++) {
    const j = ranked[k]!;
    const share = errors[j]! / total;
    if (picked.length >= MIN_FEATURES && share < MIN_SHARE) break;
    picked.push({ name: names[j]!, value: raw[j]!, baseline: baseline(j), share });
  }
  return picked;
}

/**
 * Explanations for the rows `indices` of a scored batch, by row index: the per-feature squared errors of each
 * row go into one reused buffer, so no per-row arrays besides the explanation itself.
 *
 * @param scaled the batch as the autoencoder saw it; `raw` the same rows unscaled
 * @param reconstruction the autoencoder's reconstructions of the rows `indices`, in that order
 */
export function explainRows(
  scaled: Float32Array,
  reconstruction: Float32Array,
  raw: Float32Array,
  indices: readonly number[],
  names: readonly string[],
  baseline: (j: number) => number,
): Map<number, FeatureContribution[]> {
  const explanations = new Map<number, FeatureContribution[]>();
  if (indices.length === 0) return explanations;
  const dim = names.length;
  // Float32 like the backend's own squared differences, so shares match what a tensor op would give.
  const errors = new Float32Array(dim);
  indices.forEach((i, k) => {
    const row = i * dim;
    for (let j = 0; j < dim; j++) {
      const e = scaled[row + j]! - reconstruction[k * dim + j]!;
      errors[j] = e * e;
    }
    explanations.set(i, topFeatures(errors, raw.subarray(row, row + dim), names, baseline));
  });
  return explanations;
}
