import { afterAll, describe, expect, it } from 'vitest';
import { scoringBatch, scoringFlow } from '../../test/support/scoring-batches.js';
import { type DetectorConfig, detectorSchema } from '../config/schema.js';
import type { Detection, FeatureBatch } from '../core/detection.js';
import { ModelError } from '../core/errors.js';
import { DetectorThread } from './detector-thread.js';
import { SegmentDetectors } from './segment-detectors.js';
import { SyntheticRows } from './synthetic-rows.js';

// The worker entry runs as JavaScript: the compiled one `npm test` builds first.
const SCRIPT = new URL('../../dist/meta/detector-worker.js', import.meta.url);
const DIM = 10;
const featureNames = Array.from({ length: DIM }, (_, j) => `f${j}`);
const config: DetectorConfig = detectorSchema.parse({
  warmupFlows: 400,
  hiddenUnits: [8, 3],
  batchSize: 256,
  falseAlertRate: 0.01,
});

let packet = 0;
const flow = (segment: string) => scoringFlow(segment, ++packet, 40);
const batch = (...parts: [segment: string, rows: Float32Array][]) => scoringBatch(featureNames, parts, flow);

/** `b` with feature rows of its own: the thread takes a batch's rows, and these tests score some batches twice. */
const copy = (b: FeatureBatch): FeatureBatch => ({ ...b, values: b.values.slice() });

/** What a detection says, without the flow object itself. */
function verdicts(detections: Detection[]) {
  return detections.map((d) => ({
    segment: d.flow.segment,
    score: d.score,
    threshold: d.threshold,
    pValue: d.pValue,
    modelState: d.modelState,
    detectors: d.detectors,
    topFeatures: d.topFeatures,
  }));
}

describe('DetectorThread', () => {
  const data = new SyntheticRows({ dim: DIM, seed: 5 });
  const batches = [
    batch(['lan', data.inliers(400, true)], ['dmz', data.inliers(400, true)]),
    batch(
      ['lan', data.inliers(300, true)],
      ['dmz', data.inliers(50, true)],
      ['lan', data.outliers(20, true)],
    ),
    batch(['dmz', data.outliers(10, true)], ['lan', data.inliers(200, true)]),
  ];
  const lines: string[] = [];
  const thread = new DetectorThread({ config }, (message) => lines.push(message), SCRIPT);
  const local = new SegmentDetectors(config, () => undefined);

  afterAll(async () => {
    await Promise.all([thread.close(), local.close()]);
  });

  it('scores exactly as the detectors do in this thread, in input order, and forwards their log', async () => {
    expect((await thread.ready()).backend).toMatch(/^(tensorflow|wasm|cpu)$/);
    for (const b of batches) {
      const [there, here] = [await thread.score(copy(b), { flush: true }), await local.score(b)];
      await local.flush();
      expect(there.map((d) => d.flow)).toEqual(b.flows);
      expect(verdicts(there)).toEqual(verdicts(here));
    }
    const last = await thread.score(copy(batches[1]!));
    expect(last.filter((d) => d.topFeatures.length > 0).length).toBeGreaterThan(10);
    expect(lines).toContain('detector backend selected');
    expect(lines).toContain('segment model ready');
  });

  it('reports stats with every score and on request', async () => {
    expect(thread.stats().get('lan')).toMatchObject({ state: 'ready', scoredFlows: 400 + 320 + 200 + 320 });
    const refreshed = await thread.refreshStats();
    expect([...refreshed.keys()].sort()).toEqual(['dmz', 'lan']);
    expect(refreshed.get('dmz')!.state).toBe('ready');
  });

  it('hands out snapshots that restore into another thread and score identically', async () => {
    const snapshots = JSON.parse(JSON.stringify(await thread.snapshots()));
    const twin = new DetectorThread({ config }, () => undefined, SCRIPT);
    for (const snapshot of snapshots) await twin.restore(snapshot);
    const probe = batch(['lan', data.inliers(50, true)], ['dmz', data.outliers(5, true)]);
    const [a, b] = [await thread.score(copy(probe)), await twin.score(copy(probe))];
    expect(verdicts(b)).toEqual(verdicts(a));
    await twin.close();
  });

  it('moves feature rows to the thread, and copies rows that are a view into a larger buffer', async () => {
    const probe = batch(['lan', data.inliers(30, true)], ['dmz', data.outliers(3, true)]);
    const moved = copy(probe);
    expect((await thread.score(moved)).map((d) => d.flow)).toEqual(probe.flows);
    expect(moved.values.byteLength).toBe(0);

    const shared = new Float32Array(probe.values.length + 2 * DIM);
    shared.set(probe.values, DIM);
    const view = { ...probe, values: shared.subarray(DIM, DIM + probe.values.length) };
    expect((await thread.score(view)).map((d) => d.flow)).toEqual(probe.flows);
    expect(shared.byteLength).toBe((probe.values.length + 2 * DIM) * 4);
    expect(view.values).toEqual(probe.values);
  });

  it('rejects what the detectors reject with their message, and keeps working', async () => {
    const bad = { ...batch(['lan', data.inliers(2, true)]), featureNames: featureNames.slice(1) };
    await expect(thread.score(bad)).rejects.toThrow(/feature batch: expected 2 rows × 9 features/);
    await expect(thread.restore({ segment: 'x' } as never)).rejects.toThrow(ModelError);
    expect((await thread.score(copy(batches[2]!))).length).toBe(210);
  });

  it('rejects every call after close()', async () => {
    const doomed = new DetectorThread({ config }, () => undefined, SCRIPT);
    await doomed.ready();
    await doomed.close();
    await doomed.close();
    await expect(doomed.score(batches[0]!)).rejects.toThrow(ModelError);
  });
});
