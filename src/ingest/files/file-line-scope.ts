import { InputError } from '../../core/errors.js';
import type { FlowSource } from '../../core/flow-record.js';
import { type DecodeReason, RecordScope, recordError } from '../kafka/decode-context.js';

type InputErrorCode = ConstructorParameters<typeof InputError>[0];

/**
 * A {@link RecordScope} for one line of a flow file, so the Kafka record converters
 * (`decodeZeekRecord`, `decodeTapwatchRecord`) are reused unchanged for files. Errors read
 * `file:line: field: detail` and decoded flows point at the file and line.
 */
export class FileLineScope extends RecordScope {
  readonly #path: string;
  readonly #line: number;
  readonly #sourceFormat: string;

  constructor(path: string, line: number, decoder: 'zeek' | 'tapwatch', sourceFormat: string = decoder) {
    super({ topic: path, partition: 0, offset: String(line) }, decoder, line);
    this.#path = path;
    this.#line = line;
    this.#sourceFormat = sourceFormat;
  }

  /** `offset` carries the 1-based line number: FlowSource has no line field of its own. */
  override source(): FlowSource {
    return { format: this.#sourceFormat, origin: this.#path, offset: String(this.#line) };
  }

  override fail(reason: DecodeReason, path: string, detail: string): never {
    // Same code and reason as a Kafka record error; the Kafka wording (`topic[0]@offset: record N`)
    // would be confusing for a file, so the message names the file and line instead.
    const { code } = recordError(this.origin, this.record, reason, path, detail);
    const field = path === '' ? '' : `${path}: `;
    throw new InputError(code as InputErrorCode, reason, `${this.#path}:${this.#line}: ${field}${detail}`);
  }
}
