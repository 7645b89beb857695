import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from 'prom-client';
import type { ModelState } from '../core/detection.js';

/** Typed handles of every tapwatch metric, all registered on one daemon's own registry. */
export interface TapwatchMetrics {
  readonly registry: Registry;
  /** Always 1; the version is in the label. */
  buildInfo: Gauge<'version'>;
  inputRecords: Counter<'source' | 'format'>;
  /** Packets read from capture files (a capture's "records" are flows assembled from them). */
  inputPackets: Counter<'format'>;
  inputDecodeErrors: Counter<'format' | 'reason'>;
  /** Kafka messages produced to the dead-letter topic (or only counted without one). */
  inputDeadLettered: Counter<'reason'>;
  /** Kafka flows whose event time was behind the watermark (newest minus allowed lateness); still scored. */
  inputLateRecords: Counter;
  /** Wall clock minus the event time of the newest record read. */
  inputEventLag: Gauge;
  flowsProcessed: Counter<'segment'>;
  processingDuration: Histogram<'stage'>;
  segmentThreatScore: Gauge<'segment'>;
  segmentThreshold: Gauge<'segment'>;
  /** 1 for the segment's current state, 0 for the others (see `setModelState`). */
  segmentModelState: Gauge<'segment' | 'state'>;
  segmentAdaptations: Counter<'segment'>;
  forecastFlows: Gauge<'segment'>;
  observedFlows: Gauge<'segment'>;
  alertsEmitted: Counter<'segment' | 'severity'>;
  alertsSuppressed: Counter<'segment' | 'reason'>;
  /** Failed write/flush/close calls per alert sink. */
  alertSinkErrors: Counter<'sink'>;
  segmentsOverflow: Counter;
  kafkaConsumerLag: Gauge<'topic' | 'partition'>;
  kafkaProduceErrors: Counter<'topic'>;
  /** Kafka record timestamp of an alert's input to the broker acknowledging the alert. */
  alertLatency: Histogram;
  configLastReloadSuccess: Gauge;
  configLastReloadSuccessTimestamp: Gauge;
}

/** Options of `createMetrics`. */
export interface CreateMetricsOptions {
  /** tapwatch's version, the `version` label of `tapwatch_build_info`. */
  version?: string;
  /** Register prom-client's process and Node.js metrics (unprefixed names). Default true. */
  defaultMetrics?: boolean;
}

/** Every value of the `state` label of `tapwatch_segment_model_state`. */
export const MODEL_STATES: readonly ModelState[] = ['learning', 'ready', 'drift'];

/**
 * Seconds per stage call: from a 512-row scoring batch (milliseconds) down to a single
 * decode (tens of microseconds), up to a stalled adaptation step.
 */
const DURATION_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Seconds from a record entering Kafka to its alert being acknowledged: milliseconds to a stalled minute. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Define tapwatch's metrics on `registry`, which must be the daemon's own (never prom-client's
 * global one: two daemons in one test process would otherwise share counters).
 */
export function createMetrics(registry: Registry, options: CreateMetricsOptions = {}): TapwatchMetrics {
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers });

  const metrics: TapwatchMetrics = {
    registry,
    buildInfo: gauge('tapwatch_build_info', 'tapwatch build information; value is always 1.', ['version']),
    inputRecords: counter('tapwatch_input_records_total', 'Input records read.', ['source', 'format']),
    inputPackets: counter('tapwatch_input_packets_total', 'Packets read from capture files.', ['format']),
    inputDecodeErrors: counter(
      'tapwatch_input_decode_errors_total',
      'Input records that could not be decoded.',
      ['format', 'reason'],
    ),
    inputDeadLettered: counter(
      'tapwatch_input_dead_lettered_total',
      'Kafka messages sent to the dead-letter topic, by the first error reason.',
      ['reason'],
    ),
    inputLateRecords: counter(
      'tapwatch_input_late_records_total',
      'Flows older than the event-time watermark (newest event time minus the allowed lateness).',
    ),
    inputEventLag: gauge(
      'tapwatch_input_event_lag_seconds',
      'Wall clock minus the event time of the newest input record.',
    ),
    flowsProcessed: counter('tapwatch_flows_processed_total', 'Flows scored.', ['segment']),
    processingDuration: new Histogram({
      name: 'tapwatch_processing_duration_seconds',
      help: 'Time spent per call in each pipeline stage.',
      labelNames: ['stage'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    segmentThreatScore: gauge('tapwatch_segment_threat_score', 'Latest combined anomaly score.', ['segment']),
    segmentThreshold: gauge('tapwatch_segment_threshold', 'Current alerting threshold on the score.', [
      'segment',
    ]),
    segmentModelState: gauge('tapwatch_segment_model_state', '1 for the segment model state, 0 otherwise.', [
      'segment',
      'state',
    ]),
    segmentAdaptations: counter('tapwatch_segment_adaptations_total', 'Model adaptation rounds.', [
      'segment',
    ]),
    forecastFlows: gauge('tapwatch_forecast_flows', 'Forecast flows in the current window.', ['segment']),
    observedFlows: gauge('tapwatch_observed_flows', 'Observed flows in the current window.', ['segment']),
    alertsEmitted: counter('tapwatch_alerts_emitted_total', 'Alerts emitted.', ['segment', 'severity']),
    alertsSuppressed: counter('tapwatch_alerts_suppressed_total', 'Alerts suppressed.', [
      'segment',
      'reason',
    ]),
    alertSinkErrors: counter('tapwatch_alert_sink_errors_total', 'Failed alert sink calls.', ['sink']),
    segmentsOverflow: counter('tapwatch_segments_overflow_total', 'Flows folded into the overflow segment.'),
    kafkaConsumerLag: gauge('tapwatch_kafka_consumer_lag', 'High-water mark minus committed offset.', [
      'topic',
      'partition',
    ]),
    kafkaProduceErrors: counter('tapwatch_kafka_produce_errors_total', 'Failed produce requests.', ['topic']),
    alertLatency: new Histogram({
      name: 'tapwatch_alert_latency_seconds',
      help: 'From the Kafka timestamp of the record behind an alert to the SIEM broker acknowledging the alert.',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    configLastReloadSuccess: gauge(
      'tapwatch_config_last_reload_success',
      'Whether the last config reload succeeded.',
    ),
    configLastReloadSuccessTimestamp: gauge(
      'tapwatch_config_last_reload_success_timestamp_seconds',
      'Unix time of the last successful config load.',
    ),
  };
  metrics.buildInfo.set({ version: options.version ?? 'unknown' }, 1);
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return metrics;
}

/** Mark `state` as the segment's model state: 1 for it, 0 for the others, so PromQL can filter on `== 1`. */
export function setModelState(metrics: TapwatchMetrics, segment: string, state: ModelState): void {
  for (const s of MODEL_STATES) metrics.segmentModelState.set({ segment, state: s }, s === state ? 1 : 0);
}

/**
 * Remove every series labelled with `segment` (the segment was evicted or moved to another
 * instance), so dashboards do not show a frozen last value.
 */
export async function removeSegmentSeries(metrics: TapwatchMetrics, segment: string): Promise<void> {
  const labelled = [
    metrics.flowsProcessed,
    metrics.segmentThreatScore,
    metrics.segmentThreshold,
    metrics.segmentModelState,
    metrics.segmentAdaptations,
    metrics.forecastFlows,
    metrics.observedFlows,
    metrics.alertsEmitted,
    metrics.alertsSuppressed,
  ];
  for (const metric of labelled) {
    const { values } = await metric.get();
    for (const { labels } of values) {
      if (labels.segment === segment) metric.remove(labels as Record<string, string>);
    }
  }
}
