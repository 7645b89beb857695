import { readFile } from 'node:fs/promises';
import { InputError } from '../../core/errors.js';
import type { FlowRecord } from '../../core/flow-record.js';
import { asRecordError } from '../kafka/decode-context.js';
import { decodeTapwatchRecord } from '../kafka/decode-tapwatch.js';
import { decodeZeekRecord } from '../kafka/decode-zeek.js';
import { isJsonObject } from '../kafka/json-fields.js';
import { FileLineScope } from './file-line-scope.js';
import type { FlowFile } from './flow-file.js';
import { labelOf } from './label-text.js';
import { sortFlowFile } from './sort-flow-file.js';

/**
 * Reads a JSON-lines flow file: tapwatch FlowRecords (`format` `tapwatch`) or Zeek conn.log
 * records as Zeek's JSON writer emits them (`zeek`). Blank lines are skipped; a bad line is
 * recorded in `errors` and skipped. Optional `label` / `detailed-label` fields (as in IoT-23's
 * labelled logs) become labels when every record has one.
 */
export async function readJsonLinesFile(path: string, format: 'tapwatch' | 'zeek'): Promise<FlowFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError('TAPWATCH_INPUT_UNREADABLE', 'unreadable', `${path}: cannot read: ${String(err)}`, {
      cause: err,
    });
  }
  const decode = format === 'zeek' ? decodeZeekRecord : decodeTapwatchRecord;
  const flows: FlowRecord[] = [];
  const labels: number[] = [];
  const detailed: string[] = [];
  const errors: InputError[] = [];
  let labelled = true;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const scope: FileLineScope = new FileLineScope(path, i + 1, format);
    try {
      const value: unknown = JSON.parse(line);
      if (!isJsonObject(value)) scope.fail('wrong_type', '', 'expected a JSON object per line');
      flows.push(decode(value, scope));
      const label = labelOf(value.label);
      labelled &&= label !== undefined;
      labels.push(label ?? 0);
      detailed.push(typeof value['detailed-label'] === 'string' ? value['detailed-label'] : '');
    } catch (err) {
      if (err instanceof SyntaxError) {
        errors.push(new InputError('TAPWATCH_INPUT_CORRUPT', 'not_json', `${path}:${i + 1}: ${err.message}`));
      } else {
        errors.push(asRecordError(scope.origin, i + 1, err));
      }
    }
  }
  const file: FlowFile = { path, format, flows, errors };
  if (labelled && flows.length > 0) {
    file.labels = Uint8Array.from(labels);
    file.detailedLabels = detailed.map((d) => (d === '-' ? '' : d));
  }
  return sortFlowFile(file);
}
