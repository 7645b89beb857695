import { InputError } from '../../core/errors.js';
import type { FlowRecord, FlowSource } from '../../core/flow-record.js';

/** A flow format one Kafka message value can carry. */
export type FlowFormat = 'goflow2-pb' | 'goflow2-json' | 'eve' | 'zeek' | 'tapwatch';

/** A topic's configured format: fixed, or detected per message (`auto`). */
export type FlowFormatSetting = FlowFormat | 'auto';

/** Every format a topic can be configured with, `auto` last. */
export const FLOW_FORMAT_SETTINGS: readonly FlowFormatSetting[] = [
  'goflow2-pb',
  'goflow2-json',
  'eve',
  'zeek',
  'tapwatch',
  'auto',
];

/** Where a Kafka message came from; the offset stays a string as kafkajs gives it (int64). */
export interface MessageOrigin {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * What one message decoded to: the good flows, and one error per bad record (or one for the
 * whole message when it cannot be framed at all). `format` is the format that was applied, or
 * `unknown` when auto-detection found none; it is the `format` label of the error counter.
 */
export interface DecodeResult {
  flows: FlowRecord[];
  errors: InputError[];
  format: FlowFormat | 'unknown';
}

/** Short fixed labels of `InputError.reason` the decoders use (metric label values). */
export type DecodeReason =
  | 'not_json'
  | 'bad_protobuf'
  | 'missing_field'
  | 'wrong_type'
  | 'oversized'
  | 'unsupported_event'
  | 'unknown_format'
  | 'bad_address'
  | 'not_ip'
  | 'decode_failed';

/**
 * A message whose records fail this many times in a row is abandoned with one more error: a
 * mis-configured topic (JSON read as protobuf, one-byte "frames" of garbage) would otherwise turn
 * each message into thousands of errors and dead-letter log lines.
 */
export const MAX_CONSECUTIVE_BAD_RECORDS = 100;

const CORRUPT_REASONS: ReadonlySet<string> = new Set(['not_json', 'bad_protobuf', 'decode_failed']);

/**
 * Position of one record inside one message, and the way a decoder rejects it. `fail` throws an
 * InputError whose message reads `topic[partition]@offset: record N: path: detail`; the message
 * loop catches it, so nothing but InputError ever leaves a decoder.
 */
export class RecordScope {
  readonly origin: MessageOrigin;
  readonly format: FlowFormat;
  /** 1-based ordinal of the record within the message, as capture errors count packets. */
  readonly record: number;

  constructor(origin: MessageOrigin, format: FlowFormat, record: number) {
    this.origin = origin;
    this.format = format;
    this.record = record;
  }

  /** The `source` every decoded FlowRecord carries, so alerts point back to the message. */
  source(): FlowSource {
    return {
      format: this.format,
      origin: this.origin.topic,
      partition: this.origin.partition,
      offset: this.origin.offset,
    };
  }

  /** Rejects the record: `path` names the field, `detail` says what was expected and what came. */
  fail(reason: DecodeReason, path: string, detail: string): never {
    throw recordError(this.origin, this.record, reason, path, detail);
  }
}

/** `flows-zeek[3]@1234`: how messages are named in error text. */
export function describeOrigin(origin: MessageOrigin): string {
  return `${origin.topic}[${origin.partition}]@${origin.offset}`;
}

/** An error about one record (`record` ≥ 1) or about the whole message (`record` 0). */
export function recordError(
  origin: MessageOrigin,
  record: number,
  reason: DecodeReason,
  path: string,
  detail: string,
  cause?: unknown,
): InputError {
  const code = CORRUPT_REASONS.has(reason)
    ? 'TAPWATCH_INPUT_CORRUPT'
    : reason === 'oversized'
      ? 'TAPWATCH_INPUT_UNREADABLE'
      : 'TAPWATCH_INPUT_MALFORMED';
  const where = record > 0 ? `${describeOrigin(origin)}: record ${record}` : describeOrigin(origin);
  const field = path === '' ? '' : `${path}: `;
  return new InputError(code, reason, `${where}: ${field}${detail}`, { cause });
}

/**
 * Turns whatever a record converter threw into the error list entry: its own InputError as is,
 * anything else (a decoder bug) wrapped so it is still counted and dead-lettered, not thrown.
 */
export function asRecordError(origin: MessageOrigin, record: number, thrown: unknown): InputError {
  if (thrown instanceof InputError) return thrown;
  const detail = thrown instanceof Error ? thrown.message : String(thrown);
  return recordError(origin, record, 'decode_failed', '', `decoder failed: ${detail}`, thrown);
}

/** Short, safe rendering of an offending value for error text (long strings are cut). */
export function showValue(value: unknown): string {
  let text: string;
  if (value === undefined) return 'nothing';
  try {
    text = typeof value === 'bigint' ? `${value}` : (JSON.stringify(value) ?? String(value));
  } catch (err) {
    // Cyclic or exotic values cannot come from JSON.parse, but say so rather than fail.
    text = `<unprintable ${typeof value}: ${err instanceof Error ? err.message : 'error'}>`;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
