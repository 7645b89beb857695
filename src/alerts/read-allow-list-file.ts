import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { describeIssue } from '../config/describe-issue.js';
import { formatPath } from '../config/load-config.js';
import { allowListFileSchema } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import type { AllowListRow } from './allow-list.js';

/**
 * Read and validate an allow-list file: a YAML list of rows with the fields of
 * `alerts.allowList`. `shownAs` is how messages name the file (the path as configured);
 * every problem becomes one `ConfigError` line per issue such as
 * `allow.yaml: [3].cidr: expected a CIDR or address ..., got "x" (line 12)`.
 * An empty file is an empty list, so operators can clear the list without deleting the file.
 */
export function readAllowListFile(absolutePath: string, shownAs: string): AllowListRow[] {
  let text: string;
  try {
    text = readFileSync(absolutePath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(`${shownAs}: cannot read allow-list file: ${code}`, { cause: err });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const pos = lineCounter.linePos(first.pos[0]);
    throw new ConfigError(`${shownAs}:${pos.line}:${pos.col}: invalid YAML: ${first.message.split('\n')[0]}`);
  }
  const lineOf = (fieldPath: PropertyKey[]): string => {
    const node = doc.getIn(fieldPath as unknown[], true);
    const offset = isScalar(node) || isMap(node) || isSeq(node) ? node.range?.[0] : undefined;
    return offset === undefined ? '' : ` (line ${lineCounter.linePos(offset).line})`;
  };
  const parsed = allowListFileSchema.safeParse(doc.toJS() ?? [], { reportInput: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const { fieldPath, message } = describeIssue(issue, allowListFileSchema);
      return `${shownAs}: ${formatPath(fieldPath)}: ${message}${lineOf(fieldPath)}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  return parsed.data.map((entry, i) => ({ entry, origin: `${shownAs}: [${i}]` }));
}
