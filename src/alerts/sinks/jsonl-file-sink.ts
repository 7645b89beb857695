import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { SinkError } from '../../core/errors.js';
import type { Alert } from '../alert.js';
import type { AlertSink } from './alert-sink.js';
import { StreamWriter } from './stream-writer.js';

/** Tuning for `JsonlFileSink.open`. */
export interface JsonlFileSinkOptions {
  /** Stream buffer size in bytes before `write()` waits for 'drain' (Node's default is 16 KiB). */
  highWaterMarkBytes?: number;
}

/**
 * ECS alerts appended to a file, one JSON document per line (the format Filebeat, Vector and
 * Fluent Bit tail). Opening creates missing directories and appends to an existing file, so a
 * restart never truncates earlier alerts.
 */
export class JsonlFileSink implements AlertSink {
  readonly name = 'file';
  readonly path: string;
  readonly #writer: StreamWriter;
  #closing: Promise<void> | undefined;

  private constructor(path: string, writer: StreamWriter) {
    this.path = path;
    this.#writer = writer;
  }

  /**
   * Create the directory, open the file for appending and wait until it is open, so a bad path
   * or a permission problem is a startup error naming the file rather than a later write failure.
   */
  static async open(path: string, options: JsonlFileSinkOptions = {}): Promise<JsonlFileSink> {
    const absolute = resolve(path);
    try {
      await mkdir(dirname(absolute), { recursive: true });
      const stream = createWriteStream(absolute, { flags: 'a', highWaterMark: options.highWaterMarkBytes });
      await once(stream, 'open');
      return new JsonlFileSink(absolute, new StreamWriter(stream, absolute));
    } catch (err) {
      throw new SinkError(
        `${absolute}: cannot open the alert file for appending: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }

  async write(alert: Alert): Promise<void> {
    if (this.#closing !== undefined) throw new SinkError(`${this.path}: write after close`);
    await this.#writer.write(`${JSON.stringify(alert)}\n`);
  }

  flush(): Promise<void> {
    return this.#writer.flush();
  }

  /** Flush and close the file; every call returns the same promise. */
  close(): Promise<void> {
    this.#closing ??= this.#writer.flush().finally(() => this.#writer.end());
    return this.#closing;
  }
}
