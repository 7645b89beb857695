import { type IHeaders, type Kafka, Partitioners, type Producer } from 'kafkajs';

/** One message that could not be decoded, with where it came from and why. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  /** Kafka message timestamp (epoch ms as text, as kafkajs gives it). */
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Short fixed label (`not_json`, `bad_protobuf`, `oversized`, …), the metric's `reason`. */
  reason: string;
  /** The first error's message: topic, partition, offset, record, field and what was wrong. */
  detail: string;
  /** Bad records in the message (a multi-record message may have good ones too). */
  badRecords: number;
}

/** Header names on dead-lettered messages, so consumers of the topic can filter and replay. */
export const DEAD_LETTER_HEADERS = {
  reason: 'tapwatch-error-reason',
  detail: 'tapwatch-error-detail',
  badRecords: 'tapwatch-error-records',
  topic: 'tapwatch-original-topic',
  partition: 'tapwatch-original-partition',
  offset: 'tapwatch-original-offset',
  timestamp: 'tapwatch-original-timestamp',
} as const;

/** Error text is cut to this many characters: it names the field, not the whole payload. */
const MAX_DETAIL_CHARS = 512;

/**
 * Produces undecodable messages, unchanged, to the dead-letter topic with the reason and the
 * original position in headers. `send` resolves after the broker acknowledged, so the caller can
 * hold back the offset commit until the bad message is safe somewhere.
 */
export class DeadLetterProducer {
  readonly topic: string;
  readonly #producer: Producer;
  #connected: Promise<void> | undefined;

  constructor(kafka: Kafka, topic: string) {
    this.topic = topic;
    // Not idempotent: a duplicate dead letter after a retry is harmless, and it keeps this
    // producer usable with brokers that restrict idempotent writes.
    this.#producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: true,
    });
  }

  /** Produce the dead letters in one request; rejects when the broker did not take them. */
  async send(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    this.#connected ??= this.#producer.connect();
    await this.#connected;
    await this.#producer.send({
      topic: this.topic,
      acks: -1,
      messages: letters.map((letter) => ({
        key: letter.key,
        value: letter.value,
        headers: headersOf(letter),
      })),
    });
  }

  /** Disconnect the producer; safe to call when it never connected. */
  async close(): Promise<void> {
    if (this.#connected === undefined) return;
    await this.#producer.disconnect();
  }
}

function headersOf(letter: DeadLetter): IHeaders {
  const h = DEAD_LETTER_HEADERS;
  return {
    [h.reason]: letter.reason,
    [h.detail]: letter.detail.slice(0, MAX_DETAIL_CHARS),
    [h.badRecords]: String(letter.badRecords),
    [h.topic]: letter.topic,
    [h.partition]: String(letter.partition),
    [h.offset]: letter.offset,
    [h.timestamp]: letter.timestamp,
  };
}
