import { describe, expect, it } from 'vitest';
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
  scanFlows,
  until,
} from './support/kafka-flows.js';

/**
 * SIGKILL in the middle of an attack, then a restart: every upstream record must reach the
 * internal topic and be scored at least once, and every alert of an uninterrupted run of the same
 * input must be on the SIEM topic (ids are deterministic, so duplicates collapse). Runs in
 * scale-out mode, so the restarted instance gets the segment's model back from the state topic
 * instead of learning it again from the attack.
 */
const BENIGN = 700;
const SCAN = 240;
const INTERNAL_PARTITIONS = 2;

interface Outcome {
  alertIds: Set<string>;
  alertRecords: number;
}

async function scenario(kill: boolean): Promise<Outcome> {
  const broker = await TestKafkaBroker.start({
    topics: [
      { name: 'flows', partitions: 1 },
      { name: 'siem-alerts', partitions: 1 },
    ],
  });
  const yaml = kafkaConfigYaml({
    brokers: broker.brokers,
    topics: [{ name: 'flows', format: 'zeek' }],
    scaleOut: { partitions: INTERNAL_PARTITIONS },
  })
    // Small fetches, so the attack arrives in many batches and the kill lands between them.
    .replace(
      'consumer: { sessionTimeout: 6000,',
      'consumer: { maxBytesPerPartition: 4096, sessionTimeout: 6000,',
    );
  const config = writeConfig(tempDir(), yaml);
  const start = async () => {
    const run = startDaemon(['run', '--config', config]);
    await waitForStatus(`http://${await run.telemetryAddress()}/-/ready`, 200);
    return run;
  };
  let daemon: DaemonRun = await start();
  try {
    const base = `http://${await daemon.telemetryAddress()}`;
    await produceValues(
      broker.brokers,
      'flows',
      benignFlows(BENIGN).map((f) => encodeFlow(f, 'zeek')),
    );
    await until(
      'segment ready',
      async () => (await metricSum(base, 'tapwatch_segment_model_state', 'state="ready"')) === 1,
      40_000,
    );
    await until('segment checkpointed', () => broker.records('tapwatch-segment-state').length > 0);

    const attack = scanFlows(SCAN, BENIGN).map((f) => encodeFlow(f, 'zeek'));
    const producing = (async () => {
      for (let i = 0; i < attack.length; i += 20) {
        await produceValues(broker.brokers, 'flows', attack.slice(i, i + 20));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    if (kill) {
      await until('first alerts', () => broker.records('siem-alerts').length >= 5, 30_000);
      daemon.child.kill('SIGKILL');
      await daemon.exited;
      daemon = await start();
    }
    await producing;
    const total = BENIGN + SCAN;
    await until(
      'everything routed and scored',
      () =>
        broker.committedOffset('tapwatch-it-router', 'flows', 0) === total &&
        Array.from({ length: INTERNAL_PARTITIONS }, (_v, p) => p).every(
          (p) =>
            (broker.committedOffset('tapwatch-it', 'tapwatch-flows-by-segment', p) ?? 0) ===
            broker.highWatermark('tapwatch-flows-by-segment', p),
        ),
      40_000,
    ).catch((err: Error) => {
      const internal = [0, 1].map((p) => [
        broker.committedOffset('tapwatch-it', 'tapwatch-flows-by-segment', p),
        broker.highWatermark('tapwatch-flows-by-segment', p),
      ]);
      throw new Error(
        `${err.message}: router ${broker.committedOffset('tapwatch-it-router', 'flows', 0)}/${total}, internal ${JSON.stringify(internal)}\n${daemon.stderr().slice(-3000)}`,
      );
    });
    // Every upstream record reached the internal topic at least once (its position rides in headers).
    const routed = new Set(
      broker
        .records('tapwatch-flows-by-segment')
        .map((r) => r.headers.find((h) => h.key === 'tapwatch-source-offset')?.value?.toString()),
    );
    expect(routed.size).toBe(total);
    if (kill) {
      const restored = daemon.logs().some((l) => l.msg === 'segment state restored' && l.state === 'ready');
      expect(restored, daemon.stderr()).toBe(true);
    }
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code, daemon.stderr()).toBe(0);
    const alerts = broker.records('siem-alerts');
    return {
      alertIds: new Set(alerts.map((r) => JSON.parse(r.value!.toString()).event.id as string)),
      alertRecords: alerts.length,
    };
  } finally {
    daemon.child.kill('SIGKILL');
    await broker.close();
  }
}

describe('at-least-once across a crash', () => {
  it('loses no record and no alert when killed mid-stream and restarted', async () => {
    const reference = await scenario(false);
    const crashed = await scenario(true);
    expect(reference.alertIds.size).toBeGreaterThan(SCAN / 2);
    const missing = [...reference.alertIds].filter((id) => !crashed.alertIds.has(id));
    expect(missing).toEqual([]);
  }, 150_000);
});
