/** The smallest p-value any combination reports, so `-log10(p)` stays finite. */
export const MIN_P_VALUE = 1e-300;

/**
 * Weighted harmonic mean of p-values, p = Σw / Σ(w_i / p_i) (Wilson, "The harmonic mean p-value for
 * combining dependent tests", PNAS 2019). Chosen over a weighted mean of −log10 p (a geometric mean) because
 * the ensemble's members see the same flows and are positively dependent, where the harmonic mean stays
 * close to valid, and because it is dominated by the strongest evidence: a flood only the volume forecaster
 * sees (p = 1e-8 against 0.5 elsewhere) keeps a combined p near 1e-8 instead of being diluted to ~1e-3.
 * Members with weight 0 are ignored; with no positive weight the result is 1.
 *
 * @param pValues member p-values, read at `pValues[k][row]`
 */
export function harmonicMeanP(
  pValues: readonly ArrayLike<number>[],
  weights: readonly number[],
  row: number,
): number {
  let weightSum = 0;
  let inverse = 0;
  for (let k = 0; k < pValues.length; k++) {
    const w = weights[k]!;
    if (!(w > 0)) continue;
    weightSum += w;
    inverse += w / Math.max(MIN_P_VALUE, pValues[k]![row]!);
  }
  if (weightSum === 0) return 1;
  return Math.min(1, Math.max(MIN_P_VALUE, weightSum / inverse));
}
