import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestKafkaBroker } from '../../test/support/kafka-broker/test-kafka-broker.js';
import { AlertPipeline } from '../alerts/alert-pipeline.js';
import { AlertSuppression } from '../alerts/alert-suppression.js';
import { MemorySink } from '../alerts/sinks/memory-sink.js';
import { makeDetection, makeFlow } from '../alerts/testing/make-detection.js';
import { detectorSchema, featuresSchema, segmentsSchema } from '../config/schema.js';
import type { FlowRecord } from '../core/flow-record.js';
import { FeatureExtractor } from '../features/extract-features.js';
import { DetectorThread } from '../meta/detector-thread.js';
import { type SegmentCheckpoint, SegmentStateStore } from './segment-state-store.js';
import { parseState, stringifyState } from './state-json.js';

// The worker entry runs as JavaScript: the compiled one `npm test` builds first.
const SCRIPT = new URL('../../dist/meta/detector-worker.js', import.meta.url);
const SEGMENT = '10.0.0.0/24';

/** `n` flows of the segment from `first` on, 50 ms apart, with varied hosts, ports and sizes. */
function flows(first: number, n: number): FlowRecord[] {
  return Array.from({ length: n }, (_, k) => {
    const i = first + k;
    const start = 1_700_000_000_000 + i * 50;
    return {
      start,
      end: start + 20 + (i % 7) * 30,
      srcIp: `10.0.0.${10 + (i % 23)}`,
      dstIp: `93.184.216.${1 + (i % 5)}`,
      srcPort: 40000 + (i % 997),
      dstPort: [443, 80, 53][i % 3]!,
      proto: i % 3 === 2 ? 17 : 6,
      bytesFwd: 300 + ((i * 37) % 900),
      pktsFwd: 3 + (i % 9),
      bytesRev: 1000 + ((i * 53) % 4000),
      pktsRev: 2 + (i % 11),
      tcpFlags: i % 3 === 2 ? 0 : 0x1b,
      source: { format: 'tapwatch', origin: 'test' },
    };
  });
}

/** What the state topic would carry for `value`, read back. */
const roundTrip = <T>(value: T): T => parseState<T>(stringifyState(value));

describe('SegmentStateStore', () => {
  let broker: TestKafkaBroker;
  let store: SegmentStateStore;
  let thread: DetectorThread;
  const extractor = new FeatureExtractor(segmentsSchema.parse({}), featuresSchema.parse({}));
  const policy = { dedupWindowSeconds: 600, minSeverity: 1, maxAlertsPerMinute: 0 };
  const suppression = new AlertSuppression({ config: policy, log: () => undefined });
  const alerts = new AlertPipeline({
    config: policy,
    suppression,
    sinks: [new MemorySink()],
    log: () => undefined,
  });
  /** An alert from `src` in the segment, at the time of flow `i`. */
  const alertFrom = (src: string, i: number) => {
    const start = 1_700_000_000_000 + i * 50;
    return makeDetection({ flow: makeFlow({ segment: SEGMENT, srcIp: src, start, end: start + 20 }) });
  };

  beforeAll(async () => {
    broker = await TestKafkaBroker.start({ topics: [{ name: 'state', partitions: 1, compacted: true }] });
    const kafka = new Kafka({ brokers: broker.brokers, logLevel: logLevel.NOTHING });
    const config = detectorSchema.parse({ warmupFlows: 100, hiddenUnits: [8, 3], batchSize: 256 });
    thread = new DetectorThread({ config }, () => undefined, SCRIPT);
    store = new SegmentStateStore({
      kafka,
      stateTopic: 'state',
      internalTopic: 'scored',
      partitions: 1,
      detectors: thread,
      extractor,
      alerts: suppression,
      log: () => undefined,
    });
    await store.start();
    await store.assigned([0], async () => new Map([[0, 0n]]));
  });

  afterAll(async () => {
    await store.close();
    await thread.close();
    await broker.close();
  });

  it('pairs windows, host tables and alert suppression with the detector state of the same batches', async () => {
    // The segment learns from its first batch and is ready once training has finished.
    await thread.score(extractor.extract(flows(0, 150)), { flush: true });
    await thread.score(extractor.extract(flows(150, 50)));
    expect(thread.stats().get(SEGMENT)?.state).toBe('ready');
    const windowsBefore = roundTrip(extractor.windows.snapshotSegment(SEGMENT));
    const hostsBefore = roundTrip(extractor.snapshotHostSegments([SEGMENT]).get(SEGMENT));
    await alerts.handle([alertFrom('10.0.0.10', 190)]);
    const alertsBefore = roundTrip(suppression.snapshotSegment(SEGMENT));

    // As in the daemon: while the detector thread answers, the next batch is extracted and handed over,
    // and an earlier batch's alerts are sent.
    const checkpointed = store.checkpoint('test');
    const next = thread.score(extractor.extract(flows(200, 40).map((f) => ({ ...f, srcIp: '10.0.0.99' }))));
    await alerts.handle([alertFrom('10.0.0.11', 195)]);
    await checkpointed;
    await next;

    const records = broker.records('state');
    expect(records.map((r) => r.key?.toString())).toEqual([SEGMENT]);
    const checkpoint = parseState<SegmentCheckpoint>(records[0]!.value!.toString());
    expect(checkpoint.detector.state).toBe('ready');
    expect(checkpoint.windows).toEqual(windowsBefore);
    expect(checkpoint.hosts).toEqual(hostsBefore);
    expect(checkpoint.alerts?.dedup).toHaveLength(1);
    expect(checkpoint.alerts).toEqual(alertsBefore);
    // The batch extracted and the alert sent meanwhile did change them; they belong to the next checkpoint.
    expect(suppression.snapshotSegment(SEGMENT)?.dedup).toHaveLength(2);
    expect(roundTrip(extractor.windows.snapshotSegment(SEGMENT))).not.toEqual(windowsBefore);
    expect(roundTrip(extractor.snapshotHostSegments([SEGMENT]).get(SEGMENT))).not.toEqual(hostsBefore);
  });
});
