import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTlsFixtures, type TlsFixtures } from '../tls-fixtures.js';
import { kafkaClient, runKcat } from './test-helpers.js';
import { TestKafkaBroker } from './test-kafka-broker.js';

/**
 * The TLS and SASL listeners cross-checked with kcat (librdkafka 2.x): SASL_SSL with SCRAM-SHA-512 and a
 * client certificate, produce then consume, so the broker is faithful to librdkafka's SASL state machine and
 * TLS stack as well as to kafkajs's. librdkafka verifies the broker's name by default
 * (ssl.endpoint.identification.algorithm=https), here 127.0.0.1 against the certificate's IP SAN.
 */
const PASSWORD = 'kcat-pa55word';

describe('TestKafkaBroker security cross-checked with kcat (librdkafka)', () => {
  let tls: TlsFixtures;
  let broker: TestKafkaBroker | undefined;

  beforeAll(() => {
    tls = createTlsFixtures();
  });
  afterAll(() => tls?.remove());
  afterEach(async () => {
    expect(broker?.errors).toEqual([]);
    await broker?.close();
    broker = undefined;
  });

  const security = (password: string) => [
    '-X', 'security.protocol=SASL_SSL',
    '-X', 'sasl.mechanisms=SCRAM-SHA-512',
    '-X', 'sasl.username=kcat',
    '-X', `sasl.password=${password}`,
    '-X', `ssl.ca.location=${tls.ca.certFile}`,
    '-X', `ssl.certificate.location=${tls.client.certFile}`,
    '-X', `ssl.key.location=${tls.client.keyFile}`,
    '-X', 'ssl.endpoint.identification.algorithm=https',
  ]; // biome-ignore format: option pairs

  it('produces and consumes over SASL_SSL with SCRAM-SHA-512 and mutual TLS', async () => {
    broker = await TestKafkaBroker.start({
      topics: [{ name: 'scram', partitions: 1 }],
      tls: { key: tls.server.key, cert: tls.server.cert, clientCa: tls.ca.cert },
      sasl: { users: { kcat: PASSWORD, app: 'app-password' }, mechanisms: ['SCRAM-SHA-512'] },
    });
    const [bootstrap] = broker.brokers as [string];
    const produced = await runKcat(
      ['-b', bootstrap, ...security(PASSWORD), '-P', '-t', 'scram', '-K:'],
      'k1:first\nk2:second\n',
    );
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);
    expect(broker.records('scram', 0).map((r) => `${r.key}:${r.value}`)).toEqual(['k1:first', 'k2:second']);

    const consumed = await runKcat([
      '-b',
      bootstrap,
      ...security(PASSWORD),
      '-C',
      '-t',
      'scram',
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%k=%s\\n',
    ]);
    expect(consumed.code).toBe(0);
    expect(consumed.stdout).toBe('k1=first\nk2=second\n');
    // What kcat wrote, a kafkajs client with its own user reads: the same listener serves both stacks.
    const admin = kafkaClient(broker.brokers, {
      ssl: { ca: [tls.ca.cert], cert: tls.client.cert, key: tls.client.key, servername: 'localhost' },
      sasl: { mechanism: 'scram-sha-512', username: 'app', password: 'app-password' },
    }).admin();
    await admin.connect();
    expect(await admin.fetchTopicOffsets('scram')).toEqual([
      expect.objectContaining({ partition: 0, high: '2' }),
    ]);
    await admin.disconnect();

    const sasl = broker.authLog.filter((e) => e.kind === 'sasl');
    expect(sasl.length).toBeGreaterThanOrEqual(2);
    expect(sasl.every((e) => e.ok && e.mechanism === 'SCRAM-SHA-512')).toBe(true);
    expect(broker.authLog).toContainEqual({ kind: 'tls', ok: true, clientSubject: 'tapwatch-test-client' });
  });

  it('fails kcat with a wrong password with the broker error message', async () => {
    broker = await TestKafkaBroker.start({
      tls: { key: tls.server.key, cert: tls.server.cert },
      sasl: { users: { kcat: PASSWORD }, mechanisms: ['SCRAM-SHA-512'] },
    });
    const [bootstrap] = broker.brokers as [string];
    const run = await runKcat(['-b', bootstrap, ...security('wrong'), '-L', '-m', '3']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/invalid credentials with SASL mechanism SCRAM-SHA-512/);
    expect(
      broker.authLog.some((e) => e.kind === 'sasl' && !e.ok && /invalid proof/.test(e.reason ?? '')),
    ).toBe(true);
    expect(broker.authLog.some((e) => e.kind === 'sasl' && e.ok)).toBe(false);
  });
});
