import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestKafkaBroker } from '../support/kafka-broker/test-kafka-broker.js';
import { type DaemonRun, startReadyDaemon, tempDir, writeConfig } from './support/daemon-process.js';
import {
  benignFlows,
  encodeFlow,
  kafkaConfigYaml,
  metricSum,
  produceValues,
  scanFlows,
  segmentsCoveringPartitions,
  until,
} from './support/kafka-flows.js';

/**
 * Two instances in one group: instance A learns four segments alone, then B joins, the internal
 * topic's partitions are split, and the segments that move to B arrive with their state — B scores
 * them as 'ready' and alerts on an attack in them after seeing far fewer flows than a warm-up.
 */
const PARTITIONS = 4;
const BENIGN = 700;
const WARMUP = 512;
const INTERNAL = 'tapwatch-flows-by-segment';

describe('scale-out with per-segment state', () => {
  const segments = segmentsCoveringPartitions(INTERNAL, PARTITIONS);
  let broker: TestKafkaBroker;
  let config: string;
  const daemons: DaemonRun[] = [];
  const start = async () => {
    const started = await startReadyDaemon(config);
    daemons.push(started.run);
    return started;
  };

  beforeAll(async () => {
    broker = await TestKafkaBroker.start({
      topics: [
        { name: 'flows', partitions: 2 },
        { name: 'siem-alerts', partitions: 2 },
      ],
    });
    config = writeConfig(
      tempDir(),
      kafkaConfigYaml({
        brokers: broker.brokers,
        topics: [{ name: 'flows', format: 'zeek' }],
        scaleOut: { partitions: PARTITIONS },
        segments,
      }),
    );
  });

  afterAll(async () => {
    for (const d of daemons) d.child.kill('SIGKILL');
    await broker?.close();
  });

  it('moves segments with their state when a second instance joins', async () => {
    const a = await start();
    const nets = Object.values(segments);
    const benign = nets.flatMap((net) => benignFlows(BENIGN, 0, net));
    // One upstream partition keeps each segment's warm-up rows in a fixed order, so training is repeatable.
    await produceValues(
      broker.brokers,
      'flows',
      benign.map((f) => encodeFlow(f, 'zeek')),
    );
    await until(
      'A has every segment ready',
      async () => (await metricSum(a.base, 'tapwatch_segment_model_state', 'state="ready"')) === PARTITIONS,
      50_000,
    ).catch((err: Error) => {
      const lines = a.run.logs().filter((l) => !String(l.msg).startsWith('kafkajs'));
      throw new Error(`${err.message}\n${lines.map((l) => JSON.stringify(l).slice(0, 300)).join('\n')}`);
    });
    await until(
      'every segment checkpointed',
      () => broker.records('tapwatch-segment-state').length === PARTITIONS,
      10_000,
    );

    const b = await start();
    await until('rebalanced', () => {
      const group = broker.group('tapwatch-it');
      return group?.state === 'Stable' && group.members.length === 2;
    });
    await until(
      'B restored its segments',
      () => b.run.logs().filter((l) => l.msg === 'segment state restored').length >= 1,
      20_000,
    );
    const moved = b.run
      .logs()
      .filter((l) => l.msg === 'segment state restored')
      .map((l) => String(l.segment));
    expect(
      b.run
        .logs()
        .filter((l) => l.msg === 'segment state restored')
        .every((l) => l.state === 'ready'),
    ).toBe(true);

    const netOf = (segment: string) => segments[segment]!;
    const more = moved.flatMap((s) => [
      ...benignFlows(40, BENIGN, netOf(s)),
      ...scanFlows(60, BENIGN + 40, netOf(s)),
    ]);
    await produceValues(
      broker.brokers,
      'flows',
      more.map((f) => encodeFlow(f, 'zeek')),
    );
    for (const segment of moved) {
      const label = `segment="${segment}"`;
      await until(
        `B scored ${segment}`,
        async () => (await metricSum(b.base, 'tapwatch_flows_processed_total', label)) >= 100,
        20_000,
      );
      // Ready at once, having seen far fewer flows than a warm-up needs.
      expect(await metricSum(b.base, 'tapwatch_segment_model_state', `${label},state="ready"`)).toBe(1);
      expect(await metricSum(b.base, 'tapwatch_flows_processed_total', label)).toBeLessThan(WARMUP);
      await until(
        `B alerted in ${segment}`,
        async () => (await metricSum(b.base, 'tapwatch_alerts_emitted_total', label)) > 0,
        10_000,
      );
    }

    for (const d of [b.run, a.run]) {
      d.child.kill('SIGTERM');
      expect((await d.exited).code, d.stderr()).toBe(0);
    }
    expect(broker.errors).toEqual([]);
  }, 120_000);
});
