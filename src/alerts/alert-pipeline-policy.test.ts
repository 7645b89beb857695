import { describe, expect, it } from 'vitest';
import { allowListEntrySchema } from '../config/schema.js';
import type { RoutedFlow } from '../core/flow-record.js';
import { AlertPipeline } from './alert-pipeline.js';
import type { AlertPolicyConfig } from './alert-policy.js';
import { AllowList } from './allow-list.js';
import { MemorySink } from './sinks/memory-sink.js';
import { makeDetection, makeFlow, T0_MS } from './testing/make-detection.js';

function setup(config: Partial<AlertPolicyConfig> = {}, allowList: AllowList = AllowList.EMPTY) {
  const sink = new MemorySink();
  const logs: { msg: string; fields?: Record<string, unknown> }[] = [];
  const pipeline = new AlertPipeline({
    config: { dedupWindowSeconds: 60, minSeverity: 1, ...config },
    allowList,
    sinks: [sink],
    log: (_level, msg, fields) => logs.push({ msg, fields }),
  });
  return { pipeline, sink, logs };
}

/** A generic anomaly (focus: source) at `seconds` after T0 in event time. */
function at(seconds: number, flow: Partial<RoutedFlow> = {}) {
  const start = T0_MS + seconds * 1000;
  return makeDetection({ flow: makeFlow({ start, end: start + 100, ...flow }) });
}

function allow(...rows: unknown[]): AllowList {
  return AllowList.compile(
    rows.map((row, i) => ({ entry: allowListEntrySchema.parse(row), origin: `row ${i}` })),
  );
}

describe('AlertPipeline policy', () => {
  it('drops allow-listed detections, counts them and logs the row and its reason sparingly', async () => {
    const { pipeline, sink, logs } = setup(
      {},
      allow({ cidr: '10.1.0.0/16', direction: 'src', reason: 'backup' }),
    );
    await pipeline.handle(Array.from({ length: 12 }, (_, i) => at(i * 100)));
    await pipeline.handle([at(0, { srcIp: '10.7.0.1' })]);
    expect(sink.alerts.map((a) => a.source.ip)).toEqual(['10.7.0.1']);
    expect(pipeline.stats().suppressed).toEqual([{ segment: 'servers', reason: 'allow_list', count: 12 }]);
    const allowed = logs.filter((l) => l.msg === 'detection allowed by allow-list');
    expect(allowed.map((l) => l.fields?.allowed)).toEqual([1, 10]);
    expect(allowed[0]?.fields).toMatchObject({ allow_list: 'row 0', reason: 'backup', source: '10.1.0.5' });
  });

  it('limits alerts per segment in event time and carries the held-back count', async () => {
    const { pipeline, sink, logs } = setup({ maxAlertsPerMinute: 2 });
    const hosts = (from: number, seconds: number) => at(seconds, { srcIp: `10.1.0.${from}` });
    await pipeline.handle([hosts(1, 0), hosts(2, 1), hosts(3, 2), hosts(4, 3)]);
    expect(sink.alerts).toHaveLength(2);
    await pipeline.handle([at(3, { srcIp: '10.1.0.5', segment: 'office' })]);
    expect(sink.alerts).toHaveLength(3);
    // 2 per minute = a token every 30 s of event time: none at 29 s, the next one by 33 s.
    await pipeline.handle([hosts(6, 29), at(33, { srcIp: '10.1.0.3' })]);
    expect(sink.alerts).toHaveLength(4);
    // The alert held back at 2 s was never recorded as emitted, so it is not a duplicate now.
    expect(sink.alerts[3]?.source.ip).toBe('10.1.0.3');
    expect(sink.alerts[3]?.tapwatch).toMatchObject({ rate_limited: 3, occurrences: 1 });
    expect(sink.alerts[2]?.tapwatch).not.toHaveProperty('rate_limited');
    expect(pipeline.stats().suppressed).toEqual([{ segment: 'servers', reason: 'rate_limited', count: 3 }]);
    expect(logs.filter((l) => l.msg.startsWith('alert rate limit reached'))).toHaveLength(1);
  });

  it('counts repeats as duplicates without spending tokens', async () => {
    const { pipeline, sink } = setup({ maxAlertsPerMinute: 1 });
    await pipeline.handle([at(0), at(1), at(2)]);
    expect(sink.alerts).toHaveLength(1);
    expect(pipeline.stats().suppressed).toEqual([{ segment: 'servers', reason: 'duplicate', count: 2 }]);
  });

  it.each([
    ['rule', 1, 2],
    ['src', 1, 2],
    ['dst', 2, 1],
    ['both', 2, 2],
  ] as const)('tracks dedup by %s', async (dedupTrackBy, sameSource, sameDestination) => {
    const a = setup({ dedupTrackBy });
    await a.pipeline.handle([at(0, { dstIp: '10.2.0.1' }), at(1, { dstIp: '10.2.0.2' })]);
    expect(a.sink.alerts).toHaveLength(sameSource);
    const b = setup({ dedupTrackBy });
    await b.pipeline.handle([at(0, { srcIp: '10.1.0.1' }), at(1, { srcIp: '10.1.0.2' })]);
    expect(b.sink.alerts).toHaveLength(sameDestination);
  });

  it('reconfigures window, severity, rate and allow-list keeping the dedup table and counters', async () => {
    const { pipeline, sink } = setup({ dedupWindowSeconds: 300 });
    await pipeline.handle([at(0), at(5)]);
    pipeline.reconfigure({ config: { dedupWindowSeconds: 10, minSeverity: 1 }, allowList: AllowList.EMPTY });
    await pipeline.handle([at(8), at(20)]);
    expect(sink.alerts).toHaveLength(2);
    expect(sink.alerts[1]?.tapwatch).toMatchObject({ occurrences: 3, suppressed: 2 });

    pipeline.reconfigure({ config: { dedupWindowSeconds: 10, minSeverity: 5 }, allowList: AllowList.EMPTY });
    await pipeline.handle([at(100)]);
    pipeline.reconfigure({
      config: { dedupWindowSeconds: 0, minSeverity: 1 },
      allowList: allow({ ports: [443] }),
    });
    await pipeline.handle([at(200)]);
    expect(sink.alerts).toHaveLength(2);
    expect(pipeline.stats().suppressed).toEqual([
      { segment: 'servers', reason: 'duplicate', count: 2 },
      { segment: 'servers', reason: 'below_min_severity', count: 1 },
      { segment: 'servers', reason: 'allow_list', count: 1 },
    ]);
  });

  it('rejects an out-of-range reconfigure and keeps running as before', async () => {
    const { pipeline, sink } = setup({ dedupWindowSeconds: 60 });
    expect(() =>
      pipeline.reconfigure({
        config: { dedupWindowSeconds: 0, minSeverity: 1, maxAlertsPerMinute: -1 },
        allowList: AllowList.EMPTY,
      }),
    ).toThrow(/alerts\.maxAlertsPerMinute/);
    await pipeline.handle([at(0), at(30)]);
    expect(sink.alerts).toHaveLength(1);
  });
});
