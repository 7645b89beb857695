import { readFileSync } from 'node:fs';
import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';
import type { KafkaInputConfig } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import type { RateLimitedLogger } from '../telemetry/rate-limited-logger.js';

/**
 * Defaults chosen for a daemon that must notice a lost broker quickly and keep retrying: short
 * connection timeouts, and a retry budget of roughly half a minute before kafkajs restarts the
 * consumer (it always restarts on retriable errors). `input.kafka.client` overrides any of them.
 */
const CLIENT_DEFAULTS: Partial<KafkaConfig> = {
  connectionTimeout: 3000,
  requestTimeout: 30_000,
  retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: 8 },
};

/**
 * The one kafkajs client for the consumer, producers and admin, from `input.kafka`: brokers,
 * TLS files, SASL (the password goes to kafkajs only: it is never logged, and kafkajs's own log
 * lines are routed through a rate-limited logger that redacts secrets), then the raw settings.
 * @throws ConfigError naming the TLS file that cannot be read
 */
export function createKafkaClient(config: KafkaInputConfig, logs: RateLimitedLogger): Kafka {
  const settings: KafkaConfig = {
    ...CLIENT_DEFAULTS,
    ...(config.client as Partial<KafkaConfig>),
    brokers: [...config.brokers],
    clientId: config.clientId,
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const level = entry.level <= logLevel.ERROR ? 'error' : 'warn';
      const { message, ...fields } = entry.log;
      logs.log(`kafkajs:${entry.namespace}:${message}`, level, `kafkajs: ${message}`, {
        namespace: entry.namespace,
        ...fields,
      });
    },
  };
  if (config.tls.enabled) settings.ssl = tlsOptions(config.tls);
  const sasl = saslOptions(config.sasl);
  if (sasl) settings.sasl = sasl;
  return new Kafka(settings);
}

function tlsOptions(tls: KafkaInputConfig['tls']): NonNullable<KafkaConfig['ssl']> {
  const read = (file: string, field: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(
        `input.kafka.tls.${field}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        { cause: err },
      );
    }
  };
  return {
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.caFile ? { ca: [read(tls.caFile, 'caFile')] } : {}),
    ...(tls.certFile ? { cert: read(tls.certFile, 'certFile') } : {}),
    ...(tls.keyFile ? { key: read(tls.keyFile, 'keyFile') } : {}),
    ...(tls.serverName ? { servername: tls.serverName } : {}),
  };
}

function saslOptions(sasl: KafkaInputConfig['sasl']): SASLOptions | undefined {
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'none':
      return undefined;
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}
