/**
 * A single-node, in-memory Kafka broker speaking the real wire protocol on 127.0.0.1, for tests that need a
 * Kafka that real clients (kafkajs, librdkafka) can talk to. Data and committed offsets live in memory and
 * survive {@link TestKafkaBroker.stop} / {@link TestKafkaBroker.restart}, which model a broker outage.
 */
import type { TlsOptions } from 'node:tls';
import { BrokerState, type TopicSpec } from './broker-state.js';
import { GroupCoordinator } from './group-coordinator.js';
import type { StoredRecord } from './record.js';
import { SCRAM_HASHES, type ScramCredential, type ScramMechanism, scramCredential } from './sasl/scram.js';
import {
  type AuthEvent,
  SASL_MECHANISMS,
  type SaslListenerConfig,
  type SaslMechanism,
} from './sasl/session.js';
import { KafkaServer } from './server.js';

export type { TopicSpec } from './broker-state.js';
export type { RecordHeader, StoredRecord } from './record.js';
export type { AuthEvent, SaslMechanism } from './sasl/session.js';

/** TLS listener settings (PEM text or buffers). */
export interface TestKafkaBrokerTls {
  /** The broker's private key. */
  key: string | Buffer;
  /** The broker's certificate (chain). */
  cert: string | Buffer;
  /** CA(s) client certificates must chain to; when given, a client without a valid certificate is refused. */
  clientCa?: string | Buffer;
}

/** SASL listener settings. */
export interface TestKafkaBrokerSasl {
  /** Enabled mechanisms, in the order SaslHandshake lists them. Default: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512. */
  mechanisms?: SaslMechanism[];
  /** Users and passwords; SCRAM credentials (random salt) are derived from them at start. */
  users: Record<string, string>;
  /** SCRAM iteration count. Default 4096 (the minimum kafkajs accepts). */
  scramIterations?: number;
}

/** Options of {@link TestKafkaBroker.start}. */
export interface TestKafkaBrokerOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Topics to create before listening. */
  topics?: TopicSpec[];
  /** Create unknown topics on Metadata requests that allow it, like `auto.create.topics.enable`. Default true. */
  autoCreateTopics?: boolean;
  /** Partitions of auto-created topics and of CreateTopics with -1 partitions. Default 1. */
  defaultPartitions?: number;
  /**
   * Overrides the session timeout every group member asks for, so a test can make a silent member expire
   * quickly. Must stay above the clients' heartbeat interval. Default: use what each client asks for.
   */
  groupSessionTimeoutMs?: number;
  /** Serve TLS (security.protocol SSL, or SASL_SSL with `sasl`). */
  tls?: TestKafkaBrokerTls;
  /** Require SASL authentication (SASL_PLAINTEXT, or SASL_SSL with `tls`). */
  sasl?: TestKafkaBrokerSasl;
}

const HOST = '127.0.0.1';

/** The test broker. Create with {@link TestKafkaBroker.start}; always {@link TestKafkaBroker.close} it. */
export class TestKafkaBroker {
  /** Requests the broker could not serve (malformed, unsupported versions). A healthy test leaves it empty. */
  readonly errors: Error[] = [];
  /** TLS handshakes and SASL authentications (with the reason of each failure), in order. */
  readonly authLog: AuthEvent[] = [];
  #state: BrokerState;
  #tls: TlsOptions | undefined;
  #sasl: SaslListenerConfig | undefined;
  #groups: GroupCoordinator;
  #server: KafkaServer | null = null;
  #port: number;

  private constructor(options: TestKafkaBrokerOptions) {
    this.#state = new BrokerState({
      autoCreateTopics: options.autoCreateTopics ?? true,
      defaultPartitions: options.defaultPartitions ?? 1,
    });
    this.#groups = new GroupCoordinator({ sessionTimeoutMs: options.groupSessionTimeoutMs });
    this.#port = options.port ?? 0;
    this.#tls = options.tls && tlsOptions(options.tls);
    this.#sasl = options.sasl && saslConfig(options.sasl);
  }

  /** Creates the topics and starts listening on 127.0.0.1. */
  static async start(options: TestKafkaBrokerOptions = {}): Promise<TestKafkaBroker> {
    const broker = new TestKafkaBroker(options);
    for (const topic of options.topics ?? [])
      broker.createTopic(topic.name, topic.partitions, topic.compacted);
    await broker.#listen();
    return broker;
  }

  async #listen(): Promise<void> {
    const server = new KafkaServer({
      host: HOST,
      state: this.#state,
      groups: this.#groups,
      onError: (err) => this.errors.push(err),
      tls: this.#tls,
      sasl: this.#sasl,
      onAuth: (event) => this.authLog.push(event),
    });
    this.#port = await server.listen(this.#port);
    this.#server = server;
    this.#groups.resume();
  }

  /** Bootstrap addresses for clients, e.g. `['127.0.0.1:40123']`. */
  get brokers(): string[] {
    return [`${HOST}:${this.#port}`];
  }

  /** The listener's `security.protocol`, as librdkafka and the Java client name it. */
  get securityProtocol(): 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL' {
    if (this.#sasl === undefined) return this.#tls === undefined ? 'PLAINTEXT' : 'SSL';
    return this.#tls === undefined ? 'SASL_PLAINTEXT' : 'SASL_SSL';
  }

  /** The listening port (stays the same across restarts). */
  get port(): number {
    return this.#port;
  }

  /** Whether the broker is currently accepting connections. */
  get running(): boolean {
    return this.#server !== null;
  }

  /** Closes the listener and every connection; topics, records, groups and committed offsets stay in memory. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    this.#groups.suspend();
    await server?.close();
  }

  /** Listens again on the same port with the same data, as a broker coming back after an outage. */
  async restart(): Promise<void> {
    if (this.#server !== null) await this.stop();
    await this.#listen();
  }

  /** Stops the broker for good. Idempotent. */
  async close(): Promise<void> {
    await this.stop();
  }

  /**
   * Creates a topic.
   * @throws Error when the name is invalid, the topic exists, or `partitions` is below 1
   */
  createTopic(name: string, partitions: number, compacted = false): void {
    const errorCode = this.#state.createTopic({ name, partitions, compacted });
    if (errorCode !== 0)
      throw new Error(`createTopic(${name}, ${partitions}): Kafka error code ${errorCode}`);
  }

  /**
   * Records stored in a topic (one partition, or all partitions in partition order), with keys, values,
   * headers, timestamps and offsets. Compacted topics show the latest record per key.
   */
  records(topic: string, partition?: number): (StoredRecord & { partition: number })[] {
    const t = this.#state.topics.get(topic);
    if (t === undefined) throw new Error(`records(${topic}): no such topic`);
    const indexes = partition === undefined ? t.partitions.map((_l, i) => i) : [partition];
    return indexes.flatMap((i) => {
      const log = t.partitions[i];
      if (log === undefined) throw new Error(`records(${topic}, ${i}): no such partition`);
      return log.records().map((rec) => ({ ...rec, partition: i }));
    });
  }

  /** The committed offset of a group for a partition, or undefined when the group never committed one. */
  committedOffset(group: string, topic: string, partition: number): number | undefined {
    return this.#state.committedOffset(group, topic, partition)?.offset;
  }

  /** The offset the next record of the partition will get. */
  highWatermark(topic: string, partition: number): number {
    const log = this.#state.partition(topic, partition);
    if (log === undefined) throw new Error(`highWatermark(${topic}, ${partition}): no such partition`);
    return log.highWatermark;
  }

  /** The group's state and members, to wait for a rebalance to settle. Undefined for an unknown group. */
  group(groupId: string): { state: string; generationId: number; members: string[] } | undefined {
    const g = this.#groups.groups.get(groupId);
    if (g === undefined) return undefined;
    return { state: g.state, generationId: g.generationId, members: [...g.members.keys()] };
  }
}

function tlsOptions(tls: TestKafkaBrokerTls): TlsOptions {
  const mutual = tls.clientCa !== undefined;
  return {
    key: tls.key,
    cert: tls.cert,
    minVersion: 'TLSv1.2',
    ...(mutual ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
  };
}

function saslConfig(sasl: TestKafkaBrokerSasl): SaslListenerConfig {
  const mechanisms = sasl.mechanisms ?? [...SASL_MECHANISMS];
  const users = Object.entries(sasl.users);
  const scram = new Map<ScramMechanism, Map<string, ScramCredential>>();
  for (const mechanism of mechanisms) {
    if (mechanism === 'PLAIN') continue;
    const hash = SCRAM_HASHES[mechanism];
    scram.set(
      mechanism,
      new Map(users.map(([user, pw]) => [user, scramCredential(pw, hash, undefined, sasl.scramIterations)])),
    );
  }
  return { mechanisms, passwords: new Map(users), scram };
}
