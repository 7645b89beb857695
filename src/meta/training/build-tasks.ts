import type { FeaturesConfig, SegmentsConfig } from '../../config/schema.js';
import type { LabelledFlows } from '../../ingest/files/read-labelled-input.js';
import { RobustScaler } from '../scaler.js';
import { extractSegmentRows, pickRows } from './segment-rows.js';

/** One meta-learning task: one segment's benign traffic over one time slice, already scaled. */
export interface MetaTask {
  /** `<input>#<segment>@<slice>`, for logs. */
  name: string;
  /** Row-major scaled rows (`count × dim`). */
  rows: Float32Array;
  count: number;
}

/** Per-input figures recorded in `model.json`. */
export interface TrainingSourceSummary {
  name: string;
  flows: number;
  benignFlows: number;
  segments: number;
  tasks: number;
}

/** Tasks of a training run and where they came from. */
export interface TaskCorpus {
  featureNames: readonly string[];
  tasks: MetaTask[];
  sources: TrainingSourceSummary[];
}

/** Options of {@link buildTasks}. */
export interface BuildTasksOptions {
  segments: SegmentsConfig;
  features: FeaturesConfig;
  /** Consecutive benign flows of one segment per task. */
  taskFlows: number;
  /** A segment's last, shorter slice is kept when it has at least this many flows (default taskFlows / 2). */
  minTaskFlows?: number;
  /** Display name of each input (default its path). */
  names?: readonly string[];
}

/**
 * Cuts inputs into tasks: each input runs through its own features stage, each segment's benign
 * flows (flows labelled malicious are left out — the inner loop sees benign traffic only, as in
 * OC-MAML, Frikha et al. 2021) are sliced into runs of `taskFlows` consecutive flows, and each
 * slice is scaled by a robust scaler fitted on that slice alone, because an online segment fits
 * its own scaler on its own warm-up flows: the initialization must work in per-segment units.
 */
export function buildTasks(inputs: readonly LabelledFlows[], options: BuildTasksOptions): TaskCorpus {
  const minFlows = Math.max(8, options.minTaskFlows ?? Math.floor(options.taskFlows / 2));
  const tasks: MetaTask[] = [];
  const sources: TrainingSourceSummary[] = [];
  let featureNames: readonly string[] = [];
  inputs.forEach((input, k) => {
    const name = options.names?.[k] ?? input.path;
    const extracted = extractSegmentRows(input, options.segments, options.features);
    featureNames = extracted.featureNames;
    const dim = featureNames.length;
    const before = tasks.length;
    let benign = 0;
    for (const part of extracted.segments) {
      const benignRows: number[] = [];
      for (let i = 0; i < part.count; i++) if (part.labels[i] === 0) benignRows.push(i);
      benign += benignRows.length;
      for (let s = 0; s < benignRows.length; s += options.taskFlows) {
        const slice = benignRows.slice(s, s + options.taskFlows);
        if (slice.length < minFlows) break;
        const raw = pickRows(part, slice, dim);
        const scaler = new RobustScaler();
        scaler.fit(raw, dim);
        const name2 = `${name}#${part.segment}@${s / options.taskFlows}`;
        tasks.push({ name: name2, rows: scaler.transform(raw), count: slice.length });
      }
    }
    sources.push({
      name,
      flows: input.flows.length,
      benignFlows: benign,
      segments: extracted.segments.length,
      tasks: tasks.length - before,
    });
  });
  return { featureNames, tasks, sources };
}
