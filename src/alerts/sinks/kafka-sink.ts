import { CompressionTypes, type Message, type Producer } from 'kafkajs';
import { SinkError } from '../../core/errors.js';
import type { Alert } from '../alert.js';
import { ECS_VERSION } from '../build-alert.js';
import { type FormatAlertOptions, formatAlertText } from '../formats/format-alert.js';
import { OCSF_VERSION } from '../formats/format-ocsf.js';
import type { AlertLogFn, AlertSink } from './alert-sink.js';
import { backoffDelayMs } from './backoff.js';
import { isLogWorthy } from './log-worthy.js';

/** JSON alert formats a SIEM topic carries. */
export type KafkaAlertFormat = 'ecs' | 'ocsf' | 'eve';

/** Options of {@link KafkaSink}; the producer is built (and owned) by the caller's connection setup. */
export interface KafkaSinkOptions {
  producer: Producer;
  topic: string;
  format: KafkaAlertFormat;
  compression: 'none' | 'gzip';
  acks: 'all' | 'leader' | 'none';
  lingerMs: number;
  maxBatchAlerts: number;
  flushTimeoutMs: number;
  formatOptions?: FormatAlertOptions;
  log: AlertLogFn;
  /** One failed produce request (then retried). */
  onProduceError?: (topic: string) => void;
  /** Alerts the broker acknowledged, and when. */
  onAcknowledged?: (alerts: readonly Alert[], atMs: number) => void;
}

/** `tapwatch-schema` header per format, so consumers can route without parsing the body. */
export const KAFKA_ALERT_SCHEMAS: Readonly<Record<KafkaAlertFormat, string>> = {
  ecs: `ecs-${ECS_VERSION.split('.').slice(0, 2).join('.')}`,
  ocsf: `ocsf-${OCSF_VERSION.split('.').slice(0, 2).join('.')}`,
  eve: 'eve',
};

const ACKS = { all: -1, leader: 1, none: 0 } as const;
const RETRY = { initialDelayMs: 250, maxDelayMs: 10_000 };

interface Pending {
  alert: Alert;
  message: Message;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Alerts to a SIEM Kafka topic, keyed by segment, with content-type and schema headers. Writes are
 * collected for `lingerMs` and sent as one request; each `write()` resolves only once the broker
 * acknowledged its alert, so the daemon commits input offsets after the alerts are safe. A failed
 * request is counted and retried with backoff until it succeeds or the sink closes — a SIEM broker
 * that is away holds the pipeline (and so the input) instead of losing alerts.
 */
export class KafkaSink implements AlertSink {
  readonly name = 'kafka';
  readonly #o: KafkaSinkOptions;
  readonly #headers: Record<string, string>;
  #batch: Pending[] = [];
  /** Cancels the pending linger wait, if any. */
  #cancelLinger: (() => void) | undefined;
  #sending: Promise<void> = Promise.resolve();
  #failures = 0;
  #closing: Promise<void> | undefined;
  #giveUp = false;

  constructor(options: KafkaSinkOptions) {
    this.#o = options;
    this.#headers = {
      'content-type': 'application/json',
      'tapwatch-schema': KAFKA_ALERT_SCHEMAS[options.format],
    };
  }

  /** Alerts that could not be delivered at all (rejected writes), since start. */
  get failures(): number {
    return this.#failures;
  }

  write(alert: Alert): Promise<void> {
    if (this.#closing !== undefined)
      return Promise.reject(new SinkError(`kafka ${this.#o.topic}: write after close`));
    return new Promise<void>((resolve, reject) => {
      const message: Message = {
        key: alert.labels.segment,
        value: formatAlertText(alert, this.#o.format, this.#o.formatOptions),
        headers: this.#headers,
        // Produce time, not event time: a replayed old alert must not fall to time-based retention at once.
        timestamp: String(Date.now()),
      };
      this.#batch.push({ alert, message, resolve, reject });
      if (this.#batch.length >= this.#o.maxBatchAlerts) this.#sendNow();
      // With no linger, the alerts written in this turn of the event loop (the pipeline hands a
      // whole batch's alerts over at once) still go out as one request.
      else this.#cancelLinger ??= this.#linger();
    });
  }

  /** Resolves once every alert written so far was acknowledged (or failed). */
  async flush(): Promise<void> {
    this.#sendNow();
    await this.#sending;
  }

  /** Flush within `flushTimeoutMs`, then give up on what is left (those writes reject). */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const deadline = setTimeout(() => {
        this.#giveUp = true;
      }, this.#o.flushTimeoutMs);
      await this.flush();
      clearTimeout(deadline);
    })();
    return this.#closing;
  }

  #linger(): () => void {
    if (this.#o.lingerMs === 0) {
      const immediate = setImmediate(() => this.#sendNow());
      return () => clearImmediate(immediate);
    }
    const timer = setTimeout(() => this.#sendNow(), this.#o.lingerMs);
    return () => clearTimeout(timer);
  }

  #sendNow(): void {
    this.#cancelLinger?.();
    this.#cancelLinger = undefined;
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    // One request at a time keeps alerts in order per segment key across retries.
    this.#sending = this.#sending.then(() => this.#deliver(batch));
  }

  async #deliver(batch: Pending[]): Promise<void> {
    const { producer, topic, compression, acks } = this.#o;
    for (let attempt = 0; ; attempt++) {
      try {
        await producer.send({
          topic,
          acks: ACKS[acks],
          compression: compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
          messages: batch.map((p) => p.message),
        });
        this.#o.onAcknowledged?.(
          batch.map((p) => p.alert),
          Date.now(),
        );
        for (const p of batch) p.resolve();
        return;
      } catch (err) {
        this.#o.onProduceError?.(topic);
        if (isLogWorthy(attempt + 1)) {
          this.#o.log('warn', `kafka alert sink: produce to ${topic} failed; retrying`, {
            topic,
            attempt: attempt + 1,
            alerts: batch.length,
            error: (err as Error).message,
          });
        }
        if (this.#giveUp) {
          this.#failures += batch.length;
          const failure = new SinkError(`kafka ${topic}: ${batch.length} alerts not acknowledged`, {
            cause: err,
          });
          for (const p of batch) p.reject(failure);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(attempt, RETRY)));
      }
    }
  }
}
