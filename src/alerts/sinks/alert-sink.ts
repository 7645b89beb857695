import type { Alert } from '../alert.js';

/**
 * Where alerts go. The pipeline awaits `write` before it reports a batch handled, so a sink
 * that acknowledges asynchronously (a Kafka producer) makes at-least-once delivery possible:
 * the caller commits input offsets only after `handle()` resolved.
 */
export interface AlertSink {
  /** Short fixed name, used in logs and as a metric label. */
  readonly name: string;
  /** Accept one alert; a returned promise resolves once the sink holds it (or its buffer has room again). */
  write(alert: Alert): Promise<void> | void;
  /** Push buffered alerts out. */
  flush(): Promise<void>;
  /** Flush and release resources. Safe to call more than once. */
  close(): Promise<void>;
}

/** Structured log function handed to alert components; shaped like `Logger.log`. */
export type AlertLogFn = (
  level: 'debug' | 'info' | 'warn' | 'error',
  msg: string,
  fields?: Record<string, unknown>,
) => void;
