import { readFile } from 'node:fs/promises';
import { InputError } from '../../core/errors.js';
import type { FlowRecord } from '../../core/flow-record.js';
import { asRecordError } from '../kafka/decode-context.js';
import { decodeZeekRecord } from '../kafka/decode-zeek.js';
import type { JsonObject } from '../kafka/json-fields.js';
import { splitCsvLine } from './csv-line.js';
import { FileLineScope } from './file-line-scope.js';
import type { FlowFile } from './flow-file.js';
import { labelOf } from './label-text.js';
import { sortFlowFile } from './sort-flow-file.js';

/** Columns the Zeek conn converter needs; the rest of the 23 are optional. */
const REQUIRED = ['ts', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto'] as const;

/** Zeek conn.log fields that are numbers; Zeek's JSON writer emits them as JSON numbers. */
const NUMERIC = new Set([
  'ts',
  'id.orig_p',
  'id.resp_p',
  'duration',
  'orig_bytes',
  'resp_bytes',
  'missed_bytes',
  'orig_pkts',
  'orig_ip_bytes',
  'resp_pkts',
  'resp_ip_bytes',
]);

/**
 * Reads an IoT-23 labelled conn.log CSV (Garcia, Parmisano & Erquiaga 2020, doi:10.5281/zenodo.4743746):
 * a header row naming Zeek's conn.log columns plus `label` and `detailed-label`. Each row is turned
 * into the object Zeek's JSON writer would have produced and converted by {@link decodeZeekRecord},
 * so CSV, JSON and Kafka input share one field mapping. Empty cells and `-` are unknown. Rows are
 * not in time order in the published files, so the result is sorted by `ts`. The label columns
 * are read separately (`Malicious` → 1); when a row lacks one the file is returned unlabelled.
 */
export async function readIot23Csv(path: string): Promise<FlowFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError('TAPWATCH_INPUT_UNREADABLE', 'unreadable', `${path}: cannot read: ${String(err)}`, {
      cause: err,
    });
  }
  const lines = text.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '');
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new InputError(
      'TAPWATCH_INPUT_MALFORMED',
      'missing_field',
      `${path}:1: expected an IoT-23 / Zeek conn.log CSV header with ${missing.join(', ')}, got "${(lines[0] ?? '').slice(0, 80)}"`,
    );
  }
  const labelColumn = header.indexOf('label');
  const detailColumn = header.indexOf('detailed-label');
  const flows: FlowRecord[] = [];
  const labels: number[] = [];
  const detailed: string[] = [];
  const errors: InputError[] = [];
  let labelled = labelColumn >= 0;
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const cells = splitCsvLine(lines[i]!);
    const scope = new FileLineScope(path, i + 1, 'zeek', 'iot23-csv');
    try {
      flows.push(decodeZeekRecord(zeekObject(header, cells), scope));
    } catch (err) {
      errors.push(asRecordError(scope.origin, i + 1, err));
      continue;
    }
    const label = labelColumn >= 0 ? labelOf(cells[labelColumn]) : undefined;
    labelled &&= label !== undefined;
    labels.push(label ?? 0);
    const detail = detailColumn >= 0 ? (cells[detailColumn] ?? '') : '';
    detailed.push(detail === '-' ? '' : detail);
  }
  const file: FlowFile = { path, format: 'iot23-csv', flows, errors };
  if (labelled && flows.length > 0) {
    file.labels = Uint8Array.from(labels);
    file.detailedLabels = detailed;
  }
  return sortFlowFile(file);
}

/** One CSV row as the JSON object Zeek would log: numbers where Zeek logs numbers, unset cells left out. */
function zeekObject(header: readonly string[], cells: readonly string[]): JsonObject {
  const record: JsonObject = {};
  header.forEach((name, j) => {
    const cell = cells[j];
    if (cell === undefined || cell === '' || cell === '-') return;
    const n = NUMERIC.has(name) ? Number(cell) : Number.NaN;
    // Text that is not a number stays text, so the converter names the field and the bad value.
    record[name] = Number.isFinite(n) ? n : cell;
  });
  return record;
}
