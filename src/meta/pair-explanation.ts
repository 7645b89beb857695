import type { FeatureContribution } from '../core/detection.js';
import { explainRows } from './top-features.js';

/** Share of a persistence detection's explanation given to the pair's periodicity features. */
const PAIR_SHARE = 0.5;
const MAX_FEATURES = 5;

/**
 * The explanation of a detection that persistence carried: a pair that keeps producing mildly unusual flows is
 * what beaconing looks like, so the pair's inter-arrival jitter (`pair_iat_std_*`, lower than usual and not 0,
 * which a pair seen once has by construction) and its flow weight (`pair_w_*`, higher than usual) lead the
 * list, followed by the model's own top features with their shares scaled down. Which features name the
 * rule is for the alerts stage to decide; this only makes sure the periodicity evidence is present.
 *
 * @param modelFeatures the row's explanation from the scorer (shares summing to about 1)
 * @param raw the row's unscaled values; `baseline(j)` the segment's typical value of feature `j`
 */
export function withPairEvidence(
  modelFeatures: readonly FeatureContribution[],
  raw: ArrayLike<number>,
  names: readonly string[],
  baseline: (j: number) => number,
): FeatureContribution[] {
  const pair: FeatureContribution[] = [];
  let jitter: FeatureContribution | undefined;
  let weight: FeatureContribution | undefined;
  const { jitters, weights } = pairFeatures(names);
  for (const j of jitters) {
    const value = raw[j]!;
    if (!(value > 0)) continue;
    const typical = baseline(j);
    // The most regular λ relative to its baseline is the clearest sign of a timer.
    if (value < typical && (!jitter || value / typical < jitter.value / jitter.baseline)) {
      jitter = { name: names[j]!, value, baseline: typical, share: 0 };
    }
  }
  for (const j of weights) {
    const value = raw[j]!;
    const typical = baseline(j);
    if (!(value > typical)) continue;
    if (!weight || value / Math.max(typical, 1e-9) > weight.value / Math.max(weight.baseline, 1e-9)) {
      weight = { name: names[j]!, value, baseline: typical, share: 0 };
    }
  }
  for (const c of [jitter, weight]) if (c) pair.push(c);
  if (pair.length === 0) return [...modelFeatures];
  for (const c of pair) c.share = PAIR_SHARE / pair.length;
  const rest = modelFeatures
    .filter((f) => !pair.some((p) => p.name === f.name))
    .map((f) => ({ ...f, share: f.share * (1 - PAIR_SHARE) }));
  return [...pair, ...rest].slice(0, MAX_FEATURES);
}

/** Indices of the pair periodicity features of a feature set; feature sets are long-lived, so looked up once. */
const pairFeatureCache = new WeakMap<readonly string[], { jitters: number[]; weights: number[] }>();

function pairFeatures(names: readonly string[]): { jitters: number[]; weights: number[] } {
  let found = pairFeatureCache.get(names);
  if (!found) {
    found = { jitters: [], weights: [] };
    names.forEach((name, j) => {
      if (name.startsWith('pair_iat_std_')) found!.jitters.push(j);
      else if (name.startsWith('pair_w_')) found!.weights.push(j);
    });
    pairFeatureCache.set(names, found);
  }
  return found;
}

/**
 * Explanations of the scored rows at `indices` (those above threshold): the features carrying most of the
 * autoencoder's reconstruction error ({@link explainRows}), led by the pair's periodicity evidence
 * ({@link withPairEvidence}) where pair persistence carried the row, i.e. its p-value was the smallest of
 * the members' (`members`, persistence last). `reconstruction` holds the autoencoder's reconstructions of the
 * rows at `indices`, in that order.
 */
export function explainDetections(
  scaled: Float32Array,
  reconstruction: Float32Array,
  raw: Float32Array,
  indices: readonly number[],
  names: readonly string[],
  baseline: (j: number) => number,
  members: readonly { pValues: ArrayLike<number> }[],
): Map<number, FeatureContribution[]> {
  const explanations = explainRows(scaled, reconstruction, raw, indices, names, baseline);
  const dim = names.length;
  const persistence = members.at(-1)!.pValues;
  for (const i of indices) {
    if (!members.every((m) => m.pValues[i]! >= persistence[i]!)) continue;
    const row = raw.subarray(i * dim, (i + 1) * dim);
    explanations.set(i, withPairEvidence(explanations.get(i) ?? [], row, names, baseline));
  }
  return explanations;
}
