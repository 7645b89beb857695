import type { LogLevel } from './logger.js';

/** Options of `RateLimitedLogger`. */
export interface RateLimitedLoggerOptions {
  /** Where lines go; a `Logger` fits. */
  logger: { log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void };
  /** Lines per key per interval before the rest are only counted. Default 5. */
  maxPerInterval?: number;
  /** Interval length. Default 60 s. */
  intervalMs?: number;
  /** Most keys tracked; the oldest is forgotten (after its summary) beyond it. Default 1,000. */
  maxKeys?: number;
  /** Epoch-ms clock; tests pass a fake one. */
  clock?: () => number;
}

interface KeyState {
  windowStartMs: number;
  logged: number;
  suppressed: number;
  level: LogLevel;
}

/**
 * Logging for bad input that may repeat at line rate (a corrupt topic, a malformed capture):
 * at most `maxPerInterval` lines per key per interval, then a count. When the key's next
 * interval starts — or on `flush()` — one summary line says how many were held back, so the
 * log shows the scale of the problem without drowning in it. Keys should come from small fixed
 * sets such as `${format}:${reason}`.
 */
export class RateLimitedLogger {
  readonly #logger: RateLimitedLoggerOptions['logger'];
  readonly #maxPerInterval: number;
  readonly #intervalMs: number;
  readonly #maxKeys: number;
  readonly #clock: () => number;
  readonly #keys = new Map<string, KeyState>();

  constructor(options: RateLimitedLoggerOptions) {
    this.#logger = options.logger;
    this.#maxPerInterval = options.maxPerInterval ?? 5;
    this.#intervalMs = options.intervalMs ?? 60_000;
    this.#maxKeys = options.maxKeys ?? 1000;
    this.#clock = options.clock ?? Date.now;
  }

  /** Log under `key` unless the key already used up its lines for this interval. */
  log(key: string, level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    const now = this.#clock();
    let state = this.#keys.get(key);
    if (state !== undefined && now - state.windowStartMs >= this.#intervalMs) {
      this.#summarize(key, state);
      state = undefined;
    }
    if (state === undefined) {
      state = { windowStartMs: now, logged: 0, suppressed: 0, level };
      this.#keys.delete(key);
      this.#keys.set(key, state);
      this.#evictBeyondLimit();
    }
    state.level = level;
    if (state.logged < this.#maxPerInterval) {
      state.logged++;
      this.#logger.log(level, msg, fields);
    } else {
      state.suppressed++;
    }
  }

  warn(key: string, msg: string, fields?: Record<string, unknown>): void {
    this.log(key, 'warn', msg, fields);
  }

  /** Write the summary of every key with held-back lines (periodically, or at shutdown). */
  flush(): void {
    for (const [key, state] of this.#keys) {
      this.#summarize(key, state);
      state.suppressed = 0;
    }
  }

  #summarize(key: string, state: KeyState): void {
    if (state.suppressed === 0) return;
    this.#logger.log(state.level, `${state.suppressed} similar messages suppressed`, {
      rate_limit_key: key,
      suppressed: state.suppressed,
      interval_seconds: this.#intervalMs / 1000,
    });
  }

  #evictBeyondLimit(): void {
    while (this.#keys.size > this.#maxKeys) {
      const [oldestKey, oldest] = this.#keys.entries().next().value as [string, KeyState];
      this.#summarize(oldestKey, oldest);
      this.#keys.delete(oldestKey);
    }
  }
}
