/** One point of a ROC curve. */
export interface RocPoint {
  fpr: number;
  tpr: number;
}

/** Ranking quality of scores (higher = more anomalous) against 0/1 labels. NaN where a class is absent. */
export interface RankingMetrics {
  rocAuc: number;
  /** Average precision (area under the step-wise precision–recall curve). */
  prAuc: number;
  /** TPR at the largest threshold whose FPR stays ≤ the given rate. */
  tprAtFpr1e3: number;
  tprAtFpr1e2: number;
  positives: number;
  negatives: number;
}

/** Indices of `scores`, highest score first (ties kept together by value). */
function descending(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
}

/**
 * The ROC curve, one point per distinct score (ties move FPR and TPR together, which is what makes
 * the trapezoid area equal the Mann–Whitney probability with ties counted as one half).
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): RocPoint[] {
  const order = descending(scores);
  let p = 0;
  for (let i = 0; i < labels.length; i++) p += labels[i]! ? 1 : 0;
  const n = labels.length - p;
  const points: RocPoint[] = [{ fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (labels[i]) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[i]) {
      points.push({ fpr: n > 0 ? fp / n : Number.NaN, tpr: p > 0 ? tp / p : Number.NaN });
    }
  }
  return points;
}

/** Area under the ROC curve (trapezoids); NaN unless both classes are present. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const curve = rocCurve(scores, labels);
  let area = 0;
  for (let k = 1; k < curve.length; k++) {
    const a = curve[k - 1]!;
    const b = curve[k]!;
    area += ((b.fpr - a.fpr) * (a.tpr + b.tpr)) / 2;
  }
  return area;
}

/** Average precision: Σ (Rₖ − Rₖ₋₁)·Pₖ over distinct thresholds (scikit-learn's definition). */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = descending(scores);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i]! ? 1 : 0;
  if (positives === 0) return Number.NaN;
  let tp = 0;
  let seen = 0;
  let lastRecall = 0;
  let ap = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    seen++;
    if (labels[i]) tp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[i]) {
      const recall = tp / positives;
      ap += (recall - lastRecall) * (tp / seen);
      lastRecall = recall;
    }
  }
  return ap;
}

/** Highest TPR among ROC points with FPR ≤ `maxFpr`. */
export function tprAtFpr(curve: readonly RocPoint[], maxFpr: number): number {
  let best = 0;
  for (const point of curve) if (point.fpr <= maxFpr && point.tpr > best) best = point.tpr;
  return curve.length > 0 && Number.isNaN(curve.at(-1)!.tpr) ? Number.NaN : best;
}

/** All ranking metrics at once. */
export function rankingMetrics(scores: ArrayLike<number>, labels: ArrayLike<number>): RankingMetrics {
  const curve = rocCurve(scores, labels);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i]! ? 1 : 0;
  const negatives = labels.length - positives;
  const both = positives > 0 && negatives > 0;
  return {
    rocAuc: both ? rocAuc(scores, labels) : Number.NaN,
    prAuc: both ? averagePrecision(scores, labels) : Number.NaN,
    tprAtFpr1e3: both ? tprAtFpr(curve, 1e-3) : Number.NaN,
    tprAtFpr1e2: both ? tprAtFpr(curve, 1e-2) : Number.NaN,
    positives,
    negatives,
  };
}
