import { Registry, register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics, removeSegmentSeries, setModelState } from './metrics.js';

const EXPECTED = [
  'tapwatch_build_info',
  'tapwatch_input_records_total',
  'tapwatch_input_packets_total',
  'tapwatch_input_decode_errors_total',
  'tapwatch_input_event_lag_seconds',
  'tapwatch_flows_processed_total',
  'tapwatch_processing_duration_seconds',
  'tapwatch_segment_threat_score',
  'tapwatch_segment_threshold',
  'tapwatch_segment_model_state',
  'tapwatch_segment_adaptations_total',
  'tapwatch_forecast_flows',
  'tapwatch_observed_flows',
  'tapwatch_alerts_emitted_total',
  'tapwatch_alerts_suppressed_total',
  'tapwatch_segments_overflow_total',
  'tapwatch_kafka_consumer_lag',
  'tapwatch_kafka_produce_errors_total',
  'tapwatch_config_last_reload_success',
  'tapwatch_config_last_reload_success_timestamp_seconds',
];

describe('createMetrics', () => {
  it('registers every documented metric and the default process metrics on the given registry', async () => {
    const registry = new Registry();
    createMetrics(registry, { version: '1.2.3' });
    const text = await registry.metrics();
    for (const name of EXPECTED) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('tapwatch_build_info{version="1.2.3"} 1');
    expect(text).toContain('# TYPE tapwatch_processing_duration_seconds histogram');
    expect(text).toContain('# TYPE process_cpu_seconds_total counter');
    expect(text).toContain('# TYPE nodejs_heap_size_total_bytes gauge');
  });

  it('gives each registry its own state', async () => {
    const a = new Registry();
    const b = new Registry();
    const ma = createMetrics(a, { defaultMetrics: false });
    const mb = createMetrics(b, { defaultMetrics: false });
    ma.flowsProcessed.inc({ segment: 'servers' }, 5);
    mb.flowsProcessed.inc({ segment: 'servers' }, 2);
    expect(await a.getSingleMetricAsString('tapwatch_flows_processed_total')).toContain(
      '{segment="servers"} 5',
    );
    expect(await b.getSingleMetricAsString('tapwatch_flows_processed_total')).toContain(
      '{segment="servers"} 2',
    );
    expect(a.getSingleMetric('process_cpu_seconds_total')).toBeUndefined();
    // Nothing leaks into prom-client's global registry.
    expect(register.getSingleMetric('tapwatch_flows_processed_total')).toBeUndefined();
  });

  it('keeps one model state at 1 per segment', async () => {
    const m = createMetrics(new Registry(), { defaultMetrics: false });
    setModelState(m, 'servers', 'learning');
    setModelState(m, 'servers', 'ready');
    const { values } = await m.segmentModelState.get();
    expect(values.map((v) => [v.labels.state, v.value])).toEqual([
      ['learning', 0],
      ['ready', 1],
      ['drift', 0],
    ]);
  });

  it('removes every series of one segment and keeps the others', async () => {
    const registry = new Registry();
    const m = createMetrics(registry, { defaultMetrics: false });
    for (const segment of ['servers', 'office']) {
      m.flowsProcessed.inc({ segment });
      m.segmentThreshold.set({ segment }, 4.2);
      setModelState(m, segment, 'ready');
      m.alertsEmitted.inc({ segment, severity: 'high' });
    }
    await removeSegmentSeries(m, 'servers');
    const text = await registry.metrics();
    expect(text).not.toContain('segment="servers"');
    expect(text).toContain('tapwatch_segment_threshold{segment="office"} 4.2');
  });
});
