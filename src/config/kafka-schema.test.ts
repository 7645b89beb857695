import { describe, expect, it } from 'vitest';
import { parseConfig } from './load-config.js';

const parse = (text: string, env: Record<string, string> = {}) =>
  parseConfig(text, 'k.yaml', '/etc/tapwatch/k.yaml', env);

describe('Kafka config', () => {
  it('defaults to Kafka off', () => {
    const { config } = parse('{}');
    expect(config.input.kafka.topics).toEqual([]);
    expect(config.alerts.kafka).toMatchObject({
      enabled: false,
      format: 'ecs',
      idempotent: true,
      acks: 'all',
    });
    expect(config.scaleOut.enabled).toBe(false);
  });

  it('reads topics, security from the environment and relative TLS files', () => {
    const { config } = parse(
      `input:
  kafka:
    brokers: [kafka:9092]
    topics: [{ name: flows, format: goflow2-pb }, { name: zeek }]
    tls: { enabled: true, caFile: ca.pem }
    sasl: { mechanism: scram-sha-512, username: tw, password: "\${KAFKA_PASSWORD}" }
`,
      { KAFKA_PASSWORD: 's3cret' },
    );
    expect(config.input.kafka.topics).toEqual([
      { name: 'flows', format: 'goflow2-pb' },
      { name: 'zeek', format: 'auto' },
    ]);
    expect(config.input.kafka.tls.caFile).toBe('/etc/tapwatch/ca.pem');
    expect(config.input.kafka.sasl.password).toBe('s3cret');
  });

  it('rejects capture files and Kafka topics together', () => {
    expect(() =>
      parse(
        'input:\n  capture: { files: [a.pcap] }\n  kafka: { brokers: [k:9092], topics: [{ name: flows }] }\n',
      ),
    ).toThrow('k.yaml: input: expected capture files or Kafka topics, not both');
  });

  it('names the field when Kafka features lack brokers or settings', () => {
    expect(() => parse('alerts:\n  kafka: { enabled: true }\n')).toThrow(
      'input.kafka.brokers: expected at least one broker because alerts.kafka.enabled is set',
    );
    expect(() => parse('input:\n  kafka: { brokers: [k:9092] }\nscaleOut: { enabled: true }\n')).toThrow(
      'scaleOut.enabled: expected input.kafka.topics to re-key',
    );
    expect(() => parse('alerts:\n  kafka: { acks: leader }\n')).toThrow(
      'alerts.kafka.acks: expected "all" when idempotent',
    );
    expect(() => parse('input:\n  kafka: { sasl: { mechanism: plain } }\n')).toThrow('input.kafka.sasl');
    expect(() => parse('input:\n  kafka: { client: { brokers: [x:1] } }\n')).toThrow(
      'input.kafka.client.brokers',
    );
    expect(() => parse('input:\n  kafka: { topics: [{ name: "bad topic" }] }\n')).toThrow(
      'input.kafka.topics[0].name',
    );
  });
});
