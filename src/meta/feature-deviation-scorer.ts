import { ModelError } from '../core/errors.js';
import type { Scorer } from './scorer.js';

/**
 * The ensemble's cheap non-neural member: the largest absolute robust z-score over a row's features. Rows
 * arrive already scaled by the segment's {@link RobustScaler} (`(log1p(x) − median) / spread`), so a value
 * of 6 means six robust spreads from the segment's typical flow; the maximum flags a range violation in any
 * single feature (an exfiltration's byte count, a scan's fan-out) whatever the correlations the autoencoder
 * learned. It needs no training and costs one pass over the row.
 */
export class FeatureDeviationScorer implements Scorer {
  readonly name = 'baseline';
  readonly inputDim: number;

  constructor(inputDim: number) {
    this.inputDim = inputDim;
  }

  score(rows: Float32Array): Float32Array {
    const n = this.#rowCount(rows);
    const d = this.inputDim;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let worst = 0;
      for (let j = i * d, end = j + d; j < end; j++) {
        const v = Math.abs(rows[j]!);
        if (v > worst) worst = v;
      }
      out[i] = worst;
    }
    return out;
  }

  /** Squared z-score per feature: the largest carries the row's score. */
  featureErrors(rows: Float32Array): Float32Array {
    this.#rowCount(rows);
    return rows.map((v) => v * v);
  }

  dispose(): void {
    // Nothing to free: the scorer holds no tensors or handles.
  }

  #rowCount(rows: Float32Array): number {
    const n = rows.length / this.inputDim;
    if (!Number.isInteger(n)) {
      throw new ModelError(
        `baseline: ${rows.length} values is not a whole number of ${this.inputDim}-feature rows`,
      );
    }
    return n;
  }
}
