/** `format` of every `model.json` this version writes and reads. */
export const MODEL_FORMAT = 'tapwatch-model/1';

/** One weight array in `weights.bin`, in TensorFlow.js weights-manifest form. */
export interface WeightSpec {
  /** `dense_<layer>/kernel` (row-major `fanIn × fanOut`) or `dense_<layer>/bias`. */
  name: string;
  shape: number[];
  dtype: 'float32';
}

/**
 * Contents of `model.json`. The weights live in `weights.bin`: the Float32 arrays of
 * `weightsManifest[0].weights`, little-endian, concatenated in order with no padding — the layout of
 * TensorFlow.js's `weightsManifest`, so `tf.io.decodeWeights` reads them as they are.
 */
export interface ModelManifest {
  format: typeof MODEL_FORMAT;
  /** tapwatch version that wrote the model. */
  tapwatchVersion: string;
  /** How the initialization was made: `reptile` (meta-learned), `pooled` (pretrained on all tasks at once). */
  method: 'reptile' | 'pooled';
  /** Must equal the running code's FEATURE_SCHEMA_VERSION. */
  featureSchemaVersion: string;
  /** Exact column names, in order; must equal the running features stage's. */
  featureNames: string[];
  architecture: { inputDim: number; hiddenUnits: number[]; activation: 'tanh'; output: 'linear' };
  /**
   * Scaling: every segment fits its own robust scaler (median / spread after a signed log1p) on
   * its warm-up flows, and meta-training scaled each task the same way, so the model carries no
   * scaler statistics of its own.
   */
  scaler: { kind: 'per-segment-robust' };
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
  hyperParameters: Record<string, unknown>;
  training: {
    sources: { name: string; flows: number; benignFlows: number; segments: number; tasks: number }[];
    tasks: number;
    flows: number;
    seed: number;
    /** Loss of the initialization at the first and last progress step. */
    firstLoss: number;
    lastLoss: number;
  };
  /**
   * The volume forecaster meta-learned with the model (absent in models written without one): its file in the
   * directory and the mean training MASE of the fixed defaults and of the fitted parameters.
   */
  forecaster?: { file: string; series: number; defaultMase: number; fittedMase: number };
}
