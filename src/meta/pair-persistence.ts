/** Options of a {@link PairPersistence}. */
export interface PairPersistenceOptions {
  /** Reference k: only flows scoring above it (−log10 p) add evidence; the rest drain it. */
  referenceScore: number;
  /** Half-life of accumulated evidence, seconds of event time. */
  halfLifeSeconds: number;
  /** Accumulated evidence h at which the pair's p-value reaches q. */
  alarmScore: number;
  /** Target false-alert rate q. */
  falseAlertRate: number;
  /** Most pairs tracked; the least recently updated are dropped first. */
  maxPairs: number;
}

/** Fewest flows whose evidence can reach the alarm limit. */
const MIN_FLOWS_TO_ALARM = 4;

/** One tracked pair: `[key, evidence, eventTimeMs]`. */
export type PairEvidence = [key: string, evidence: number, timeMs: number];

/**
 * Low-and-slow evidence per (src, dst) pair: a one-sided CUSUM (Page 1954) on the flows' ensemble scores
 * s = −log10 p, S ← max(0, S·2^(−Δt/H) + s − k), decayed in event time so evidence from long ago fades. A
 * beacon whose every check-in is only mildly unusual (s ≈ 2.3 where benign q99 is 2.1) climbs by s − k per
 * check-in and crosses h within a few; a benign pair's occasional odd flow drains back to 0.
 *
 * Its p-value is q^(S/h): for i.i.d. uniform p-values the CUSUM's stationary tail is exponential,
 * P(S ≥ x) ≤ e^(−θx) (Kingman's bound for the Lindley recursion), and choosing θ = ln(1/q)/h puts p = q at
 * the alarm limit h. Flows of one pair share pair-level features, so their scores are correlated and θ is
 * set by h rather than derived from k; h is the configured trade-off between delay and false alarms.
 */
export class PairPersistence {
  readonly #options: PairPersistenceOptions;
  readonly #theta: number;
  readonly #decayPerMs: number;
  readonly #pairs = new Map<string, { evidence: number; timeMs: number }>();

  constructor(options: PairPersistenceOptions) {
    this.#options = options;
    this.#theta = Math.log(1 / options.falseAlertRate) / options.alarmScore;
    this.#decayPerMs = Math.LN2 / (options.halfLifeSeconds * 1000);
  }

  /** Pairs currently tracked. */
  get size(): number {
    return this.#pairs.size;
  }

  /**
   * Adds one flow's score to its pair at event time `timeMs`; returns the pair's evidence S. A flow adds at
   * most h/4: persistence is about repetition, so it takes four or more flows to reach the alarm limit, and
   * a single extreme flow (which alerts on its own) does not leave its pair marked for the next half-life.
   */
  update(key: string, score: number, timeMs: number): number {
    const entry = this.#pairs.get(key);
    const { referenceScore, alarmScore } = this.#options;
    const increment = Math.min(score, referenceScore + alarmScore / MIN_FLOWS_TO_ALARM) - referenceScore;
    if (!entry) {
      // Most flows score below k: a pair with no evidence is not stored at all.
      if (!(increment > 0)) return 0;
      this.#insert(key, increment, timeMs);
      return increment;
    }
    const decayed = entry.evidence * Math.exp(-this.#decayPerMs * Math.max(0, timeMs - entry.timeMs));
    const evidence = Math.max(0, decayed + (Number.isFinite(increment) ? increment : 0));
    this.#pairs.delete(key);
    if (evidence > 0) this.#insert(key, evidence, Math.max(timeMs, entry.timeMs));
    return evidence;
  }

  /** The p-value of accumulated evidence `evidence`: q^(S/h), 1 at S = 0. */
  pValue(evidence: number): number {
    return Math.exp(-this.#theta * evidence);
  }

  snapshot(): PairEvidence[] {
    return [...this.#pairs].map(([key, e]) => [key, e.evidence, e.timeMs]);
  }

  restore(pairs: readonly PairEvidence[]): void {
    this.#pairs.clear();
    for (const [key, evidence, timeMs] of pairs) {
      if (evidence > 0 && Number.isFinite(evidence)) this.#insert(key, evidence, timeMs);
    }
  }

  /** Inserts as the most recent entry (a Map iterates in insertion order) and drops the oldest beyond the cap. */
  #insert(key: string, evidence: number, timeMs: number): void {
    this.#pairs.set(key, { evidence, timeMs });
    if (this.#pairs.size > this.#options.maxPairs) {
      const oldest = this.#pairs.keys().next().value;
      if (oldest !== undefined) this.#pairs.delete(oldest);
    }
  }
}
