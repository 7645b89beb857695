import { describe, expect, it } from 'vitest';
import type { Detection } from '../core/detection.js';
import type { Alert } from './alert.js';
import { AlertPipeline, type AlertPipelineOptions } from './alert-pipeline.js';
import type { AlertSink } from './sinks/alert-sink.js';
import { MemorySink } from './sinks/memory-sink.js';
import { makeDetection, makeFlow, T0_MS } from './testing/make-detection.js';

/** A sink that fails every call, as a dead broker or full disk would. */
class FailingSink implements AlertSink {
  readonly name = 'broken';
  write(_alert: Alert): void {
    throw new Error('disk full');
  }
  async flush(): Promise<void> {
    throw new Error('disk full');
  }
  async close(): Promise<void> {
    throw new Error('disk full');
  }
}

interface LogLine {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

function setup(overrides: Partial<AlertPipelineOptions> = {}) {
  const sink = new MemorySink();
  const logs: LogLine[] = [];
  const pipeline = new AlertPipeline({
    config: { dedupWindowSeconds: 60, minSeverity: 1 },
    sinks: [sink],
    log: (level, msg, fields) => logs.push({ level, msg, fields }),
    ...overrides,
  });
  return { pipeline, sink, logs };
}

/** The same generic anomaly from 10.1.0.5, `seconds` after T0 (event time). */
function at(seconds: number, overrides: Partial<Detection> = {}): Detection {
  const start = T0_MS + seconds * 1000;
  return makeDetection({
    flow: makeFlow({ start, end: start + 100, srcPort: 40000 + seconds }),
    ...overrides,
  });
}

describe('AlertPipeline', () => {
  it('alerts only on ready detections above their threshold', async () => {
    const { pipeline, sink } = setup();
    await pipeline.handle([
      at(0, { modelState: 'learning' }),
      at(1, { score: 4, threshold: 4 }),
      at(2, { modelState: 'drift' }),
      at(3),
    ]);
    expect(sink.alerts).toHaveLength(1);
    expect(sink.alerts[0].source.port).toBe(40003);
  });

  it('suppresses repeats within the window in event time and carries the count on the next alert', async () => {
    const { pipeline, sink } = setup();
    await pipeline.handle([at(0), at(10), at(30), at(59)]);
    expect(sink.alerts).toHaveLength(1);
    expect(sink.alerts[0].tapwatch.occurrences).toBe(1);
    await pipeline.handle([at(61), at(70)]);
    expect(sink.alerts).toHaveLength(2);
    expect(sink.alerts[1].tapwatch).toMatchObject({ occurrences: 4, suppressed: 3 });
    expect(pipeline.stats().suppressed).toEqual([{ segment: 'servers', reason: 'duplicate', count: 4 }]);
    expect(pipeline.stats().emitted).toEqual([{ segment: 'servers', severity: 'medium', count: 2 }]);
  });

  it('keeps different hosts and segments apart', async () => {
    const { pipeline, sink } = setup();
    await pipeline.handle([
      at(0),
      at(1, { flow: makeFlow({ srcIp: '10.1.0.6' }) }),
      at(2, { flow: makeFlow({ segment: 'office' }) }),
    ]);
    expect(sink.alerts.map((a) => a.tapwatch.dedup_key)).toEqual([
      'servers|tapwatch-anomalous-flow|10.1.0.5',
      'servers|tapwatch-anomalous-flow|10.1.0.6',
      'office|tapwatch-anomalous-flow|10.1.0.5',
    ]);
  });

  it('emits everything with a zero window', async () => {
    const { pipeline, sink } = setup({ config: { dedupWindowSeconds: 0, minSeverity: 1 } });
    await pipeline.handle([at(0), at(0), at(1)]);
    expect(sink.alerts).toHaveLength(3);
  });

  it('drops and counts alerts below the minimum severity', async () => {
    const { pipeline, sink } = setup({ config: { dedupWindowSeconds: 60, minSeverity: 4 } });
    await pipeline.handle([at(0), at(100, { score: 13 })]);
    expect(sink.alerts).toHaveLength(1);
    expect(sink.alerts[0].event.severity).toBe(4);
    expect(pipeline.stats().suppressed).toEqual([
      { segment: 'servers', reason: 'below_min_severity', count: 1 },
    ]);
  });

  it('feeds the counters it is given', async () => {
    const calls: string[] = [];
    const counter = (name: string) => ({
      inc: (labels: Record<string, string>) => calls.push(`${name} ${JSON.stringify(labels)}`),
    });
    const { pipeline } = setup({
      counters: { alertsEmitted: counter('emitted'), alertsSuppressed: counter('suppressed') },
    });
    await pipeline.handle([at(0), at(1)]);
    expect(calls).toEqual([
      'emitted {"segment":"servers","severity":"medium"}',
      'suppressed {"segment":"servers","reason":"duplicate"}',
    ]);
  });

  it('keeps delivering to healthy sinks when one fails, counting and logging the failures', async () => {
    const healthy = new MemorySink();
    const errors: string[] = [];
    const { pipeline, logs } = setup({
      config: { dedupWindowSeconds: 0, minSeverity: 1 },
      sinks: [new FailingSink(), healthy],
      counters: {
        alertsEmitted: { inc: () => undefined },
        alertsSuppressed: { inc: () => undefined },
        alertSinkErrors: { inc: (labels) => errors.push(labels.sink) },
      },
    });
    const batch = Array.from({ length: 12 }, (_, i) => at(i));
    await pipeline.handle(batch);
    await pipeline.flush();
    await pipeline.close();
    expect(healthy.alerts).toHaveLength(12);
    expect(healthy.closed).toBe(true);
    expect(pipeline.stats().sinkFailures).toEqual({ broken: 15 });
    // 12 writes, one flush, then flush and close on close().
    expect(errors).toHaveLength(15);
    // Rate-limited: the 1st and 10th failures are logged, not all 15.
    expect(logs.filter((l) => l.level === 'error').map((l) => l.fields?.failures)).toEqual([1, 10]);
  });

  it('closes once, reports repeats no alert carried, and refuses work afterwards', async () => {
    const { pipeline, sink, logs } = setup();
    await pipeline.handle([at(0), at(1), at(2)]);
    const first = pipeline.close();
    expect(pipeline.close()).toBe(first);
    await first;
    expect(sink.closed).toBe(true);
    expect(logs.find((l) => l.msg.startsWith('suppressed duplicate'))?.fields).toMatchObject({
      suppressed: 2,
      keys: 1,
    });
    await expect(pipeline.handle([at(100)])).rejects.toThrow(/after close/);
  });

  it('keeps the dedup table bounded', async () => {
    const { pipeline, logs } = setup({ maxDedupKeys: 50 });
    const batch: Detection[] = [];
    for (let i = 0; i < 500; i++) {
      const flow = makeFlow({ srcIp: `10.1.${i >> 8}.${i & 255}` });
      batch.push(makeDetection({ flow }), makeDetection({ flow }));
    }
    await pipeline.handle(batch);
    expect(pipeline.stats().dedupKeys).toBeLessThanOrEqual(50);
    expect(logs.some((l) => l.msg.startsWith('dedup table full'))).toBe(true);
  });
});
