import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestKafkaBroker } from '../support/kafka-broker/test-kafka-broker.js';
import {
  type DaemonRun,
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
  until,
} from './support/kafka-flows.js';

/**
 * A broker outage in the middle of a stream: `/-/ready` turns false while the broker is away,
 * the daemon keeps running, reconnects by itself when the broker is back, and every record is
 * processed (committed) in the end.
 */
const TOTAL = 4000;

describe('Kafka broker outage', () => {
  let broker: TestKafkaBroker;
  let daemon: DaemonRun;
  let base: string;

  beforeAll(async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'flows', partitions: 2 }] });
    const yaml = kafkaConfigYaml({
      brokers: broker.brokers,
      topics: [{ name: 'flows', format: 'tapwatch' }],
    });
    daemon = startDaemon(['run', '--config', writeConfig(tempDir(), yaml)]);
    base = `http://${await daemon.telemetryAddress()}`;
    await waitForStatus(`${base}/-/ready`, 200);
  });

  afterAll(async () => {
    daemon?.child.kill('SIGKILL');
    await broker?.close();
  });

  it('is not ready while the broker is away and processes everything after it returns', async () => {
    const values = benignFlows(TOTAL).map((f, i) => ({ value: encodeFlow(f, 'tapwatch'), partition: i % 2 }));
    await produceValues(broker.brokers, 'flows', values.slice(0, TOTAL / 2));
    await until('some records read', async () => (await metricSum(base, 'tapwatch_input_records_total')) > 0);

    await broker.stop();
    await waitForStatus(`${base}/-/ready`, 503, 20_000);
    expect(daemon.child.exitCode).toBeNull();
    await new Promise((r) => setTimeout(r, 2000));
    await broker.restart();
    await waitForStatus(`${base}/-/ready`, 200, 40_000);

    await produceValues(broker.brokers, 'flows', values.slice(TOTAL / 2));
    await until(
      'every record committed',
      () => [0, 1].every((p) => broker.committedOffset('tapwatch-it', 'flows', p) === TOTAL / 2),
      40_000,
    );
    expect(await metricSum(base, 'tapwatch_input_records_total')).toBeGreaterThanOrEqual(TOTAL);
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code, daemon.stderr()).toBe(0);
  });
});
