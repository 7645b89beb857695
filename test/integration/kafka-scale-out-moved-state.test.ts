import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SegmentCheckpoint } from '../../src/compose/segment-state-store.js';
import { parseState, stringifyState } from '../../src/compose/state-json.js';
import { hashText } from '../../src/features/key-hash.js';
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
 * Alert suppression and host statistics move with a segment. Instance A learns four segments,
 * sees a port scan in each and alerts once per scan (dedup window one hour). B joins and takes
 * some segments over; the same attacker scans again. B must fold the repeat into A's alert
 * instead of sending it again, and its checkpoint must show the attacker's and the clients'
 * host statistics going on from A's.
 */
const PARTITIONS = 4;
const BENIGN = 700;
const SCAN = 60;
const INTERNAL = 'tapwatch-flows-by-segment';
const STATE = 'tapwatch-segment-state';
const LAMBDAS = [5, 3, 1, 0.1, 0.01];
/** Per host row: last update, then (w, LS, SS) per λ. */
const HOST_ROW = 1 + LAMBDAS.length * 3;

/** The latest checkpoint of each segment on the state topic, as the test broker holds it. */
function checkpoints(broker: TestKafkaBroker): Map<string, SegmentCheckpoint> {
  const latest = new Map<string, SegmentCheckpoint>();
  for (const r of broker.records(STATE)) {
    if (r.key === null || r.value === null) continue;
    latest.set(r.key.toString(), parseState<SegmentCheckpoint>(r.value.toString()));
  }
  return latest;
}

/** A host's row in a checkpoint, or undefined. */
function hostRow(checkpoint: SegmentCheckpoint | undefined, ip: string): Float64Array | undefined {
  const hosts = checkpoint?.hosts?.hosts;
  const i = hosts ? [...hosts.keys].indexOf(hashText(ip)) : -1;
  return i < 0 ? undefined : hosts!.bytes.rows.subarray(i * HOST_ROW, (i + 1) * HOST_ROW);
}

/** Alerts on the SIEM topic about `ip` in `segment`. */
function alertsAbout(broker: TestKafkaBroker, segment: string, ip: string): unknown[] {
  return broker
    .records('siem-alerts')
    .map((r) => JSON.parse(r.value!.toString()))
    .filter((a) => a.observer?.ingress?.zone === segment && a.source?.ip === ip);
}

describe('scale-out moves alert suppression and host statistics with a segment', () => {
  const segments = segmentsCoveringPartitions(INTERNAL, PARTITIONS);
  let broker: TestKafkaBroker;
  let config: string;
  /** The last checkpoints of the first test, for the compatibility test. */
  let written: SegmentCheckpoint[] = [];
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
    const yaml = kafkaConfigYaml({
      brokers: broker.brokers,
      topics: [{ name: 'flows', format: 'zeek' }],
      scaleOut: { partitions: PARTITIONS },
      segments,
    }).replace('dedupWindowSeconds: 0', 'dedupWindowSeconds: 3600');
    expect(yaml).toContain('dedupWindowSeconds: 3600');
    config = writeConfig(tempDir(), yaml);
  });

  afterAll(async () => {
    for (const d of daemons) d.child.kill('SIGKILL');
    await broker?.close();
  });

  it('B does not re-send A’s alert after the move, and host statistics go on', async () => {
    const a = await start();
    const nets = Object.values(segments);
    const attacker = (segment: string) => `${segments[segment]}.66`;
    // Warm-up, then a scan in every segment, on one upstream partition (fixed order).
    await produceValues(
      broker.brokers,
      'flows',
      nets.flatMap((net) => benignFlows(BENIGN, 0, net)).map((f) => encodeFlow(f, 'zeek')),
    );
    await until(
      'A has every segment ready',
      async () => (await metricSum(a.base, 'tapwatch_segment_model_state', 'state="ready"')) === PARTITIONS,
      60_000,
    );
    await produceValues(
      broker.brokers,
      'flows',
      nets.flatMap((net) => scanFlows(SCAN, BENIGN, net)).map((f) => encodeFlow(f, 'zeek')),
    );
    await until(
      'A scored every flow',
      async () =>
        (await metricSum(a.base, 'tapwatch_flows_processed_total')) === PARTITIONS * (BENIGN + SCAN),
      60_000,
    ).catch((err: Error) => {
      const lines = a.run.logs().filter((l) => !String(l.msg).startsWith('kafkajs'));
      throw new Error(`${err.message}\n${lines.map((l) => JSON.stringify(l).slice(0, 300)).join('\n')}`);
    });
    const names = Object.keys(segments);
    await until(
      'A alerted on every scan',
      () => names.every((s) => alertsAbout(broker, s, attacker(s)).length > 0),
      20_000,
    );
    // A's checkpoints carry each scan's dedup key and the attacker's host row.
    await until(
      'A checkpointed dedup keys and hosts',
      () => {
        const latest = checkpoints(broker);
        return names.every((s) => {
          const c = latest.get(s);
          return (
            c?.version === 2 &&
            c.alerts?.dedup.some((e) => e.key.endsWith(`|${attacker(s)}`)) === true &&
            hostRow(c, attacker(s)) !== undefined
          );
        });
      },
      15_000,
    );
    const fromA = checkpoints(broker);
    const sentByA = new Map(names.map((s) => [s, alertsAbout(broker, s, attacker(s)).length]));

    const b = await start();
    await until('rebalanced', () => {
      const group = broker.group('tapwatch-it');
      return group?.state === 'Stable' && group.members.length === 2;
    });
    await until(
      'B restored its segments',
      () => b.run.logs().some((l) => l.msg === 'segment state restored'),
      20_000,
    );
    const restored = b.run.logs().filter((l) => l.msg === 'segment state restored');
    const moved = restored.map((l) => String(l.segment));
    // A let go of the host and alert state of what moved (its checkpoint carried it).
    await until('A handed over', () =>
      a.run.logs().some((l) => l.msg === 'segment host and alert state handed over'),
    );
    for (const l of restored) {
      expect(Number(l.dedupKeys), JSON.stringify(l)).toBeGreaterThan(0);
      expect(Number(l.hosts), JSON.stringify(l)).toBeGreaterThan(0);
    }

    // The same attacker scans again 10 s of event time later, inside the dedup window.
    await produceValues(
      broker.brokers,
      'flows',
      moved.flatMap((s) => scanFlows(SCAN, BENIGN + 40, segments[s])).map((f) => encodeFlow(f, 'zeek')),
    );
    for (const segment of moved) {
      const label = `segment="${segment}"`;
      await until(
        `B scored ${segment}`,
        async () => (await metricSum(b.base, 'tapwatch_flows_processed_total', label)) >= SCAN,
        20_000,
      );
      // B checkpoints the segment with the attacker's row updated by the second scan.
      const secondScanMs = scanFlows(1, BENIGN + 40)[0]!.endMs;
      await until(
        `B checkpointed ${segment}`,
        () => (hostRow(checkpoints(broker).get(segment), attacker(segment))?.[0] ?? 0) >= secondScanMs,
        15_000,
      );
      const fromB = checkpoints(broker).get(segment)!;

      // Deduplicated across the move: the repeat was folded, not sent again.
      expect(
        await metricSum(b.base, 'tapwatch_alerts_suppressed_total', `${label},reason="duplicate"`),
      ).toBeGreaterThan(0);
      expect(alertsAbout(broker, segment, attacker(segment))).toHaveLength(sentByA.get(segment)!);
      expect(
        fromB.alerts?.dedup.some((e) => e.key.endsWith(`|${attacker(segment)}`) && e.suppressed > 0),
      ).toBe(true);

      // Host statistics went on: the attacker's slowest-decay weight (λ = 0.01) holds both scans
      // (a cold start would hold at most one scan's 60 flows), and a client B never saw a flow
      // of keeps A's row unchanged.
      const slowWeight = hostRow(fromB, attacker(segment))![1 + 4 * 3];
      expect(slowWeight).toBeGreaterThan(1.5 * SCAN);
      const clients = [...fromA.get(segment)!.hosts!.hosts.keys].filter(
        (k) => k !== hashText(attacker(segment)),
      );
      expect(clients.length).toBeGreaterThan(10);
      const rowOf = (c: SegmentCheckpoint, key: number) => {
        const i = [...c.hosts!.hosts.keys].indexOf(key);
        return i < 0 ? undefined : [...c.hosts!.hosts.bytes.rows.subarray(i * HOST_ROW, (i + 1) * HOST_ROW)];
      };
      for (const key of clients) expect(rowOf(fromB, key)).toEqual(rowOf(fromA.get(segment)!, key));
    }

    for (const d of [b.run, a.run]) {
      d.child.kill('SIGTERM');
      expect((await d.exited).code, d.stderr()).toBe(0);
    }
    expect(broker.errors).toEqual([]);
    written = [...checkpoints(broker).values()];
  }, 180_000);

  it('still restores version 1 checkpoints, which hold no hosts or alert state', async () => {
    expect(written).toHaveLength(PARTITIONS);
    // What a previous release wrote: the same detector and windows, without the version 2 fields.
    const v1 = written.map(({ hosts: _h, alerts: _a, ...rest }) => ({ ...rest, version: 1 }));
    const old = await TestKafkaBroker.start({
      topics: [
        { name: 'flows', partitions: 2 },
        { name: 'siem-alerts', partitions: 2 },
        { name: STATE, partitions: 1 },
      ],
    });
    try {
      await produceValues(
        old.brokers,
        STATE,
        v1.map((c) => ({ key: c.segment, value: Buffer.from(stringifyState(c)) })),
      );
      config = writeConfig(
        tempDir(),
        kafkaConfigYaml({
          brokers: old.brokers,
          topics: [{ name: 'flows', format: 'zeek' }],
          scaleOut: { partitions: PARTITIONS },
          segments,
        }),
      );
      const c = await start();
      await until(
        'C restored every segment',
        () => c.run.logs().filter((l) => l.msg === 'segment state restored').length === PARTITIONS,
        20_000,
      );
      const restored = c.run.logs().filter((l) => l.msg === 'segment state restored');
      expect(restored.map((l) => [l.state, l.dedupKeys, l.hosts])).toEqual(
        Array.from({ length: PARTITIONS }, () => ['ready', 0, 0]),
      );
      expect(c.run.logs().filter((l) => String(l.msg).includes('not restored'))).toEqual([]);
      c.run.child.kill('SIGTERM');
      expect((await c.run.exited).code, c.run.stderr()).toBe(0);
    } finally {
      await old.close();
    }
  }, 60_000);
});
