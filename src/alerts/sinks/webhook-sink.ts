import { SinkError } from '../../core/errors.js';
import type { Alert } from '../alert.js';
import {
  type AlertFormat,
  type FormatAlertOptions,
  formatAlertText,
  JSON_ALERT_FORMATS,
} from '../formats/format-alert.js';
import type { AlertLogFn, AlertSink } from './alert-sink.js';
import { backoffDelayMs } from './backoff.js';
import { DropOldestQueue } from './drop-oldest-queue.js';
import { isLogWorthy } from './log-worthy.js';

/** Options of `WebhookSink`, from `alerts.webhook`. */
export interface WebhookSinkOptions {
  /** http(s) URL each alert is POSTed to. */
  url: string;
  /** Body format. Default `ecs`; cef and leef are sent as text/plain. */
  format?: AlertFormat;
  /** Extra request headers, e.g. Authorization (already env-substituted). Never logged. */
  headers?: Record<string, string>;
  /** Per-request timeout. Default 5000. */
  timeoutMs?: number;
  /** Retries after the first try, on network errors, timeouts, 408, 429 and 5xx. Default 5. */
  maxRetries?: number;
  /** Retry backoff. Default 500 ms doubling up to 30 s, with jitter. */
  retry?: { initialDelayMs: number; maxDelayMs: number };
  /** Longest Retry-After honoured; a longer one is cut to this. Default 60,000. */
  maxRetryAfterMs?: number;
  /** Alerts waiting for delivery; when full the oldest is dropped and counted. Default 1000. */
  maxQueue?: number;
  /** Requests in flight at once. Default 2. */
  concurrency?: number;
  /** Upper bound of `flush()` and of the drain in `close()`. Default 10,000. */
  flushTimeoutMs?: number;
  formatOptions?: FormatAlertOptions;
  log: AlertLogFn;
  /** Jitter source; tests pass a fixed one. */
  random?: () => number;
}

/** Counters of a webhook sink since it was created. */
export interface WebhookSinkStats {
  delivered: number;
  /** Dropped because the queue was full, or still queued when `close()` gave up. */
  dropped: number;
  /** Given up: retries exhausted, or rejected by a non-retriable status (4xx). */
  failed: number;
  retries: number;
  queued: number;
  inFlight: number;
}

type Attempt = { ok: true } | { ok: false; retriable: boolean; reason: string; retryAfterMs?: number };

/**
 * Alerts POSTed one per request to an HTTP endpoint (SOAR, chat-ops relays, Splunk HEC-style
 * collectors) with Node's fetch. `write()` only queues, so a slow or dead endpoint never
 * stalls detection: a bounded queue feeds up to `concurrency` workers that retry with
 * exponential backoff and jitter, honour Retry-After, and count what they give up on.
 * Only the URL's origin and path are ever logged — never headers, credentials or the query.
 */
export class WebhookSink implements AlertSink {
  readonly name = 'webhook';
  readonly #options: WebhookSinkOptions;
  readonly #target: string;
  readonly #queue: DropOldestQueue<string>;
  readonly #headers: Headers;
  readonly #abort = new AbortController();
  #workers = 0;
  #delivered = 0;
  #failed = 0;
  #retries = 0;
  #droppedOnClose = 0;
  #idleWaiters: (() => void)[] = [];
  #closing: Promise<void> | undefined;

  constructor(options: WebhookSinkOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new SinkError(`webhook ${url.protocol}//${url.host}: expected an http or https URL`);
    }
    this.#options = options;
    this.#target = `${url.protocol}//${url.host}${url.pathname}`;
    this.#queue = new DropOldestQueue(options.maxQueue ?? 1000);
    const json = JSON_ALERT_FORMATS.includes(options.format ?? 'ecs');
    this.#headers = new Headers({
      'content-type': json ? 'application/json' : 'text/plain; charset=utf-8',
      'user-agent': 'tapwatch',
    });
    // set() replaces case-insensitively, so a configured Content-Type wins over the default.
    for (const [name, value] of Object.entries(options.headers ?? {})) this.#headers.set(name, value);
  }

  write(alert: Alert): void {
    if (this.#closing !== undefined) throw new SinkError(`webhook ${this.#target}: write after close`);
    const body = formatAlertText(alert, this.#options.format ?? 'ecs', this.#options.formatOptions);
    if (this.#queue.push(body) !== undefined && isLogWorthy(this.#queue.dropped)) {
      this.#options.log('warn', 'webhook queue full: dropping the oldest alerts', {
        target: this.#target,
        dropped: this.#queue.dropped,
      });
    }
    if (this.#workers < (this.#options.concurrency ?? 2)) {
      this.#workers++;
      void this.#work();
    }
  }

  /** Wait (bounded by `flushTimeoutMs`) until every queued alert was delivered or given up on. */
  async flush(): Promise<void> {
    if (this.#isIdle()) return;
    const timeoutMs = this.#options.flushTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([idle, timeout]).finally(() => clearTimeout(timer));
    if (!this.#isIdle()) {
      throw new SinkError(
        `webhook ${this.#target}: ${this.#queue.size + this.#workers} alerts undelivered after ${timeoutMs} ms`,
        { retriable: true },
      );
    }
  }

  /** Drain (bounded), then abort what is still in flight; every call returns the same promise. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  stats(): WebhookSinkStats {
    return {
      delivered: this.#delivered,
      dropped: this.#queue.dropped + this.#droppedOnClose,
      failed: this.#failed,
      retries: this.#retries,
      queued: this.#queue.size,
      inFlight: this.#workers,
    };
  }

  async #close(): Promise<void> {
    try {
      await this.flush();
    } catch (err) {
      this.#options.log('warn', 'webhook close: dropping alerts the endpoint did not take in time', {
        target: this.#target,
        err,
      });
    }
    this.#droppedOnClose += this.#queue.clear();
    this.#abort.abort(new SinkError(`webhook ${this.#target}: sink closed`));
  }

  async #work(): Promise<void> {
    try {
      for (let body = this.#queue.shift(); body !== undefined; body = this.#queue.shift()) {
        await this.#deliver(body);
      }
    } finally {
      this.#workers--;
      if (this.#isIdle()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  async #deliver(body: string): Promise<void> {
    const maxRetries = this.#options.maxRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      const result = await this.#post(body);
      if (result.ok) {
        this.#delivered++;
        return;
      }
      if (!result.retriable || attempt >= maxRetries || this.#abort.signal.aborted) {
        this.#giveUp(result.reason, attempt + 1);
        return;
      }
      this.#retries++;
      const backoffMs = backoffDelayMs(attempt, {
        ...(this.#options.retry ?? { initialDelayMs: 500, maxDelayMs: 30_000 }),
        random: this.#options.random,
      });
      const retryAfterMs = Math.min(result.retryAfterMs ?? 0, this.#options.maxRetryAfterMs ?? 60_000);
      await sleep(Math.max(backoffMs, retryAfterMs), this.#abort.signal);
    }
  }

  async #post(body: string): Promise<Attempt> {
    const timeoutMs = this.#options.timeoutMs ?? 5000;
    try {
      const response = await fetch(this.#options.url, {
        method: 'POST',
        headers: this.#headers,
        body,
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.#abort.signal]),
      });
      // Read the body off so the keep-alive connection can be reused.
      await response.arrayBuffer();
      if (response.ok) return { ok: true };
      const status = response.status;
      const retriable = status === 408 || status === 429 || status >= 500;
      return {
        ok: false,
        retriable,
        reason: `HTTP ${status}`,
        retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
      };
    } catch (err) {
      const error = err as Error;
      const reason = error.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : networkReason(error);
      return { ok: false, retriable: true, reason };
    }
  }

  #giveUp(reason: string, tries: number): void {
    this.#failed++;
    if (isLogWorthy(this.#failed)) {
      this.#options.log('error', 'webhook delivery failed: alert dropped', {
        target: this.#target,
        reason,
        tries,
        failed: this.#failed,
      });
    }
  }

  #isIdle(): boolean {
    return this.#queue.size === 0 && this.#workers === 0;
  }
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from now. */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** fetch wraps socket errors as `TypeError: fetch failed` with the real one as `cause`. */
function networkReason(error: Error): string {
  const cause = error.cause as NodeJS.ErrnoException | undefined;
  return cause?.code ?? cause?.message ?? error.message;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
