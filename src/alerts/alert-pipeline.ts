import type { Detection } from '../core/detection.js';
import { ConfigError, TapwatchError } from '../core/errors.js';
import type { Alert } from './alert.js';
import { dedupKey } from './alert-id.js';
import type { AlertPolicy, AlertPolicyConfig } from './alert-policy.js';
import { AlertSuppression } from './alert-suppression.js';
import { AllowList, type AllowListMatch } from './allow-list.js';
import { buildAlert } from './build-alert.js';
import { type Classification, type ClassifyOptions, classifyDetection } from './classify-detection.js';
import type { DedupTable } from './dedup-table.js';
import type { SegmentRateLimiter } from './segment-rate-limiter.js';
import { severityMapping } from './severity.js';
import type { AlertLogFn, AlertSink } from './sinks/alert-sink.js';

/** Why an above-threshold detection did not become an alert (the `reason` metric label). */
export type SuppressReason = 'allow_list' | 'below_min_severity' | 'duplicate' | 'rate_limited';

/** Counter handles the pipeline increments; prom-client `Counter`s fit this shape. */
export interface AlertPipelineCounters {
  alertsEmitted: { inc(labels: { segment: string; severity: string }, value?: number): void };
  alertsSuppressed: { inc(labels: { segment: string; reason: string }, value?: number): void };
  alertSinkErrors?: { inc(labels: { sink: string }, value?: number): void };
}

/**
 * Construction options. `config` and `allowList` are what `loadAlertPolicy()` returns for the
 * validated `alerts` slice; `reconfigure()` swaps them later.
 */
export interface AlertPipelineOptions {
  config: AlertPolicyConfig;
  /** Detections this list matches never become alerts. Default: empty. */
  allowList?: AllowList;
  sinks: readonly AlertSink[];
  log: AlertLogFn;
  counters?: AlertPipelineCounters;
  classify?: ClassifyOptions;
  observerVersion?: string;
  observerHostname?: string;
  /** Most dedup keys remembered at once. Default 10,000. Ignored with `suppression`. */
  maxDedupKeys?: number;
  /**
   * Dedup table and rate limiter to use, when something else must reach them too (scale-out
   * moves each segment's share with the segment). Default: the pipeline's own. `config` is
   * applied to it.
   */
  suppression?: AlertSuppression;
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
 * The alerts stage: picks the detections worth an alert, classifies them, drops allow-listed
 * ones, applies the minimum severity, folds repeats (see `DedupTable`), limits the alert rate
 * per segment (see `SegmentRateLimiter`), builds ECS alerts and hands each to every sink.
 * `handle()` resolves only after every sink accepted the batch's alerts, so the caller can
 * commit input offsets then. A failing sink is counted and logged and never stops the others.
 */
export class AlertPipeline {
  readonly #options: AlertPipelineOptions;
  readonly #dedup: DedupTable;
  readonly #rate: SegmentRateLimiter;
  #config: AlertPolicyConfig;
  #allowList: AllowList;
  /** Detections allowed per allow-list row (by origin), to log the 1st, 10th, 100th... of each. */
  readonly #allowHits = new Map<string, number>();
  readonly #emitted = new Map<string, number>();
  readonly #suppressed = new Map<string, number>();
  readonly #sinkFailures = new Map<string, number>();
  #closing: Promise<void> | undefined;

  constructor(options: AlertPipelineOptions) {
    checkPolicy(options.config);
    this.#options = options;
    this.#config = options.config;
    this.#allowList = options.allowList ?? AllowList.EMPTY;
    const suppression =
      options.suppression ??
      new AlertSuppression({ config: options.config, log: options.log, maxDedupKeys: options.maxDedupKeys });
    this.#rate = suppression.rate;
    this.#dedup = suppression.dedup;
    this.#dedup.windowSeconds = options.config.dedupWindowSeconds;
    this.#rate.perMinute = options.config.maxAlertsPerMinute ?? 0;
  }

  /** Turn one batch of scored flows into alerts and deliver them. */
  async handle(detections: readonly Detection[]): Promise<void> {
    if (this.#closing !== undefined)
      throw new TapwatchError('TAPWATCH_USAGE', 'AlertPipeline.handle() called after close()');
    const alerts: Alert[] = [];
    for (const detection of detections) {
      const alert = this.#consider(detection);
      if (alert !== undefined) alerts.push(alert);
    }
    // Writes start in order and run together, so a sink that batches until the broker
    // acknowledges (Kafka) sends the batch's alerts in one request instead of one per alert.
    await Promise.all(alerts.map((alert) => this.#deliver(alert)));
  }

  /**
   * Swap dedup window, dedup tracking, minimum severity, rate limit and allow-list at once,
   * e.g. on SIGHUP. The dedup table, rate buckets and counters are kept: a key emitted before
   * is still suppressed under the new window, and held-back counts still reach the next alert.
   * Keys made under another `dedupTrackBy` simply age out. Throws a `ConfigError` and changes
   * nothing when a value is out of range (the schema normally rules that out).
   */
  reconfigure(next: AlertPolicy): void {
    checkPolicy(next.config);
    this.#dedup.windowSeconds = next.config.dedupWindowSeconds;
    this.#rate.perMinute = next.config.maxAlertsPerMinute ?? 0;
    this.#config = next.config;
    if (next.allowList !== this.#allowList) this.#allowHits.clear();
    this.#allowList = next.allowList;
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
    const { flow } = detection;
    const classification = classifyDetection(detection, this.#options.classify);
    const allowed = this.#allowList.match(flow, classification.ruleId);
    if (allowed !== undefined) {
      this.#countSuppressed(flow.segment, 'allow_list');
      this.#logAllowed(detection, classification, allowed);
      return undefined;
    }
    if (classification.severity < this.#config.minSeverity) {
      this.#countSuppressed(flow.segment, 'below_min_severity');
      return undefined;
    }
    const key = dedupKey(flow, classification.rule, this.#config.dedupTrackBy);
    // A duplicate never costs a token, and an alert the rate limit holds back is not recorded
    // as emitted: otherwise its repeats would be folded into an alert nobody received.
    if (!this.#dedup.wouldSuppress(key, flow.end)) {
      const rate = this.#rate.take(flow.segment, flow.end);
      if (!rate.allowed) {
        this.#countSuppressed(flow.segment, 'rate_limited');
        if (rate.suppressed === 1) this.#logRateLimited(flow.segment);
        return undefined;
      }
      return this.#emit(detection, classification, key, rate.suppressedBefore);
    }
    this.#dedup.observe(key, flow.end, flow.segment);
    this.#countSuppressed(flow.segment, 'duplicate');
    return undefined;
  }

  #emit(detection: Detection, classification: Classification, key: string, rateLimited: number): Alert {
    const { segment } = detection.flow;
    const decision = this.#dedup.observe(key, detection.flow.end, segment);
    const severity = severityMapping(classification.severity).name;
    bump(this.#emitted, `${segment}\u0000${severity}`);
    this.#options.counters?.alertsEmitted.inc({ segment, severity });
    return buildAlert(detection, classification, {
      occurrences: decision.emit ? decision.occurrences : 1,
      rateLimited,
      dedupTrackBy: this.#config.dedupTrackBy,
      observerVersion: this.#options.observerVersion,
      observerHostname: this.#options.observerHostname,
      isInternal: this.#options.classify?.isInternal,
    });
  }

  #logAllowed(detection: Detection, classification: Classification, match: AllowListMatch): void {
    // An allowed scanner can match thousands of times a minute: log the 1st, 10th, 100th... per row.
    const hits = bump(this.#allowHits, match.origin);
    if (!isPowerOfTen(hits)) return;
    const { flow } = detection;
    this.#options.log('info', 'detection allowed by allow-list', {
      allow_list: match.origin,
      reason: match.reason,
      rule: classification.rule.id,
      segment: flow.segment,
      source: flow.srcIp,
      destination: flow.dstIp,
      destination_port: flow.dstPort,
      allowed: hits,
    });
  }

  #logRateLimited(segment: string): void {
    this.#options.log('warn', 'alert rate limit reached; holding back alerts', {
      segment,
      max_alerts_per_minute: this.#config.maxAlertsPerMinute,
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
    const limited = this.#rate.pending();
    if (limited.length > 0) {
      this.#options.log('info', 'rate-limited alerts not carried by a later alert', { segments: limited });
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

/** Reject out-of-range values before anything is swapped, so a reconfigure is all or nothing. */
function checkPolicy(config: AlertPolicyConfig): void {
  const rate = config.maxAlertsPerMinute ?? 0;
  if (!(config.dedupWindowSeconds >= 0))
    throw new ConfigError(
      `alerts.dedupWindowSeconds: expected a number >= 0, got ${config.dedupWindowSeconds}`,
    );
  if (!Number.isInteger(rate) || rate < 0)
    throw new ConfigError(`alerts.maxAlertsPerMinute: expected a whole number >= 0, got ${rate}`);
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
