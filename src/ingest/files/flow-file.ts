import type { InputError } from '../../core/errors.js';
import type { FlowRecord } from '../../core/flow-record.js';

/** Flow-file layouts tapwatch reads (`FlowRecord.source.format` of their records). */
export type FlowFileFormat = 'tapwatch' | 'zeek' | 'iot23-csv';

/**
 * The flows of one flow file, sorted by event time (end; stable), with the ground truth the file
 * carries, if any. `labels[i]` and `detailedLabels[i]` belong to `flows[i]`. Each flow's
 * `source` is `{ format, origin: path, offset: "<line>" }`: the offset is the 1-based line
 * of the record in the file, so an alert points back to it.
 */
export interface FlowFile {
  path: string;
  format: FlowFileFormat;
  flows: FlowRecord[];
  /** 1 = malicious, 0 = benign; absent when the file carries no labels. */
  labels?: Uint8Array;
  /** IoT-23 `detailed-label` (e.g. `C&C-Torii`); empty where unset (`-`). */
  detailedLabels?: string[];
  /** One error per record that could not be read; the record is skipped, reading goes on. */
  errors: InputError[];
}
