import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestKafkaBroker } from '../support/kafka-broker/test-kafka-broker.js';
import { runDaemon, tempDir, writeConfig } from './support/daemon-process.js';
import { kafkaConfigYaml } from './support/kafka-flows.js';

/**
 * SASL credentials come from the environment and never reach the logs, even when the broker
 * refuses the connection (the test broker offers no SASL, so authentication fails at startup:
 * a startup error, exit 1, one clear line).
 */
describe('Kafka security settings', () => {
  let broker: TestKafkaBroker;

  beforeAll(async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'flows', partitions: 1 }] });
  });

  afterAll(async () => {
    await broker?.close();
  });

  it('never logs the SASL password', async () => {
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
    expect(run.stderr).toMatch(/tapwatch: .+/);
    expect(run.stderr + run.stdout).not.toContain(password);
  });
});
