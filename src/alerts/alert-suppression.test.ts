import { describe, expect, it } from 'vitest';
import { parseState, stringifyState } from '../compose/state-json.js';
import type { Detection } from '../core/detection.js';
import { AlertPipeline } from './alert-pipeline.js';
import type { AlertPolicyConfig } from './alert-policy.js';
import { AlertSuppression, type SegmentSuppressionState } from './alert-suppression.js';
import { MemorySink } from './sinks/memory-sink.js';
import { makeDetection, makeFlow, T0_MS } from './testing/make-detection.js';

const CONFIG: AlertPolicyConfig = { dedupWindowSeconds: 60, minSeverity: 1, maxAlertsPerMinute: 2 };

/** One instance's alert stage with its own suppression state. */
function instance() {
  const sink = new MemorySink();
  const suppression = new AlertSuppression({ config: CONFIG, log: () => undefined });
  const pipeline = new AlertPipeline({ config: CONFIG, suppression, sinks: [sink], log: () => undefined });
  return { sink, suppression, pipeline };
}

/** The same anomaly from `src` in `segment`, `seconds` after T0 (event time). */
function at(seconds: number, segment = 'servers', src = '10.1.0.5'): Detection {
  const start = T0_MS + seconds * 1000;
  return makeDetection({ flow: makeFlow({ segment, srcIp: src, start, end: start + 100 }) });
}

describe('AlertSuppression', () => {
  it('moves a segment’s dedup keys and rate bucket to the instance that takes the segment over', async () => {
    const a = instance();
    await a.pipeline.handle([at(0), at(5), at(1, 'servers', '10.1.0.6'), at(2, 'servers', '10.1.0.7')]);
    await a.pipeline.handle([at(3, 'lan', '10.2.0.5')]);
    // In `servers`: two alerts (the limit), one duplicate, one rate-limited; one alert in `lan`.
    expect(a.sink.alerts.map((alert) => alert.source.ip)).toEqual(['10.1.0.5', '10.1.0.6', '10.2.0.5']);

    // Through the checkpoint's JSON, as on the state topic.
    const moved = parseState<SegmentSuppressionState>(
      stringifyState(a.suppression.snapshotSegment('servers')),
    );
    expect(moved.dedup.map((e) => e.key)).toHaveLength(2);
    expect(moved.rate).toMatchObject({ suppressed: 1 });
    a.suppression.dropSegments((segment) => segment === 'servers');
    expect(a.suppression.snapshotSegment('servers')).toBeUndefined();
    expect(a.suppression.snapshotSegment('lan')).toBeDefined();

    const b = instance();
    b.suppression.restoreSegment('servers', moved);
    // A repeat of what A already sent is folded, not sent again; the bucket is still empty.
    await b.pipeline.handle([at(10), at(11, 'servers', '10.1.0.8')]);
    expect(b.sink.alerts).toHaveLength(0);
    expect(b.pipeline.stats().suppressed).toEqual(
      expect.arrayContaining([
        { segment: 'servers', reason: 'duplicate', count: 1 },
        { segment: 'servers', reason: 'rate_limited', count: 1 },
      ]),
    );
    // After the window the next alert carries the repeats seen on both instances.
    await b.pipeline.handle([at(61)]);
    expect(b.sink.alerts).toHaveLength(1);
    expect(b.sink.alerts[0].tapwatch).toMatchObject({ occurrences: 3, suppressed: 2 });
  });

  it('without a moved state the new owner alerts again (the gap this closes)', async () => {
    const a = instance();
    await a.pipeline.handle([at(0)]);
    const b = instance();
    await b.pipeline.handle([at(10)]);
    expect(b.sink.alerts).toHaveLength(1);
  });

  it('has nothing to checkpoint for a segment without alerts', () => {
    expect(instance().suppression.snapshotSegment('quiet')).toBeUndefined();
  });
});
