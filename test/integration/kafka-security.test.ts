import type { KafkaConfig } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestKafkaBroker } from '../support/kafka-broker/test-kafka-broker.js';
import { createTlsFixtures, type TlsFixtures } from '../support/tls-fixtures.js';
import {
  type DaemonRun,
  runDaemon,
  startDaemon,
  tempDir,
  waitForStatus,
  writeConfig,
} from './support/daemon-process.js';
import {
  benignFlows,
  encodeFlow,
  kafkaConfigYaml,
  metricSum,
  produceValues,
  scanFlows,
  until,
} from './support/kafka-flows.js';

/**
 * The daemon's Kafka security settings against a broker that enforces them: TLS with the CA, a client
 * certificate (the broker requires one signed by the CA) and a server name (the broker is reached at
 * 127.0.0.1, its certificate is checked as "localhost"), and SASL SCRAM-SHA-512 with the password taken
 * from the child's environment through `${TAPWATCH_TEST_KAFKA_PASSWORD}`. The password must never show up
 * in the daemon's output, also when authentication fails.
 */
const PASSWORD = 'Tw-test-pa55word/that+must=not,leak';
const PRODUCER_PASSWORD = 'upstream-shipper-password';
const BENIGN = 700;
const SCAN = 60;

let tls: TlsFixtures;
beforeAll(() => {
  tls = createTlsFixtures();
});
afterAll(() => tls?.remove());

/** The security block of `input.kafka`, with absolute file paths. */
function securityYaml(mechanism = 'scram-sha-512'): string {
  return [
    `    tls: { enabled: true, caFile: "${tls.ca.certFile}", certFile: "${tls.client.certFile}",`,
    `           keyFile: "${tls.client.keyFile}", serverName: localhost }`,
    `    sasl: { mechanism: ${mechanism}, username: tapwatch, password: "\${TAPWATCH_TEST_KAFKA_PASSWORD}" }`,
    '    topics:',
  ].join('\n');
}

function configFile(broker: TestKafkaBroker, security = securityYaml()): string {
  const yaml = kafkaConfigYaml({ brokers: broker.brokers, topics: [{ name: 'flows', format: 'zeek' }] });
  return writeConfig(tempDir(), yaml.replace('    topics:', security));
}

async function secureBroker(): Promise<TestKafkaBroker> {
  return TestKafkaBroker.start({
    topics: [
      { name: 'flows', partitions: 1 },
      { name: 'siem-alerts', partitions: 1 },
    ],
    tls: { key: tls.server.key, cert: tls.server.cert, clientCa: tls.ca.cert },
    sasl: { users: { tapwatch: PASSWORD, shipper: PRODUCER_PASSWORD } },
  });
}

describe('Kafka security: TLS with a client certificate and SASL SCRAM-SHA-512', () => {
  let broker: TestKafkaBroker | undefined;
  let daemon: DaemonRun | undefined;

  afterEach(async () => {
    daemon?.child.kill('SIGKILL');
    daemon = undefined;
    expect(broker?.errors ?? []).toEqual([]);
    await broker?.close();
    broker = undefined;
  });

  it('reads flows and writes alerts through the secured broker, never logging the password', async () => {
    broker = await secureBroker();
    const run = startDaemon(['run', '--verbose', '--config', configFile(broker)], {
      env: { TAPWATCH_TEST_KAFKA_PASSWORD: PASSWORD },
    });
    daemon = run;
    const base = `http://${await run.telemetryAddress()}`;
    await waitForStatus(`${base}/-/ready`, 200).catch((err: Error) => {
      throw new Error(`${err.message}\n${run.stderr()}`);
    });

    // The upstream shipper is another user with another mechanism, also over mutual TLS.
    const shipper: Partial<KafkaConfig> = {
      ssl: { ca: [tls.ca.cert], cert: tls.client.cert, key: tls.client.key, servername: 'localhost' },
      sasl: { mechanism: 'scram-sha-256', username: 'shipper', password: PRODUCER_PASSWORD },
    };
    const produce = (flows: ReturnType<typeof benignFlows>) =>
      produceValues(
        broker!.brokers,
        'flows',
        flows.map((f) => encodeFlow(f, 'zeek')),
        200,
        shipper,
      );
    await produce(benignFlows(BENIGN));
    await until(
      'segment ready',
      async () => (await metricSum(base, 'tapwatch_segment_model_state', 'state="ready"')) === 1,
      40_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${run.stderr()}`);
    });
    await produce(scanFlows(SCAN, BENIGN));
    await until('alerts on the SIEM topic', () => broker!.records('siem-alerts').length > 0, 20_000);

    for (const record of broker.records('siem-alerts')) {
      expect(record.key?.toString()).toBe('lan');
      const alert = JSON.parse(record.value!.toString());
      expect(alert.event.kind).toBe('alert');
      expect(alert.tapwatch.input).toMatchObject({ origin: 'flows' });
    }
    expect(await metricSum(base, 'tapwatch_input_records_total')).toBe(BENIGN + SCAN);

    // Every connection of the daemon presented the client certificate and authenticated with SCRAM-SHA-512.
    const sasl = broker.authLog.filter((e) => e.kind === 'sasl');
    const daemonAuth = sasl.filter((e) => e.user === 'tapwatch');
    expect(daemonAuth.length).toBeGreaterThanOrEqual(2); // consumer, producer, admin connections
    expect(daemonAuth.every((e) => e.ok && e.mechanism === 'SCRAM-SHA-512')).toBe(true);
    const shipperAuth = sasl.filter((e) => e.user === 'shipper');
    expect(shipperAuth.length).toBeGreaterThan(0);
    expect(shipperAuth.every((e) => e.ok && e.mechanism === 'SCRAM-SHA-256')).toBe(true);
    expect(sasl).toHaveLength(daemonAuth.length + shipperAuth.length);
    const handshakes = broker.authLog.filter((e) => e.kind === 'tls');
    // One TLS handshake per connection, before its SASL login (a newer connection may still be logging in).
    expect(handshakes.length).toBeGreaterThanOrEqual(sasl.length);
    expect(handshakes.every((e) => e.ok && e.clientSubject === 'tapwatch-test-client')).toBe(true);

    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
    const output = run.stdout() + run.stderr();
    expect(output).toContain('summary');
    expect(output).not.toContain(PASSWORD);
  });

  it('exits 1 with one line naming the SASL failure when the password is wrong', async () => {
    broker = await secureBroker();
    const wrong = `${PASSWORD}-wrong`;
    const started = Date.now();
    const run = await runDaemon(['run', '--config', configFile(broker)], {
      env: { TAPWATCH_TEST_KAFKA_PASSWORD: wrong },
      timeoutMs: 60_000,
    });
    expect(run.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    const lastLine = run.stderr.trimEnd().split('\n').at(-1);
    expect(lastLine).toBe(
      `tapwatch: Kafka ${broker.brokers.join(',')} (input.kafka.brokers): SASL scram-sha-512 login as "tapwatch" ` +
        'refused (input.kafka.sasl): SASL SCRAM SHA512 authentication failed: Authentication failed during ' +
        'authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
    );
    expect(run.stdout + run.stderr).not.toContain(wrong);
    expect(broker.authLog).toContainEqual({
      kind: 'sasl',
      ok: false,
      mechanism: 'SCRAM-SHA-512',
      user: 'tapwatch',
      reason: 'invalid proof for user "tapwatch" (wrong password)',
    });
    expect(broker.authLog.some((e) => e.kind === 'sasl' && e.ok)).toBe(false);
  });

  it('never logs the SASL password when the broker does not speak SASL', async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'flows', partitions: 1 }] });
    const password = 'pa55-word-that-must-not-leak';
    const yaml = kafkaConfigYaml({
      brokers: broker.brokers,
      topics: [{ name: 'flows', format: 'zeek' }],
    }).replace(
      '    topics:',
      '    sasl: { mechanism: plain, username: tapwatch, password: "${TAPWATCH_KAFKA_PASSWORD}" }\n    topics:',
    );
    const run = await runDaemon(['run', '--verbose', '--config', writeConfig(tempDir(), yaml)], {
      env: { TAPWATCH_KAFKA_PASSWORD: password },
      timeoutMs: 60_000,
    });
    expect(run.code).toBe(1);
    // A plaintext listener answers SaslHandshake with ILLEGAL_SASL_STATE, as Kafka does.
    expect(run.stderr).toContain(
      `tapwatch: Kafka ${broker.brokers.join(',')} (input.kafka.brokers): the listener does not accept SASL plain ` +
        'login as "tapwatch" (input.kafka.sasl; a plaintext or other-mechanism port?): Request is not valid given ' +
        'the current SASL state\n',
    );
    expect(run.stderr + run.stdout).not.toContain(password);
  });

  it('rejects TLS files without tls.enabled instead of connecting in plaintext', async () => {
    broker = await secureBroker();
    const security = securityYaml().replace('tls: { enabled: true,', 'tls: { enabled: false,');
    const file = configFile(broker, security);
    const run = await runDaemon(['check-config', file], { env: { TAPWATCH_TEST_KAFKA_PASSWORD: PASSWORD } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${file}: input.kafka.tls.enabled: expected true when caFile, certFile, keyFile, serverName are set`,
    );
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
  });
});
