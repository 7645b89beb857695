import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { AlertPipeline } from './alerts/alert-pipeline.js';
import { loadAlertPolicy } from './alerts/alert-policy.js';
import { AlertSuppression } from './alerts/alert-suppression.js';
import { openSinks } from './alerts/sinks/open-sinks.js';
import { BatchPipeline } from './batch-pipeline.js';
import { KafkaMode } from './compose/kafka-mode.js';
import type { LoadedConfig } from './config/load-config.js';
import type { TapwatchConfig } from './config/schema.js';
import { InputError, TapwatchError } from './core/errors.js';
import type { FlowSource } from './core/flow-source.js';
import { FeatureExtractor } from './features/extract-features.js';
import { captureFlowSource } from './ingest/capture/capture-flow-source.js';
import { PcapFileSource } from './ingest/capture/pcap-file-source.js';
import { DetectorThread } from './meta/detector-thread.js';
import { loadInitialization } from './meta/training/load-initialization.js';
import { PipelineMetrics } from './pipeline-metrics.js';
import { formatSummary, type RunSummary, summarize } from './run-summary.js';
import { TelemetryServer } from './telemetry/http-server.js';
import { Logger } from './telemetry/logger.js';
import { createMetrics, type TapwatchMetrics } from './telemetry/metrics.js';

export interface DaemonOptions {
  version: string;
  verbose: boolean;
  /** Capture files to read instead of `input.capture.files` (`tapwatch replay`). */
  files?: string[];
  /** Replay pace instead of `input.capture.speed`. */
  speed?: number;
  /** Defaults to process.stdout / process.stderr; alerts go to stdout, logs and the summary to stderr. */
  stdout?: Writable & { isTTY?: boolean };
  stderr?: Writable;
}

/**
 * The composition root: builds every stage from the validated config, wires
 * ingest → features → meta → alerts, serves telemetry, and owns the run's lifecycle.
 * `done` resolves with the process exit code once the input ends or `stop()` drained it.
 */
export class Daemon {
  readonly done: Promise<number>;
  readonly #config: Readonly<TapwatchConfig>;
  readonly #log: Logger;
  readonly #metrics: TapwatchMetrics;
  readonly #pipelineMetrics: PipelineMetrics;
  readonly #source: FlowSource;
  readonly #capture: PcapFileSource | undefined;
  readonly #kafka: KafkaMode | undefined;
  readonly #files: string[];
  readonly #extractor: FeatureExtractor;
  readonly #detectors: DetectorThread;
  readonly #alerts: AlertPipeline;
  readonly #server: TelemetryServer | undefined;
  readonly #stderr: Writable;
  readonly #pipeline: BatchPipeline;
  #ready = false;
  #stopping: Promise<number> | undefined;

  private constructor(parts: {
    config: Readonly<TapwatchConfig>;
    log: Logger;
    metrics: TapwatchMetrics;
    source: FlowSource;
    capture: PcapFileSource | undefined;
    kafka: KafkaMode | undefined;
    files: string[];
    extractor: FeatureExtractor;
    detectors: DetectorThread;
    alerts: AlertPipeline;
    server: TelemetryServer | undefined;
    stderr: Writable;
    waitForTraining: boolean;
  }) {
    this.#config = parts.config;
    this.#log = parts.log;
    this.#metrics = parts.metrics;
    this.#pipelineMetrics = new PipelineMetrics(parts.metrics);
    this.#source = parts.source;
    this.#capture = parts.capture;
    this.#kafka = parts.kafka;
    this.#files = parts.files;
    this.#extractor = parts.extractor;
    this.#detectors = parts.detectors;
    this.#alerts = parts.alerts;
    this.#server = parts.server;
    this.#stderr = parts.stderr;
    this.#pipeline = new BatchPipeline({
      extractor: parts.extractor,
      detectors: parts.detectors,
      alerts: parts.alerts,
      metrics: this.#pipelineMetrics,
      capture: parts.capture,
      waitForTraining: parts.waitForTraining,
    });
    this.done = this.#run();
  }

  /** Build the stages, bind telemetry and start reading. Startup failures reject (exit code 2 or 1). */
  static async start(loaded: LoadedConfig, options: DaemonOptions): Promise<Daemon> {
    const { config } = loaded;
    const stdout = options.stdout ?? process.stdout;
    const stderr = options.stderr ?? process.stderr;
    const log = new Logger({ stream: stderr, level: options.verbose ? 'debug' : config.telemetry.logLevel });
    const files = options.files ?? [...config.input.capture.files];
    const kafkaInput = options.files === undefined && config.input.kafka.topics.length > 0;
    if (files.length === 0 && !kafkaInput) {
      throw new TapwatchError(
        'TAPWATCH_CONFIG_INVALID',
        `${loaded.file}: input: expected capture files (input.capture.files) or Kafka topics (input.kafka.topics), got neither (or use \`tapwatch replay FILE\`)`,
      );
    }
    const registry = new Registry();
    const metrics = createMetrics(registry, { version: options.version });
    metrics.configLastReloadSuccess.set(1);
    metrics.configLastReloadSuccessTimestamp.set(Date.now() / 1000);

    const alertLog = (
      level: 'debug' | 'info' | 'warn' | 'error',
      msg: string,
      fields?: Record<string, unknown>,
    ) => log.log(level, msg, fields);
    const sinks = await openSinks(config.alerts, { stdout, productVersion: options.version, log: alertLog });
    const extractor = new FeatureExtractor(config.segments, config.features);
    const initialization = await loadInitialization(config.detector, extractor.featureNames, (msg, fields) =>
      log.info(msg, fields),
    );
    const detectors = new DetectorThread({ config: config.detector, ...initialization }, (msg, fields) =>
      log.info(msg, fields),
    );
    await detectors.ready();
    const policy = loadAlertPolicy(config.alerts, loaded.file);
    // Dedup table and rate limiter exist before the Kafka parts: scale-out moves them with segments.
    const suppression = new AlertSuppression({ config: policy.config, log: alertLog });
    const kafka = await KafkaMode.open({
      config,
      useInput: kafkaInput,
      metrics,
      log,
      extractor,
      detectors,
      productVersion: options.version,
      alerts: suppression,
    });
    sinks.push(...(kafka?.sinks ?? []));
    const alerts = new AlertPipeline({
      ...policy,
      suppression,
      sinks,
      log: alertLog,
      counters: metrics,
      observerVersion: options.version,
      observerHostname: hostname(),
      classify: { isInternal: (ip) => extractor.router.isInternal(ip) },
    });
    const capture = kafka?.source
      ? undefined
      : new PcapFileSource(files, config.flows, { speed: options.speed ?? config.input.capture.speed });
    const source = kafka?.source ?? captureFlowSource(capture!);

    let daemon: Daemon | undefined;
    const server = config.telemetry.listen
      ? new TelemetryServer({
          listen: config.telemetry.listen,
          registry,
          isReady: () => daemon?.ready ?? false,
          onError: (err) => log.warn('telemetry request failed', { err }),
        })
      : undefined;
    if (server) {
      const bound = await server.start();
      log.info('telemetry listening', {
        address: `${bound.host.includes(':') ? `[${bound.host}]` : bound.host}:${bound.port}`,
        url: bound.url,
      });
    }
    log.info('tapwatch started', {
      version: options.version,
      config: loaded.file,
      ...(kafkaInput ? { topics: config.input.kafka.topics.map((t) => t.name) } : { files }),
    });
    daemon = new Daemon({
      config,
      log,
      metrics,
      source,
      capture,
      kafka,
      files,
      extractor,
      detectors,
      alerts,
      server,
      stderr,
      waitForTraining: !kafkaInput && (options.speed ?? config.input.capture.speed) === 0,
    });
    return daemon;
  }

  /** True while the input is open and every stage is running (what `/-/ready` reports). */
  get ready(): boolean {
    return this.#ready && this.#source.connected;
  }

  /** Stop reading, drain every stage, close telemetry; idempotent, resolves with the exit code. */
  stop(reason = 'stop'): Promise<number> {
    if (!this.#stopping) {
      this.#log.info('draining', { reason });
      this.#stopping = this.#source.close().then(() => this.done);
    }
    return this.#stopping;
  }

  /** Validate a new config; the swap happens only when it is valid (the old one stays otherwise). */
  reload(load: () => LoadedConfig): void {
    try {
      const loaded = load();
      const next = loaded.config;
      // Validate everything first (the allow-list file too), then swap: a failure keeps the old config.
      const policy = loadAlertPolicy(next.alerts, loaded.file);
      const restartNeeded = describeRestartNeeded(this.#config, next);
      this.#alerts.reconfigure(policy);
      this.#metrics.configLastReloadSuccess.set(1);
      this.#metrics.configLastReloadSuccessTimestamp.set(Date.now() / 1000);
      this.#log.level = next.telemetry.logLevel;
      this.#log.info(
        'config reloaded',
        restartNeeded.length > 0 ? { restart_needed_for: restartNeeded } : {},
      );
    } catch (err) {
      this.#metrics.configLastReloadSuccess.set(0);
      this.#log.error('config reload failed; keeping the running config', { error: (err as Error).message });
    }
  }

  /** SIGUSR2: one log line with every stage's counters. */
  dumpStats(): void {
    this.#log.info('stats', {
      source: this.#capture?.stats,
      flows: this.#pipeline.flows,
      tracking: this.#extractor.tracking,
      segments: Object.fromEntries(this.#detectors.stats()),
      alerts: this.#alerts.stats(),
    });
  }

  async #run(): Promise<number> {
    const started = performance.now();
    // Warm-up training finishes between batches: refresh model states even while input is idle.
    const refresh = setInterval(() => {
      this.#detectors.refreshStats().then(
        () => this.#pipelineMetrics.scored([], this.#extractor, this.#detectors),
        () => undefined, // the detector thread failed: the batch in flight reports it
      );
    }, 1000);
    refresh.unref();
    let error: InputError | undefined;
    this.#ready = true;
    try {
      await this.#pipeline.run(this.#source.batches());
    } catch (err) {
      if (!(err instanceof InputError)) {
        // A bug, not bad input: release what keeps the process alive, then let main report it.
        this.#ready = false;
        clearInterval(refresh);
        await Promise.allSettled([this.#source.close(), this.#detectors.close(), this.#server?.close()]);
        throw err;
      }
      error = err;
      this.#log.error(err.message, { code: err.code, reason: err.reason });
    }
    await this.#pipeline.delivered();
    this.#ready = false;
    clearInterval(refresh);
    await this.#detectors.flush();
    await this.#alerts.close();
    await this.#kafka?.finish();
    if (this.#capture) {
      const summary = this.#summary((performance.now() - started) / 1000, error);
      this.#stderr.write(formatSummary(summary));
      this.#log.info('summary', { ...summary });
    } else {
      this.#log.info('summary', {
        flows: this.#pipeline.flows,
        segments: this.#extractor.router.segments,
        alerts: this.#alerts.stats(),
      });
    }
    await this.#detectors.close();
    await this.#server?.close();
    if (error) this.#stderr.write(`tapwatch: ${error.message}\n`);
    return error ? 1 : 0;
  }

  #summary(seconds: number, error: InputError | undefined): RunSummary {
    const summary = summarize(
      this.#files,
      this.#capture!.stats,
      this.#pipeline.flows,
      this.#extractor.router.segments,
      this.#alerts.stats(),
      seconds,
    );
    if (error) summary.error = error.message;
    return summary;
  }
}

/** Top-level sections whose change needs a restart to take effect. */
function describeRestartNeeded(current: Readonly<TapwatchConfig>, next: Readonly<TapwatchConfig>): string[] {
  // alerts and telemetry.logLevel are swapped live; the rest is built once at start.
  const sections = ['input', 'flows', 'segments', 'features', 'detector', 'scaleOut'] as const;
  const changed: string[] = sections.filter((s) => JSON.stringify(current[s]) !== JSON.stringify(next[s]));
  // The Kafka alert producer is connected once at start.
  if (JSON.stringify(current.alerts.kafka) !== JSON.stringify(next.alerts.kafka))
    changed.push('alerts.kafka');
  return changed;
}
