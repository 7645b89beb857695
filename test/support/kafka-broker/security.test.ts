import type { Consumer, KafkaConfig, SASLOptions } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTlsFixtures, type TlsFixtures } from '../tls-fixtures.js';
import { kafkaClient, waitFor } from './test-helpers.js';
import { type SaslMechanism, TestKafkaBroker } from './test-kafka-broker.js';

/**
 * The broker's TLS and SASL listeners with kafkajs as the client: mutual TLS, and every SASL mechanism over
 * TLS with the right and a wrong password. What the broker saw is checked in `authLog` as well as what the
 * client reports, so a test cannot pass on a client that silently skipped authentication.
 */
const USERS = { tapwatch: 'correct horse battery staple', other: 'x' };
const KAFKAJS_MECHANISM = {
  PLAIN: 'plain',
  'SCRAM-SHA-256': 'scram-sha-256',
  'SCRAM-SHA-512': 'scram-sha-512',
} as const;

let tls: TlsFixtures;
beforeAll(() => {
  tls = createTlsFixtures();
});
afterAll(() => tls?.remove());

function client(broker: TestKafkaBroker, overrides: Partial<KafkaConfig> = {}) {
  return kafkaClient(broker.brokers, {
    ssl: { ca: [tls.ca.cert], servername: 'localhost' },
    retry: { retries: 0 },
    ...overrides,
  });
}

function sasl(mechanism: SaslMechanism, password: string): SASLOptions {
  return { mechanism: KAFKAJS_MECHANISM[mechanism], username: 'tapwatch', password } as SASLOptions;
}

describe('TestKafkaBroker over TLS and SASL with kafkajs', () => {
  let broker: TestKafkaBroker | undefined;
  const consumers: Consumer[] = [];

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
    expect(broker?.errors).toEqual([]);
    await broker?.close();
    broker = undefined;
  });

  it('serves mutual TLS to a client with a CA-signed certificate and refuses others', async () => {
    broker = await TestKafkaBroker.start({
      topics: [{ name: 'secure', partitions: 1 }],
      tls: { key: tls.server.key, cert: tls.server.cert, clientCa: tls.ca.cert },
    });
    expect(broker.securityProtocol).toBe('SSL');
    const producer = client(broker, {
      ssl: { ca: [tls.ca.cert], cert: tls.client.cert, key: tls.client.key, servername: 'localhost' },
    }).producer();
    await producer.connect();
    await producer.send({ topic: 'secure', messages: [{ key: 'k', value: 'over tls' }] });
    await producer.disconnect();
    expect(broker.records('secure').map((r) => r.value?.toString())).toEqual(['over tls']);
    expect(broker.authLog).toContainEqual({ kind: 'tls', ok: true, clientSubject: 'tapwatch-test-client' });

    // A certificate the CA never signed, and no certificate at all: the handshake fails at the broker.
    const before = broker.authLog.length;
    const rogue = client(broker, {
      ssl: {
        ca: [tls.ca.cert],
        cert: tls.rogueClient.cert,
        key: tls.rogueClient.key,
        servername: 'localhost',
      },
    }).producer();
    await expect(rogue.connect()).rejects.toThrow();
    await expect(client(broker).producer().connect()).rejects.toThrow();
    const failures = broker.authLog.slice(before).filter((e) => e.kind === 'tls' && !e.ok);
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(broker.authLog.slice(before).some((e) => e.ok)).toBe(false);
  });

  it('is refused by a client that does not trust its CA or expects another name', async () => {
    broker = await TestKafkaBroker.start({ tls: { key: tls.server.key, cert: tls.server.cert } });
    await expect(client(broker, { ssl: true }).admin().connect()).rejects.toThrow(/certificate/i);
    await expect(
      client(broker, { ssl: { ca: [tls.ca.cert], servername: 'kafka.example' } })
        .admin()
        .connect(),
    ).rejects.toThrow(/kafka\.example|altnames/i);
    const admin = client(broker).admin();
    await admin.connect();
    await admin.disconnect();
  });

  for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    it(`authenticates SASL_SSL ${mechanism}: produce and consume with the right password only`, async () => {
      broker = await TestKafkaBroker.start({
        topics: [{ name: 'authed', partitions: 1 }],
        tls: { key: tls.server.key, cert: tls.server.cert },
        sasl: { users: USERS, mechanisms: [mechanism] },
      });
      expect(broker.securityProtocol).toBe('SASL_SSL');
      const kafka = client(broker, { sasl: sasl(mechanism, USERS.tapwatch) });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'authed', messages: [{ value: `via ${mechanism}` }] });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: `g-${mechanism}`, maxWaitTimeInMs: 200 });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic: 'authed', fromBeginning: true });
      const got: string[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void got.push(String(message.value)) });
      await waitFor(() => got.length === 1, 'the consumer to read the record');
      expect(got).toEqual([`via ${mechanism}`]);
      const sasls = broker.authLog.filter((e) => e.kind === 'sasl');
      expect(sasls.length).toBeGreaterThan(0);
      expect(sasls.every((e) => e.ok && e.mechanism === mechanism && e.user === 'tapwatch')).toBe(true);

      const wrong = client(broker, { sasl: sasl(mechanism, 'Correct horse battery staple') }).producer();
      const failure = wrong.connect();
      await expect(failure).rejects.toThrow(
        mechanism === 'PLAIN' ? /Invalid username or password/ : /invalid credentials with SASL mechanism/,
      );
      await expect(failure).rejects.toMatchObject({ name: expect.stringMatching(/SASL|Protocol/) });
      expect(broker.authLog.at(-1)).toMatchObject({
        kind: 'sasl',
        ok: false,
        mechanism,
        user: 'tapwatch',
        reason: expect.stringMatching(/wrong password|invalid proof/),
      });
      expect(broker.records('authed')).toHaveLength(1);
    });
  }

  it('rejects a mechanism the listener does not enable', async () => {
    broker = await TestKafkaBroker.start({ sasl: { users: USERS, mechanisms: ['SCRAM-SHA-512'] } });
    expect(broker.securityProtocol).toBe('SASL_PLAINTEXT');
    const kafka = kafkaClient(broker.brokers, { sasl: sasl('PLAIN', USERS.tapwatch), retry: { retries: 0 } });
    await expect(kafka.admin().connect()).rejects.toThrow(/SASL mechanism/);
    expect(broker.authLog).toEqual([
      { kind: 'sasl', ok: false, mechanism: 'PLAIN', user: '', reason: 'unsupported mechanism' },
    ]);
  });
});
