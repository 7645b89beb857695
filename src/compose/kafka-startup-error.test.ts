import { describe, expect, it } from 'vitest';
import type { KafkaInputConfig } from '../config/kafka-schema.js';
import { kafkaStartupError } from './kafka-startup-error.js';

const kc = {
  brokers: ['kafka-1:9093', 'kafka-2:9093'],
  sasl: { mechanism: 'scram-sha-512', username: 'tapwatch', password: 's3cret' },
} as unknown as KafkaInputConfig;

function kafkaJsError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}

describe('kafkaStartupError', () => {
  it('names brokers, mechanism, user and the config field when the login is refused', () => {
    const err = kafkaStartupError(
      kafkaJsError(
        'KafkaJSSASLAuthenticationError',
        'SASL SCRAM SHA512 authentication failed: invalid credentials',
      ),
      kc,
    ) as Error;
    expect(err.message).toBe(
      'Kafka kafka-1:9093,kafka-2:9093 (input.kafka.brokers): SASL scram-sha-512 login as "tapwatch" refused ' +
        '(input.kafka.sasl): SASL SCRAM SHA512 authentication failed: invalid credentials',
    );
    expect(err.message).not.toContain('s3cret');
  });

  it('points at input.kafka.tls for a certificate problem nested in a retry error', () => {
    const tls = kafkaJsError('Error', "Hostname/IP does not match certificate's altnames");
    const conn = kafkaJsError('KafkaJSConnectionError', 'Connection error', { originalError: tls });
    const err = kafkaStartupError(
      kafkaJsError('KafkaJSNumberOfRetriesExceeded', 'retries', { cause: conn }),
      kc,
    );
    expect((err as Error).message).toMatch(
      /^Kafka kafka-1:9093,kafka-2:9093 \(input\.kafka\.brokers\): TLS handshake failed \(input\.kafka\.tls\): Hostname/,
    );
  });

  it('says the listener does not take SASL when the broker answers ILLEGAL_SASL_STATE', () => {
    const err = kafkaStartupError(
      kafkaJsError('KafkaJSProtocolError', 'Request is not valid given the current SASL state', {
        type: 'ILLEGAL_SASL_STATE',
      }),
      kc,
    );
    expect((err as Error).message).toContain(
      'the listener does not accept SASL scram-sha-512 login as "tapwatch"',
    );
  });

  it('reports unreachable brokers and leaves other errors alone', () => {
    const refused = kafkaJsError('KafkaJSConnectionError', 'connect ECONNREFUSED 127.0.0.1:9092');
    expect((kafkaStartupError(refused, kc) as Error).message).toContain(
      'brokers unreachable: connect ECONNREFUSED',
    );
    const other = new TypeError('boom');
    expect(kafkaStartupError(other, kc)).toBe(other);
  });
});
