import { DEFAULT_REDACT_KEYS, redact } from './redact.js';

/** Levels in increasing order of severity, as `telemetry.logLevel` names them. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Anything with a `write(string)`, e.g. `process.stderr` or a file stream. */
export interface LogStream {
  write(chunk: string): unknown;
}

/** Options of `Logger`. */
export interface LoggerOptions {
  /** The daemon passes `process.stderr`: stdout carries alerts. */
  stream: LogStream;
  level: LogLevel;
  /** Fields added to every line (e.g. `{ segment }` in a child logger). */
  base?: Record<string, unknown>;
  /** Epoch-ms clock for the `time` field; tests pass a fixed one. */
  clock?: () => number;
  /** Key fragments whose values are replaced by `[REDACTED]`. */
  redactKeys?: readonly string[];
}

/**
 * Structured logs: one JSON object per line with `time` (ISO), `level` and `msg` first, then the
 * fields. Secrets are redacted from fields before they are serialized. Writing is synchronous
 * for files and terminals; logs are few (hot paths use `RateLimitedLogger`), so no backpressure
 * handling is attempted here.
 */
export class Logger {
  readonly #stream: LogStream;
  readonly #base: Record<string, unknown>;
  readonly #clock: () => number;
  readonly #redactKeys: readonly string[];
  // Shared with child loggers so a level change on reload reaches all of them.
  #levelState: { level: LogLevel };

  constructor(options: LoggerOptions) {
    this.#stream = options.stream;
    this.#levelState = { level: options.level };
    this.#base = options.base ?? {};
    this.#clock = options.clock ?? Date.now;
    this.#redactKeys = options.redactKeys ?? DEFAULT_REDACT_KEYS;
  }

  get level(): LogLevel {
    return this.#levelState.level;
  }

  /** Change the threshold at run time (config reload); children follow. */
  set level(level: LogLevel) {
    this.#levelState.level = level;
  }

  isLevelEnabled(level: LogLevel): boolean {
    return LEVEL_RANK[level] >= LEVEL_RANK[this.#levelState.level];
  }

  /** Write one line if `level` passes the threshold. Same shape as the alert stage's log function. */
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    if (!this.isLevelEnabled(level)) return;
    this.#stream.write(`${this.#serialize(level, msg, fields)}\n`);
  }

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.log('debug', msg, fields);
  }

  info(msg: string, fields?: Record<string, unknown>): void {
    this.log('info', msg, fields);
  }

  warn(msg: string, fields?: Record<string, unknown>): void {
    this.log('warn', msg, fields);
  }

  error(msg: string, fields?: Record<string, unknown>): void {
    this.log('error', msg, fields);
  }

  /** A logger sharing stream and level that adds `fields` to every line. */
  child(fields: Record<string, unknown>): Logger {
    const child = new Logger({
      stream: this.#stream,
      level: this.#levelState.level,
      base: { ...this.#base, ...fields },
      clock: this.#clock,
      redactKeys: this.#redactKeys,
    });
    child.#levelState = this.#levelState;
    return child;
  }

  #serialize(level: LogLevel, msg: string, fields: Record<string, unknown> | undefined): string {
    const time = new Date(this.#clock()).toISOString();
    const extra = redact({ ...this.#base, ...fields }, this.#redactKeys) as Record<string, unknown>;
    // Reserved keys come first and a field of the same name never overwrites them.
    const line: Record<string, unknown> = { time, level, msg };
    for (const [key, value] of Object.entries(extra)) if (!(key in line)) line[key] = value;
    try {
      return JSON.stringify(line, jsonReplacer);
    } catch (err) {
      // A field that cannot be serialized (a throwing getter) must not lose the message itself.
      return JSON.stringify({
        time,
        level,
        msg,
        log_error: `fields not serializable: ${(err as Error).message}`,
      });
    }
  }
}

/** Errors become `{type, message, code, stack, cause}`; bigints become strings. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) {
    const { code } = value as Error & { code?: unknown };
    return {
      type: value.name,
      message: value.message,
      code,
      stack: value.stack,
      cause: value.cause,
    };
  }
  return value;
}
