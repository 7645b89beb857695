import type { KafkaMessage } from 'kafkajs';
import type { FlowRecord } from '../../core/flow-record.js';
import type { DeadLetter } from './dead-letter-producer.js';
import type { FlowFormatSetting } from './decode-context.js';
import { decodeMessage } from './decode-message.js';

/** Counters the decoder feeds; the composition root maps them onto Prometheus metrics. */
export interface DecodeCounters {
  /** Flows decoded since the last {@link MessageDecoder.flushCounts}, per format. */
  records(format: string, count: number): void;
  /** One bad record. */
  decodeError(format: string, reason: string): void;
}

/** Rate-limited warning for bad input; keys come from a small fixed set (`format:reason`). */
export type BadInputLog = (key: string, msg: string, fields: Record<string, unknown>) => void;

/** What one message became: its flows, and the dead letter to produce when some records were bad. */
export interface DecodedMessage {
  flows: FlowRecord[];
  deadLetter?: DeadLetter;
}

const EMPTY = Buffer.alloc(0);

/**
 * Decodes Kafka messages of the configured topics with each topic's format, counts flows and
 * errors, and turns a message with bad records into one dead letter (the whole message, reason of
 * its first error). Never throws: bad input is data, not a failure of the consumer. Flow counts
 * are summed and reported by {@link flushCounts}, which the consumer calls once per fetched batch.
 */
export class MessageDecoder {
  readonly #formats: ReadonlyMap<string, FlowFormatSetting>;
  readonly #maxMessageBytes: number;
  readonly #counters: DecodeCounters;
  readonly #log: BadInputLog;
  readonly #records = new Map<string, number>();

  constructor(options: {
    formats: ReadonlyMap<string, FlowFormatSetting>;
    maxMessageBytes: number;
    counters: DecodeCounters;
    log: BadInputLog;
  }) {
    this.#formats = options.formats;
    this.#maxMessageBytes = options.maxMessageBytes;
    this.#counters = options.counters;
    this.#log = options.log;
  }

  decode(topic: string, partition: number, message: KafkaMessage): DecodedMessage {
    const value = message.value ?? EMPTY;
    const format = this.#formats.get(topic) ?? 'auto';
    const origin = { topic, partition, offset: message.offset };
    const result = decodeMessage(value, format, origin, { maxMessageBytes: this.#maxMessageBytes });
    if (result.flows.length > 0) {
      this.#records.set(result.format, (this.#records.get(result.format) ?? 0) + result.flows.length);
    }
    const first = result.errors[0];
    if (first === undefined) return { flows: result.flows };
    for (const err of result.errors) this.#counters.decodeError(result.format, err.reason);
    this.#log(`${result.format}:${first.reason}`, 'undecodable Kafka message', {
      format: result.format,
      reason: first.reason,
      error: first.message,
      badRecords: result.errors.length,
    });
    return {
      flows: result.flows,
      deadLetter: {
        topic,
        partition,
        offset: message.offset,
        timestamp: message.timestamp,
        key: message.key ?? null,
        value: message.value,
        reason: first.reason,
        detail: first.message,
        badRecords: result.errors.length,
      },
    };
  }

  /** Report the flows decoded since the last call to the `records` counter. */
  flushCounts(): void {
    for (const [format, count] of this.#records) this.#counters.records(format, count);
    this.#records.clear();
  }
}
