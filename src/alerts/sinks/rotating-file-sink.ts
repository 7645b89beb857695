import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { SinkError } from '../../core/errors.js';
import type { Alert } from '../alert.js';
import { type AlertFormat, type FormatAlertOptions, formatAlertText } from '../formats/format-alert.js';
import type { AlertLogFn, AlertSink } from './alert-sink.js';
import { isLogWorthy } from './log-worthy.js';
import { StreamWriter } from './stream-writer.js';

/** Options of `RotatingFileSink.open`, from `alerts.file`. */
export interface RotatingFileSinkOptions {
  /** Rotate before a line would take the file past this size; 0 = never by size. */
  maxBytes?: number;
  /** Rotate before writing to a file older than this; 0 = never by age. */
  maxAgeSeconds?: number;
  /** Rotated files kept as `<path>.1` (newest) … `<path>.<keep>`; 0 keeps none. Default 5. */
  keep?: number;
  /** Line format. Default `ecs` (JSON lines). */
  format?: AlertFormat;
  formatOptions?: FormatAlertOptions;
  /** Stream buffer size before `write()` waits for 'drain'. */
  highWaterMarkBytes?: number;
  log?: AlertLogFn;
  /** Wall clock for file age; tests pass their own. */
  now?: () => number;
}

/**
 * Alerts appended to a file, one line each, rotated by size and/or age the way logrotate
 * numbers files (`alerts.jsonl.1` is the newest old file), so Filebeat, Vector and Fluent Bit
 * follow it by inode without extra setup. Rotation only ever happens between lines: a line is
 * never split across files, and one longer than `maxBytes` gets a file of its own. Writes are
 * serialized so concurrent callers cannot interleave with a rotation; each waits for 'drain'.
 */
export class RotatingFileSink implements AlertSink {
  readonly name = 'file';
  readonly path: string;
  readonly #options: RotatingFileSinkOptions;
  readonly #now: () => number;
  #writer: StreamWriter;
  #size: number;
  #openedAtMs: number;
  #tail: Promise<void> = Promise.resolve();
  #rotationFailures = 0;
  #rotations = 0;
  #closing: Promise<void> | undefined;

  private constructor(path: string, options: RotatingFileSinkOptions, opened: OpenedFile) {
    this.path = path;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#writer = opened.writer;
    this.#size = opened.size;
    this.#openedAtMs = opened.createdAtMs ?? this.#now();
  }

  /** Create the directory and open the file for appending; a bad path is a startup error naming it. */
  static async open(path: string, options: RotatingFileSinkOptions = {}): Promise<RotatingFileSink> {
    const absolute = resolve(path);
    await mkdir(dirname(absolute), { recursive: true }).catch((err: Error) => {
      throw new SinkError(`${absolute}: cannot create the alert directory: ${err.message}`, { cause: err });
    });
    return new RotatingFileSink(absolute, options, await openFile(absolute, options.highWaterMarkBytes));
  }

  /** Files rotated since opening. */
  get rotations(): number {
    return this.#rotations;
  }

  write(alert: Alert): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(new SinkError(`${this.path}: write after close`));
    const line = `${formatAlertText(alert, this.#options.format ?? 'ecs', this.#options.formatOptions)}\n`;
    return this.#serialize(() => this.#append(line));
  }

  flush(): Promise<void> {
    return this.#serialize(() => this.#writer.flush());
  }

  /** Flush and close the file; every call returns the same promise. */
  close(): Promise<void> {
    this.#closing ??= this.#serialize(async () => {
      await this.#writer.flush();
      await this.#writer.end();
    });
    return this.#closing;
  }

  /** Run `task` after every earlier write; a failed write does not wedge the ones after it. */
  #serialize(task: () => Promise<void>): Promise<void> {
    const run = this.#tail.then(task);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #append(line: string): Promise<void> {
    const bytes = Buffer.byteLength(line);
    if (this.#dueForRotation(bytes)) await this.#rotate();
    await this.#writer.write(line);
    this.#size += bytes;
  }

  #dueForRotation(nextLineBytes: number): boolean {
    if (this.#size === 0) return false;
    const { maxBytes = 0, maxAgeSeconds = 0 } = this.#options;
    if (maxBytes > 0 && this.#size + nextLineBytes > maxBytes) return true;
    return maxAgeSeconds > 0 && this.#now() - this.#openedAtMs >= maxAgeSeconds * 1000;
  }

  async #rotate(): Promise<void> {
    await this.#writer.flush();
    await this.#writer.end();
    try {
      await this.#shiftFiles();
      this.#rotations++;
    } catch (err) {
      // Keep writing to the current file rather than losing alerts; the next line retries.
      this.#rotationFailures++;
      if (isLogWorthy(this.#rotationFailures)) {
        this.#options.log?.('error', 'alert file rotation failed: still appending to the current file', {
          path: this.path,
          failures: this.#rotationFailures,
          err,
        });
      }
    }
    const opened = await openFile(this.path, this.#options.highWaterMarkBytes);
    this.#writer = opened.writer;
    this.#size = opened.size;
    this.#openedAtMs = this.#now();
  }

  /** `<path>.<keep-1>` → `.<keep>`, …, `<path>` → `.1`; rename replaces the oldest in one step. */
  async #shiftFiles(): Promise<void> {
    const keep = this.#options.keep ?? 5;
    if (keep <= 0) {
      await unlink(this.path);
      return;
    }
    for (let i = keep - 1; i >= 1; i--) await renameIfExists(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    await rename(this.path, `${this.path}.1`);
  }
}

interface OpenedFile {
  writer: StreamWriter;
  size: number;
  /** Birth time of an existing file when the file system records it. */
  createdAtMs: number | undefined;
}

async function openFile(path: string, highWaterMark: number | undefined): Promise<OpenedFile> {
  try {
    const stream = createWriteStream(path, { flags: 'a', highWaterMark });
    await once(stream, 'open');
    const info = await stat(path);
    return {
      writer: new StreamWriter(stream, path),
      size: info.size,
      createdAtMs: info.size > 0 && info.birthtimeMs > 0 ? info.birthtimeMs : undefined,
    };
  } catch (err) {
    throw new SinkError(`${path}: cannot open the alert file for appending: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    // Fewer old files than `keep` exist yet: nothing to shift.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
