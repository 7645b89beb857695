import type { Writable } from 'node:stream';
import type { Alert } from '../alert.js';
import { formatPretty } from '../format-pretty.js';
import type { AlertSink } from './alert-sink.js';
import { StreamWriter } from './stream-writer.js';

/** Options of `StdoutSink`, from `alerts.stdout` (the caller resolves `auto`). */
export interface StdoutSinkOptions {
  /** `pretty`: one readable line per alert; `ecs`: one ECS JSON document per line. */
  format: 'pretty' | 'ecs';
  /** ANSI colours in pretty lines; the caller sets it when stdout is a TTY. */
  color?: boolean;
  /** Defaults to `process.stdout`; tests pass their own stream. */
  stream?: Writable;
}

/**
 * Alerts on standard output. Logs go to stderr, so stdout carries nothing but alerts and can be
 * piped straight into `jq` or a shipper. The stream is shared with the process and never ended.
 */
export class StdoutSink implements AlertSink {
  readonly name = 'stdout';
  readonly #writer: StreamWriter;
  readonly #format: 'pretty' | 'ecs';
  readonly #color: boolean;
  #closed = false;

  constructor(options: StdoutSinkOptions) {
    this.#writer = new StreamWriter(options.stream ?? process.stdout, 'stdout');
    this.#format = options.format;
    this.#color = options.color ?? false;
  }

  async write(alert: Alert): Promise<void> {
    const line =
      this.#format === 'pretty' ? formatPretty(alert, { color: this.#color }) : JSON.stringify(alert);
    await this.#writer.write(`${line}\n`);
  }

  flush(): Promise<void> {
    return this.#writer.flush();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writer.flush();
  }
}
