import type { InputError } from '../../core/errors.js';
import type { FlowRecord } from '../../core/flow-record.js';
import {
  asRecordError,
  type DecodeResult,
  type FlowFormat,
  type FlowFormatSetting,
  MAX_CONSECUTIVE_BAD_RECORDS,
  type MessageOrigin,
  RecordScope,
  recordError,
  showValue,
} from './decode-context.js';
import { decodeEveRecord } from './decode-eve.js';
import { decodeGoflow2JsonRecord } from './decode-goflow2-json.js';
import { decodeGoflow2Protobuf } from './decode-goflow2-pb.js';
import { decodeTapwatchRecord } from './decode-tapwatch.js';
import { decodeZeekRecord } from './decode-zeek.js';
import { detectJsonFormat, looksLikeJson } from './detect-format.js';
import { isJsonObject, type JsonObject } from './json-fields.js';
import { parseJsonRecords } from './json-records.js';
import { readZeekConnBytes } from './zeek-conn-bytes.js';

/** Largest message value decoded by default (1 MiB); larger ones are rejected as `oversized`. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_576;

export interface DecodeOptions {
  /** Largest message value, in bytes, that is decoded; larger ones yield one `oversized` error. */
  maxMessageBytes?: number;
}

type JsonFormat = Exclude<FlowFormat, 'goflow2-pb'>;

const JSON_CONVERTERS: Readonly<Record<JsonFormat, (record: JsonObject, scope: RecordScope) => FlowRecord>> =
  {
    'goflow2-json': decodeGoflow2JsonRecord,
    eve: decodeEveRecord,
    zeek: decodeZeekRecord,
    tapwatch: decodeTapwatchRecord,
  };

/**
 * Decodes one Kafka message value into FlowRecords. `format` is the topic's configured format, or
 * `auto` to tell binary goflow2 protobuf from JSON per message and the JSON formats per record by
 * their keys. Never throws: a bad record yields an InputError (with a short `reason` for the
 * `input_decode_errors_total` counter) beside the flows of the good records, and a message over
 * `maxMessageBytes` yields one `oversized` error without being read. Every flow's `source` names
 * the format, topic, partition and offset.
 */
export function decodeMessage(
  value: Uint8Array,
  format: FlowFormatSetting,
  origin: MessageOrigin,
  options: DecodeOptions = {},
): DecodeResult {
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (value.length > maxBytes) {
    const detail = `message is ${value.length} bytes, more than the limit of ${maxBytes}`;
    return {
      flows: [],
      errors: [recordError(origin, 0, 'oversized', '', detail)],
      format: fixedOrUnknown(format),
    };
  }
  try {
    if (format === 'goflow2-pb' || (format === 'auto' && !looksLikeJson(value))) {
      return decodeGoflow2Protobuf(value, origin);
    }
    if (format === 'zeek' || format === 'auto') {
      // Most Zeek messages are one flat record that is read without parsing its whole text.
      const flow = readZeekConnBytes(value, origin, format === 'auto');
      if (flow !== undefined) return { flows: [flow], errors: [], format: 'zeek' };
    }
    return decodeJsonMessage(value, format === 'auto' ? undefined : format, origin);
  } catch (err) {
    // Converters report through RecordScope; reaching here means a decoder bug, still not fatal.
    return { flows: [], errors: [asRecordError(origin, 0, err)], format: fixedOrUnknown(format) };
  }
}

function fixedOrUnknown(format: FlowFormatSetting): FlowFormat | 'unknown' {
  return format === 'auto' ? 'unknown' : format;
}

/** Every JSON record of a message, in `fixed` format or each in the format its keys show. */
function decodeJsonMessage(
  value: Uint8Array,
  fixed: JsonFormat | undefined,
  origin: MessageOrigin,
): DecodeResult {
  const flows: FlowRecord[] = [];
  const errors: InputError[] = [];
  let seen: FlowFormat | undefined = fixed;
  const pieces = parseJsonRecords(value);
  // errors.length when the last good record was decoded: the distance to it is the bad run.
  let goodErrorMark = 0;
  for (let i = 0; i < pieces.length; i++) {
    const record = i + 1;
    const piece = pieces[i];
    if (errors.length - goodErrorMark >= MAX_CONSECUTIVE_BAD_RECORDS) {
      const detail = `${MAX_CONSECUTIVE_BAD_RECORDS} records in a row failed; the remaining ${pieces.length - i} are skipped`;
      errors.push(recordError(origin, record, piece.ok ? 'wrong_type' : 'not_json', '', detail));
      break;
    }
    if (!piece.ok) {
      errors.push(recordError(origin, record, 'not_json', '', piece.detail));
      continue;
    }
    if (!isJsonObject(piece.value)) {
      errors.push(
        recordError(
          origin,
          record,
          'wrong_type',
          '',
          `expected a JSON object, got ${showValue(piece.value)}`,
        ),
      );
      continue;
    }
    const format = fixed ?? detectJsonFormat(piece.value);
    if (format === undefined || format === 'goflow2-pb') {
      const detail = 'expected keys of goflow2, Suricata EVE, Zeek conn.log or tapwatch JSON, found none';
      errors.push(recordError(origin, record, 'unknown_format', '', detail));
      continue;
    }
    seen ??= format;
    const scope = new RecordScope(origin, format, record);
    try {
      flows.push(JSON_CONVERTERS[format](piece.value, scope));
      goodErrorMark = errors.length;
    } catch (err) {
      errors.push(asRecordError(origin, record, err));
    }
  }
  return { flows, errors, format: seen ?? 'unknown' };
}
