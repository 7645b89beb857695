import type { AlertsConfig } from '../config/schema.js';
import type { Detection } from '../core/detection.js';
import { TapwatchError } from '../core/errors.js';
import type { Alert } from './alert.js';
import { dedupKey } from './alert-id.js';
import { buildAlert } from './build-alert.js';
import { type ClassifyOptions, classifyDetection } from './classify-detection.js';
import { DedupTable } from './dedup-table.js';
import { severityMapping } from './severity.js';
import type { AlertLogFn, AlertSink } from './sinks/alert-sink.js';

/** Why an above-threshold detection did not become an alert (the `reason` metric label). */
export type SuppressReason = 'duplicate' | 'below_min_severity';

/** Counter handles the pipeline increments; prom-client `Counter`s fit this shape. */
export interface AlertPipelineCounters {
  alertsEmitted: { inc(labels: { segment: string; severity: string }, value?: number): void };
  alertsSuppressed: { inc(labels: { segment: string; reason: string }, value?: number): void };
  alertSinkErrors?: { inc(labels: { sink: string }, value?: number): void };
}

/** Construction options; `config` is the validated `alerts` slice of the config. */
export interface AlertPipelineOptions {
  config: Pick<AlertsConfig, 'dedupWindowSeconds' | 'minSeverity'>;
  sinks: readonly AlertSink[];
  log: AlertLogFn;
  counters?: AlertPipelineCounters;
  classify?: ClassifyOptions;
  observerVersion?: string;
  observerHostname?: string;
  /** Most dedup keys remembered at once. Default 10,000. */
  maxDedupKeys?: number;
}

/** Counters since start, e.g. for the SIGUSR2 stats dump. */
export interface AlertPipelineStats {
  emitted: { segment: string; severity: string; count: number }[];
  suppressed: { segment: string; reason: SuppressReason; count: number }[];
  /** Failed write/flush/close calls per sink name. */
  sinkFailures: Record<string, number>;
  dedupKeys: number;
}

/**
 * The alerts stage: picks the detections worth an alert, classifies them, applies the minimum
 * severity, folds repeats (see `DedupTable`), builds ECS alerts and hands each to every sink.
 * `handle()` resolves only after every sink accepted the batch's alerts, so the caller can
 * commit input offsets then. A failing sink is counted and logged and never stops the others.
 */
export class AlertPipeline {
  readonly #options: AlertPipelineOptions;
  readonly #dedup: DedupTable;
  readonly #emitted = new Map<string, number>();
  readonly #suppressed = new Map<string, number>();
  readonly #sinkFailures = new Map<string, number>();
  #closing: Promise<void> | undefined;

  constructor(options: AlertPipelineOptions) {
    this.#options = options;
    this.#dedup = new DedupTable({
      windowSeconds: options.config.dedupWindowSeconds,
      maxKeys: options.maxDedupKeys ?? 10_000,
      onDropped: (key, suppressed) =>
        options.log('info', 'dedup table full: forgetting suppressed repeats', {
          dedup_key: key,
          suppressed,
        }),
    });
  }

  /** Turn one batch of scored flows into alerts and deliver them. */
  async handle(detections: readonly Detection[]): Promise<void> {
    if (this.#closing !== undefined)
      throw new TapwatchError('TAPWATCH_USAGE', 'AlertPipeline.handle() called after close()');
    for (const detection of detections) {
      const alert = this.#consider(detection);
      if (alert !== undefined) await this.#deliver(alert);
    }
  }

  /** Flush every sink; failures are counted and logged, never thrown. */
  async flush(): Promise<void> {
    await Promise.all(this.#options.sinks.map((sink) => this.#guard(sink, 'flush', () => sink.flush())));
  }

  /** Flush and close every sink once; later calls return the same promise. */
  close(): Promise<void> {
    this.#closing ??= this.#closeSinks();
    return this.#closing;
  }

  /** Counters so far, for a stats dump and for tests. */
  stats(): AlertPipelineStats {
    return {
      emitted: [...this.#emitted].map(([key, count]) => {
        const [segment, severity] = splitKey(key);
        return { segment, severity, count };
      }),
      suppressed: [...this.#suppressed].map(([key, count]) => {
        const [segment, reason] = splitKey(key);
        return { segment, reason: reason as SuppressReason, count };
      }),
      sinkFailures: Object.fromEntries(this.#sinkFailures),
      dedupKeys: this.#dedup.size,
    };
  }

  #consider(detection: Detection): Alert | undefined {
    if (detection.modelState !== 'ready' || !(detection.score > detection.threshold)) return undefined;
    const { segment } = detection.flow;
    const classification = classifyDetection(detection, this.#options.classify);
    if (classification.severity < this.#options.config.minSeverity) {
      this.#countSuppressed(segment, 'below_min_severity');
      return undefined;
    }
    const decision = this.#dedup.observe(dedupKey(detection.flow, classification.rule), detection.flow.end);
    if (!decision.emit) {
      this.#countSuppressed(segment, 'duplicate');
      return undefined;
    }
    const severity = severityMapping(classification.severity).name;
    bump(this.#emitted, `${segment}\u0000${severity}`);
    this.#options.counters?.alertsEmitted.inc({ segment, severity });
    return buildAlert(detection, classification, {
      occurrences: decision.occurrences,
      observerVersion: this.#options.observerVersion,
      observerHostname: this.#options.observerHostname,
      isInternal: this.#options.classify?.isInternal,
    });
  }

  async #deliver(alert: Alert): Promise<void> {
    await Promise.all(this.#options.sinks.map((sink) => this.#guard(sink, 'write', () => sink.write(alert))));
  }

  async #closeSinks(): Promise<void> {
    const pending = this.#dedup.pending();
    if (pending.length > 0) {
      const total = pending.reduce((sum, p) => sum + p.suppressed, 0);
      this.#options.log('info', 'suppressed duplicate alerts not carried by a later alert', {
        suppressed: total,
        keys: pending.length,
        top: pending.sort((a, b) => b.suppressed - a.suppressed).slice(0, 10),
      });
    }
    await Promise.all(
      this.#options.sinks.map(async (sink) => {
        await this.#guard(sink, 'flush', () => sink.flush());
        await this.#guard(sink, 'close', () => sink.close());
      }),
    );
  }

  async #guard(
    sink: AlertSink,
    op: 'write' | 'flush' | 'close',
    call: () => Promise<void> | void,
  ): Promise<void> {
    try {
      await call();
    } catch (err) {
      const failures = bump(this.#sinkFailures, sink.name);
      this.#options.counters?.alertSinkErrors?.inc({ sink: sink.name });
      // A dead sink fails on every alert: log the 1st, 10th, 100th... failure, not each one.
      if (isPowerOfTen(failures)) {
        this.#options.log('error', `alert sink ${sink.name}: ${op} failed`, {
          sink: sink.name,
          op,
          failures,
          err,
        });
      }
    }
  }

  #countSuppressed(segment: string, reason: SuppressReason): void {
    bump(this.#suppressed, `${segment}\u0000${reason}`);
    this.#options.counters?.alertsSuppressed.inc({ segment, reason });
  }
}

function bump(map: Map<string, number>, key: string): number {
  const next = (map.get(key) ?? 0) + 1;
  map.set(key, next);
  return next;
}

function isPowerOfTen(n: number): boolean {
  let rest = n;
  while (rest >= 10 && rest % 10 === 0) rest /= 10;
  return rest === 1;
}

function splitKey(key: string): [string, string] {
  const at = key.indexOf('\u0000');
  return [key.slice(0, at), key.slice(at + 1)];
}
