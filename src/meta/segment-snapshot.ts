import type { ModelState } from '../core/detection.js';
import type { AutoencoderWeights } from './autoencoder.js';
import type { DriftMonitorSnapshot } from './drift-monitor.js';
import type { ScalerSnapshot } from './scaler.js';
import type { SegmentEnsembleSnapshot } from './segment-ensemble.js';
import type { VolumeForecasterSnapshot } from './volume-forecaster.js';

/** Autoencoder weights as plain arrays: `[W0, b0, W1, b1, ...]`, each W row-major `fanIn × fanOut`. */
export interface PlainWeights {
  inputDim: number;
  hiddenUnits: number[];
  tensors: number[][];
}

/**
 * A segment's whole detector state as plain JSON-serializable data (for the state topic and checkpoints).
 * Version 2 added the ensemble (per-scorer SPOT tails, combined SPOT, pair persistence), the volume
 * forecaster, the adaptation anchor and the drift monitor; version 1 snapshots are refused.
 */
export interface SegmentSnapshot {
  version: 2;
  segment: string;
  featureNames: string[];
  state: ModelState;
  /** Completed trainings: warm-up, adaptation rounds, re-adaptations. */
  adaptations: number;
  /** The volume forecaster runs in every state. */
  forecaster: VolumeForecasterSnapshot;
  /** Warm-up rows buffered so far (row-major), while learning. */
  warmup?: number[];
  /** Pair key, forecaster score and event time of each buffered warm-up row. */
  warmupContext?: { keys: string[]; forecast: number[]; timesMs: number[] };
  scaler?: ScalerSnapshot;
  weights?: PlainWeights;
  /** Weights online adaptation is pulled toward (the initialization). */
  anchor?: PlainWeights;
  ensemble?: SegmentEnsembleSnapshot;
  drift?: DriftMonitorSnapshot;
}

/** Autoencoder weights as plain arrays, for a snapshot. */
export function plainWeights(w: AutoencoderWeights): PlainWeights {
  return {
    inputDim: w.inputDim,
    hiddenUnits: [...w.hiddenUnits],
    tensors: w.tensors.map((t) => Array.from(t)),
  };
}

/** Autoencoder weights back from a snapshot's plain arrays. */
export function typedWeights(w: PlainWeights): AutoencoderWeights {
  return {
    inputDim: w.inputDim,
    hiddenUnits: [...w.hiddenUnits],
    tensors: w.tensors.map((t) => Float32Array.from(t)),
  };
}
