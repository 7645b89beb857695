import type { KafkaInputConfig } from '../config/kafka-schema.js';
import { InputError } from '../core/errors.js';

/** The fields of a kafkajs error this module reads; kafkajs nests causes in `originalError` or `cause`. */
interface KafkaJsError {
  name?: string;
  type?: string;
  message?: string;
  originalError?: unknown;
  cause?: unknown;
}

/**
 * Turns a kafkajs failure while connecting at startup into one line that names the brokers, what went
 * wrong and the config field to look at; kafkajs's own messages name neither. Secrets never appear:
 * the line carries the mechanism and user name only. Anything not recognised is returned unchanged.
 */
export function kafkaStartupError(err: unknown, kc: KafkaInputConfig): unknown {
  const chain = causes(err);
  const innermost = chain.at(-1) ?? {};
  const detail = innermost.message ?? String(err);
  const what = problem(chain, kc);
  if (what === undefined) return err;
  return new InputError(
    'TAPWATCH_INPUT_UNREADABLE',
    'kafka_connect',
    `Kafka ${kc.brokers.join(',')} (input.kafka.brokers): ${what}: ${detail}`,
    { cause: err },
  );
}

function problem(chain: KafkaJsError[], kc: KafkaInputConfig): string | undefined {
  const names = new Set(chain.map((e) => e.name));
  const text = chain.map((e) => e.message ?? '').join(' ');
  const login = `SASL ${kc.sasl.mechanism} login as "${kc.sasl.username}"`;
  if (names.has('KafkaJSSASLAuthenticationError')) return `${login} refused (input.kafka.sasl)`;
  if (chain.some((e) => e.type === 'ILLEGAL_SASL_STATE' || e.type === 'UNSUPPORTED_SASL_MECHANISM'))
    return `the listener does not accept ${login} (input.kafka.sasl; a plaintext or other-mechanism port?)`;
  if (/SSL|TLS|certificate|altnames|self[- ]signed/i.test(text))
    return `TLS handshake failed (input.kafka.tls)`;
  if (names.has('KafkaJSConnectionError') || names.has('KafkaJSNumberOfRetriesExceeded'))
    return 'brokers unreachable';
  return undefined;
}

function causes(err: unknown): KafkaJsError[] {
  const chain: KafkaJsError[] = [];
  let current: unknown = err;
  while (current !== null && typeof current === 'object' && chain.length < 8) {
    const e = current as KafkaJsError;
    chain.push(e);
    current = e.originalError ?? e.cause;
  }
  return chain;
}
