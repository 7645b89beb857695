/**
 * tapwatch's one severity scale, 1–6, higher is worse. It follows OCSF `severity_id` so the
 * OCSF formatter maps it one to one; every other output format is derived from the table below
 * and nowhere else.
 *
 * | tapwatch | name          | ECS event.severity | ECS risk_score | OCSF severity_id | EVE severity | CEF | LEEF sev |
 * |----------|---------------|--------------------|----------------|------------------|--------------|-----|----------|
 * | 1        | informational | 1                  | 5              | 1 Informational  | 3            | 1   | 1        |
 * | 2        | low           | 2                  | 21             | 2 Low            | 3            | 3   | 3        |
 * | 3        | medium        | 3                  | 47             | 3 Medium         | 2            | 5   | 5        |
 * | 4        | high          | 4                  | 73             | 4 High           | 1            | 7   | 7        |
 * | 5        | critical      | 5                  | 99             | 5 Critical       | 1            | 9   | 9        |
 * | 6        | fatal         | 6                  | 100            | 6 Fatal          | 1            | 10  | 10       |
 *
 * Risk scores sit at the upper edge of Elastic's detection-rule bands (low ≤ 21, medium ≤ 47,
 * high ≤ 73, critical ≤ 99) so Kibana colours them as the severity says. EVE severity is
 * inverted (1 = most severe) and has only three steps. CEF bands: 0–3 low, 4–6 medium,
 * 7–8 high, 9–10 very high.
 */
export type Severity = 1 | 2 | 3 | 4 | 5 | 6;

/** Lower-case severity name, also the `severity` label of `tapwatch_alerts_emitted_total`. */
export type SeverityName = 'informational' | 'low' | 'medium' | 'high' | 'critical' | 'fatal';

/** One row of the mapping table. */
export interface SeverityMapping {
  severity: Severity;
  name: SeverityName;
  ecsSeverity: number;
  riskScore: number;
  ocsfSeverityId: number;
  eveSeverity: 1 | 2 | 3;
  cefSeverity: number;
  leefSeverity: number;
}

/** The mapping table, indexed by `severity - 1`. */
export const SEVERITY_TABLE: readonly SeverityMapping[] = Object.freeze([
  row(1, 'informational', 5, 3, 1),
  row(2, 'low', 21, 3, 3),
  row(3, 'medium', 47, 2, 5),
  row(4, 'high', 73, 1, 7),
  row(5, 'critical', 99, 1, 9),
  row(6, 'fatal', 100, 1, 10),
]);

function row(
  severity: Severity,
  name: SeverityName,
  riskScore: number,
  eveSeverity: 1 | 2 | 3,
  cefSeverity: number,
): SeverityMapping {
  return Object.freeze({
    severity,
    name,
    ecsSeverity: severity,
    riskScore,
    ocsfSeverityId: severity,
    eveSeverity,
    cefSeverity,
    leefSeverity: Math.max(1, cefSeverity),
  });
}

/** The table row of a severity; out-of-range input is clamped to 1..6. */
export function severityMapping(severity: number): SeverityMapping {
  return SEVERITY_TABLE[clampSeverity(severity) - 1];
}

/** Clamp any number into the scale (rounding to the nearest step). */
export function clampSeverity(value: number): Severity {
  if (!Number.isFinite(value)) return 1;
  return Math.min(6, Math.max(1, Math.round(value))) as Severity;
}

/**
 * Severity of one detection: the rule's base severity, raised one step when the score is at
 * least 1.5× the threshold and two steps at 3× or more. Scores are -log10 p-values, so 1.5×
 * the threshold already means a p-value orders of magnitude below the alerting level.
 * A single flow never reaches 6 (fatal): that step is reserved for operator-defined rules.
 */
export function scoreSeverity(baseSeverity: Severity, score: number, threshold: number): Severity {
  const ratio = threshold > 0 ? score / threshold : Number.POSITIVE_INFINITY;
  const boost = ratio >= 3 ? 2 : ratio >= 1.5 ? 1 : 0;
  return Math.min(5, baseSeverity + boost) as Severity;
}
