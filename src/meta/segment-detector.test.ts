import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DetectorConfig, detectorSchema } from '../config/schema.js';
import type { RoutedFlow } from '../core/flow-record.js';
import { selectBackend } from './backend.js';
import { MAX_REFERENCE_ROWS } from './feature-deviation-scorer.js';
import { SegmentDetector } from './segment-detector.js';
import { SyntheticRows } from './synthetic-rows.js';

const DIM = 10;
const featureNames = Array.from({ length: DIM }, (_, j) => `f${j}`);
const config: DetectorConfig = detectorSchema.parse({
  warmupFlows: 400,
  warmupEpochs: 10,
  hiddenUnits: [6, 3],
  learningRate: 0.01,
  falseAlertRate: 0.01,
  adaptation: { everyFlows: 300, driftWindowFlows: 200, driftMinSeconds: 60 },
});

let clockMs = 0;
/** `n` flows, one every 100 ms of event time, from 20 hosts. */
function flows(n: number): RoutedFlow[] {
  return Array.from({ length: n }, (_, i) => {
    clockMs += 100;
    const source = { format: 'pcap', origin: 'test.pcap', firstPacket: i, lastPacket: i };
    return {
      ...{
        start: clockMs,
        end: clockMs,
        srcIp: `10.0.0.${i % 20}`,
        dstIp: '10.0.1.1',
        srcPort: 1,
        dstPort: 443,
      },
      ...{ proto: 6, bytesFwd: 1, pktsFwd: 1, bytesRev: 1, pktsRev: 1, tcpFlags: 2, segment: 'lan', source },
    };
  });
}

async function runDue(d: SegmentDetector): Promise<void> {
  while (d.needsTraining) await d.train();
}

describe('SegmentDetector adaptation', () => {
  beforeAll(async () => {
    await selectBackend('auto');
  });

  it('adapts on benign flows after the warm-up', async () => {
    const before = tf.memory().numTensors;
    const benign = new SyntheticRows({ dim: DIM, seed: 1 });
    const d = new SegmentDetector({ segment: 'lan', featureNames, config });
    d.score(benign.inliers(400, true), flows(400));
    await runDue(d);
    expect(d.state).toBe('ready');
    expect(d.adaptations).toBe(1);
    for (let i = 0; i < 3; i++) {
      d.score(benign.inliers(400, true), flows(400));
      await runDue(d);
    }
    expect(d.adaptations).toBe(4);
    d.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('adapts at most once per minIntervalSeconds of event time, however many flows arrive', async () => {
    const benign = new SyntheticRows({ dim: DIM, seed: 1 });
    const paced = { ...config, adaptation: { ...config.adaptation, minIntervalSeconds: 60 } };
    const d = new SegmentDetector({ segment: 'lan', featureNames, config: paced });
    d.score(benign.inliers(400, true), flows(400));
    await runDue(d);
    expect(d.adaptations).toBe(1);
    // Each batch is 40 s of event time and enough benign flows for a round: the first batch's round is due,
    // the second comes 40 s after it and waits, the third 80 s after it and runs.
    const rounds: number[] = [];
    for (let i = 0; i < 3; i++) {
      d.score(benign.inliers(400, true), flows(400));
      await runDue(d);
      rounds.push(d.adaptations);
    }
    expect(rounds).toEqual([2, 2, 3]);
    d.dispose();
  });

  it('re-adapts from the initialization when traffic shifts for longer than driftMinSeconds', async () => {
    const before = tf.memory().numTensors;
    const benign = new SyntheticRows({ dim: DIM, seed: 1 });
    const noRounds = { ...config, adaptation: { ...config.adaptation, enabled: false } };
    const d = new SegmentDetector({ segment: 'lan', featureNames, config: noRounds });
    d.score(benign.inliers(400, true), flows(400));
    await runDue(d);
    expect(d.state).toBe('ready');
    expect(d.adaptations).toBe(1);
    // Every flow five times as large from now on: odd but mostly not alerting, for longer than driftMinSeconds.
    const shifted = (n: number) => benign.inliers(n, true).map((v) => 3 * v);
    let sawDrift = false;
    for (let i = 0; i < 20 && !sawDrift; i++) {
      d.score(shifted(200), flows(200));
      sawDrift = d.state === 'drift';
      if (!sawDrift) await runDue(d);
    }
    expect(sawDrift).toBe(true);
    const adaptations = d.adaptations;
    // It keeps scoring with the old model while it gathers a warm-up's worth of the new traffic.
    for (let i = 0; i < 40 && !d.needsTraining; i++) d.score(shifted(200), flows(200));
    expect(d.state).toBe('drift');
    const alerts = (r: { scores: Float64Array; threshold: number }) =>
      r.scores.filter((x) => x >= r.threshold).length;
    const probe = shifted(400);
    const probeFlows = flows(400);
    const beforeReadapt = alerts(d.score(probe, probeFlows));
    await runDue(d);
    expect(d.state).toBe('ready');
    expect(d.adaptations).toBe(adaptations + 1);
    // The model relearned on the new traffic's non-alerting flows: the same flows now alert less.
    expect(
      alerts(
        d.score(
          probe,
          probeFlows.map((f) => ({ ...f, start: f.start + 100_000, end: f.end + 100_000 })),
        ),
      ),
    ).toBeLessThan(beforeReadapt);
    const snapshot = JSON.parse(JSON.stringify(d.snapshot()));
    const copy = new SegmentDetector({ segment: 'lan', featureNames, config: noRounds });
    copy.restore(snapshot);
    const rows = shifted(50);
    const batch = flows(50);
    expect(copy.score(rows, batch).scores).toEqual(d.score(rows, batch).scores);
    d.dispose();
    copy.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("keeps warm-up rows as the non-neural member's neighbours, in its snapshot too", async () => {
    const benign = new SyntheticRows({ dim: DIM, seed: 3 });
    const d = new SegmentDetector({ segment: 'lan', featureNames, config });
    d.score(benign.inliers(400, true), flows(400));
    await runDue(d);
    const snapshot = JSON.parse(JSON.stringify(d.snapshot()));
    const reference: number[] = snapshot.ensemble.baselineReference;
    // 300 training rows of the 400-flow warm-up, subsampled.
    expect(reference.length).toBe(MAX_REFERENCE_ROWS * DIM);
    const baselineP = (rows: Float32Array) => {
      const p = d.score(rows, flows(rows.length / DIM)).detectors.find((m) => m.detector === 'baseline')!;
      return Array.from(p.pValues).reduce((a, b) => a + b, 0) / p.pValues.length;
    };
    expect(baselineP(benign.outliers(50, true))).toBeLessThan(baselineP(benign.inliers(50, true)));
    // A snapshot written before the neighbours were kept still restores (the member falls back to max |z|).
    const { baselineReference: _, ...older } = snapshot.ensemble;
    const copy = new SegmentDetector({ segment: 'lan', featureNames, config });
    copy.restore({ ...snapshot, ensemble: older });
    expect(copy.state).toBe('ready');
    d.dispose();
    copy.dispose();
  });
});
