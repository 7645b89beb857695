import { z } from 'zod';

/**
 * The Kafka parts of the config: `input.kafka` (consumer group, formats, security), `alerts.kafka`
 * (the SIEM topic) and `scaleOut` (re-keying by segment and the state topic). Kept apart from
 * `schema.ts` only for size; `schema.ts` composes them into the one config schema.
 */

const positiveInt = z.number().int().positive();
const nonNegative = z.number().nonnegative();

/** Kafka topic names: what the broker accepts (Kafka's `Topic.validate`). */
const topicName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, 'a topic name of 1-249 letters, digits, ".", "_" or "-"');
const brokerAddress = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'host:port, e.g. kafka-1:9092');

/** Settings tapwatch owns; the raw pass-through maps may not override them. */
const RESERVED_CLIENT_KEYS = ['brokers', 'clientId', 'ssl', 'sasl', 'logCreator', 'logLevel'];
const RESERVED_CONSUMER_KEYS = ['groupId'];
/** TLS fields that only take effect with `tls.enabled`. */
const TLS_SETTINGS = ['caFile', 'certFile', 'keyFile', 'serverName'] as const;

export const kafkaTopicSchema = z.strictObject({
  /** Topic to consume. */
  name: topicName,
  /** Message format; auto tells goflow2 protobuf from JSON per message and JSON formats per record. */
  format: z.enum(['auto', 'goflow2-pb', 'goflow2-json', 'eve', 'zeek', 'tapwatch']).default('auto'),
});

export const kafkaTlsSchema = z.strictObject({
  /** Connect with TLS. */
  enabled: z.boolean().default(false),
  /** PEM file of the CA(s) that signed the brokers' certificates; empty = the system's CAs. */
  caFile: z.string().default(''),
  /** PEM client certificate for mutual TLS; empty = none. */
  certFile: z.string().default(''),
  /** PEM private key of `certFile`. */
  keyFile: z.string().default(''),
  /** Name checked against the broker certificate (SNI) when it differs from the broker host. */
  serverName: z.string().default(''),
  /** Reject brokers whose certificate does not verify; turn off only for a test cluster. */
  rejectUnauthorized: z.boolean().default(true),
});

export const kafkaSaslSchema = z.strictObject({
  /** SASL mechanism; none disables SASL. Use it over TLS: plain sends the password as is. */
  mechanism: z.enum(['none', 'plain', 'scram-sha-256', 'scram-sha-512']).default('none'),
  /** SASL user, e.g. "${TAPWATCH_KAFKA_USER}". */
  username: z.string().default(''),
  /** SASL password; give it as "${TAPWATCH_KAFKA_PASSWORD}". Never logged. */
  password: z.string().default(''),
});

export const kafkaInputSchema = z
  .strictObject({
    /** Bootstrap brokers, host:port. Also used by `alerts.kafka` and `scaleOut`. */
    brokers: z.array(brokerAddress).default(() => []),
    /** Client id sent to the brokers (quotas, broker logs). */
    clientId: z.string().min(1).default('tapwatch'),
    /** Consumer group of the scoring consumers; instances with the same id share the partitions. */
    groupId: z.string().min(1).default('tapwatch'),
    /** Topics read by `tapwatch run`; empty = Kafka input off. */
    topics: z.array(kafkaTopicSchema).default(() => []),
    /** With no committed offset, start at the oldest record (true) or at new records only (false). */
    fromBeginning: z.boolean().default(false),
    /** Largest message value decoded; larger ones are dead-lettered as `oversized`. */
    maxMessageBytes: positiveInt.default(1_048_576),
    /** Records whose event time is this far behind the newest seen are counted as late (and still scored). */
    allowedLatenessSeconds: nonNegative.default(60),
    /** Decoded batches waiting for the pipeline; when full, the partitions feeding it are paused. */
    maxQueueBatches: positiveInt.default(16),
    /**
     * Batches that queued up while the pipeline was busy are merged into one of at most this many
     * flows: fewer, larger batches when behind (throughput), single fetches when keeping up (latency).
     */
    maxBatchFlows: positiveInt.default(10_000),
    /**
     * Longest a fetch waits on a partition with no new records; records are returned as soon as they
     * arrive. kafkajs also re-checks paused partitions at this interval, so a long wait delays reading
     * after the queue has drained.
     */
    fetchMaxWaitMs: positiveInt.default(100),
    /** Acknowledged offsets are committed together at most this often (lower = fewer re-reads after a crash). */
    commitIntervalMs: positiveInt.default(200),
    /** How often consumer lag (high-water mark minus committed offset) is measured. */
    lagIntervalSeconds: z.number().positive().default(15),
    /** Longest wait at shutdown for in-flight batches to be acknowledged and committed. */
    shutdownTimeoutMs: positiveInt.default(10_000),
    /** Topic that receives undecodable messages, with the reason in headers; empty = count and log only. */
    deadLetterTopic: z.union([topicName, z.literal('')]).default(''),
    tls: kafkaTlsSchema.prefault({}),
    sasl: kafkaSaslSchema.prefault({}),
    /** Raw kafkajs client settings merged over tapwatch's (e.g. connectionTimeout, requestTimeout, retry). */
    client: z.record(z.string(), z.unknown()).default(() => ({})),
    /** Raw kafkajs consumer settings merged over tapwatch's (e.g. sessionTimeout, maxBytesPerPartition). */
    consumer: z.record(z.string(), z.unknown()).default(() => ({})),
  })
  .check((ctx) => {
    const { value } = ctx;
    const reserved = (map: Record<string, unknown>, keys: string[], field: string) => {
      for (const key of keys.filter((k) => k in map)) {
        ctx.issues.push({
          code: 'custom',
          path: [field, key],
          message: `set by tapwatch from its own fields; use input.kafka.${key === 'ssl' ? 'tls' : key} instead`,
          input: map[key],
        });
      }
    };
    reserved(value.client, RESERVED_CLIENT_KEYS, 'client');
    reserved(value.consumer, RESERVED_CONSUMER_KEYS, 'consumer');
    const seen = new Set<string>();
    value.topics.forEach((topic, i) => {
      if (seen.has(topic.name)) {
        ctx.issues.push({
          code: 'custom',
          path: ['topics', i, 'name'],
          message: 'listed twice',
          input: topic.name,
        });
      }
      seen.add(topic.name);
    });
    if (value.sasl.mechanism !== 'none' && (value.sasl.username === '' || value.sasl.password === '')) {
      ctx.issues.push({
        code: 'custom',
        path: ['sasl'],
        message: `expected a username and a password for mechanism ${value.sasl.mechanism}`,
        input: value.sasl.mechanism,
      });
    }
    if (value.tls.certFile !== '' && value.tls.keyFile === '') {
      ctx.issues.push({
        code: 'custom',
        path: ['tls', 'keyFile'],
        message: 'expected a key file with certFile',
        input: '',
      });
    }
    if (value.tls.keyFile !== '' && value.tls.certFile === '') {
      ctx.issues.push({
        code: 'custom',
        path: ['tls', 'certFile'],
        message: 'expected a certificate file with keyFile',
        input: '',
      });
    }
    // TLS settings without `enabled: true` would be ignored and the brokers reached in plaintext.
    const tlsSet = TLS_SETTINGS.filter((key) => value.tls[key] !== '');
    if (!value.tls.enabled && tlsSet.length > 0) {
      ctx.issues.push({
        code: 'custom',
        path: ['tls', 'enabled'],
        message: `expected true when ${tlsSet.join(', ')} ${tlsSet.length === 1 ? 'is' : 'are'} set (without it the connection is not encrypted)`,
        input: false,
      });
    }
  });

export const kafkaAlertSinkSchema = z
  .strictObject({
    /** Produce alerts to a SIEM topic (brokers and security from input.kafka). */
    enabled: z.boolean().default(false),
    /** The SIEM topic; alerts are keyed by segment. */
    topic: topicName.default('tapwatch-alerts'),
    /** Message value: ECS (Elastic), OCSF Detection Finding (Security Lake, Splunk) or Suricata EVE alert. */
    format: z.enum(['ecs', 'ocsf', 'eve']).default('ecs'),
    /** Batch compression; kafkajs has gzip built in (others need a codec package). */
    compression: z.enum(['none', 'gzip']).default('none'),
    /** Idempotent producer: broker-side dedup of retried batches (needs acks: all). */
    idempotent: z.boolean().default(true),
    /** Acknowledgement: all in-sync replicas, the leader only, or none (fire and forget). */
    acks: z.enum(['all', 'leader', 'none']).default('all'),
    /**
     * Alerts are collected this long and sent as one batch. 0 sends at the end of the current event-loop
     * turn: the pipeline writes all alerts of an input batch at once and waits for their acknowledgement
     * before the next batch, so they still share one request and a longer linger only adds latency.
     */
    lingerMs: z.number().int().nonnegative().default(0),
    /** Most alerts per produce request. */
    maxBatchAlerts: positiveInt.default(500),
    /** Longest wait for unacknowledged alerts at shutdown. */
    flushTimeoutMs: positiveInt.default(10_000),
  })
  .check((ctx) => {
    if (ctx.value.idempotent && ctx.value.acks !== 'all') {
      ctx.issues.push({
        code: 'custom',
        path: ['acks'],
        message: 'expected "all" when idempotent is true (set idempotent: false for other acks)',
        input: ctx.value.acks,
      });
    }
  });

export const scaleOutSchema = z.strictObject({
  /**
   * Every instance re-keys the upstream flow topics by segment into `internalTopic` (consumer group
   * `<groupId>-router`) and scores the internal topic (group `<groupId>`), so a segment lives on one
   * partition and one instance; per-segment state moves through `stateTopic`.
   */
  enabled: z.boolean().default(false),
  /** Flows re-keyed by segment, as tapwatch JSON. Created with `partitions` partitions when missing. */
  internalTopic: topicName.default('tapwatch-flows-by-segment'),
  /** Compacted topic of per-segment state (detector and windows), keyed by segment. */
  stateTopic: topicName.default('tapwatch-segment-state'),
  /** Partitions of the internal topic: the most scoring instances that can share the work. */
  partitions: positiveInt.default(12),
  /** Replication factor of the two topics when tapwatch creates them; -1 = the broker's default. */
  replicationFactor: z.number().int().min(-1).max(32).default(-1),
  /** How often every owned segment's state is checkpointed (also at rebalance and shutdown). */
  checkpointIntervalSeconds: z.number().positive().default(60),
});

export type KafkaInputConfig = z.infer<typeof kafkaInputSchema>;
export type KafkaTopicConfig = z.infer<typeof kafkaTopicSchema>;
export type KafkaAlertSinkConfig = z.infer<typeof kafkaAlertSinkSchema>;
export type ScaleOutConfig = z.infer<typeof scaleOutSchema>;
