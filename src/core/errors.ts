/**
 * One error base with a stable `code`. Subclasses are one level deep and exist only
 * where callers branch on the kind (config, input, sink, model).
 */
export type ErrorCode =
  | 'TAPWATCH_CONFIG_INVALID'
  | 'TAPWATCH_INPUT_UNREADABLE'
  | 'TAPWATCH_INPUT_CORRUPT'
  | 'TAPWATCH_INPUT_MALFORMED'
  | 'TAPWATCH_SINK_FAILED'
  | 'TAPWATCH_MODEL_INVALID'
  | 'TAPWATCH_USAGE';

export class TapwatchError extends Error {
  readonly code: ErrorCode;
  /** True when retrying the same operation may succeed (a broker away, a full disk freed). */
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** Bad configuration: message is `file: field.path: expected ..., got ...`. */
export class ConfigError extends TapwatchError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('TAPWATCH_CONFIG_INVALID', message, options);
  }
}

/** Unreadable, corrupt or malformed input. `reason` is a short fixed label for metrics. */
export class InputError extends TapwatchError {
  readonly reason: string;
  constructor(
    code: 'TAPWATCH_INPUT_UNREADABLE' | 'TAPWATCH_INPUT_CORRUPT' | 'TAPWATCH_INPUT_MALFORMED',
    reason: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(code, message, options);
    this.reason = reason;
  }
}

export class SinkError extends TapwatchError {
  constructor(message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super('TAPWATCH_SINK_FAILED', message, options);
  }
}

export class ModelError extends TapwatchError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('TAPWATCH_MODEL_INVALID', message, options);
  }
}
