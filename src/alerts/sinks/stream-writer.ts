import type { Writable } from 'node:stream';
import { SinkError } from '../../core/errors.js';

/**
 * Writes lines to a Node stream the way a well-behaved producer must: when `write()` returns
 * false the caller waits for 'drain' before the next line, so a slow disk or a blocked pipe
 * slows the pipeline down instead of growing the heap. A stream error is kept and turned into
 * a `SinkError` on the next call, naming the target.
 */
export class StreamWriter {
  readonly #stream: Writable;
  readonly #target: string;
  #error: Error | undefined;
  #lastWrite: Promise<void> = Promise.resolve();
  // One shared wait for 'drain': concurrent writers queue behind it (in call order) instead of
  // each adding listeners and stuffing an already full buffer.
  #drain: Promise<void> | undefined;

  constructor(stream: Writable, target: string) {
    this.#stream = stream;
    this.#target = target;
    stream.on('error', (err: Error) => {
      this.#error = err;
    });
  }

  /** Queue `text`; resolves at once while the stream buffer has room, else after 'drain'. */
  async write(text: string): Promise<void> {
    while (this.#drain !== undefined) await this.#drain;
    this.#throwIfFailed();
    let settle!: () => void;
    // The write callback fires once the chunk left the buffer (or failed); flush() waits on the last one.
    this.#lastWrite = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const hasRoom = this.#stream.write(text, () => settle());
    if (!hasRoom) {
      this.#drain = this.#waitFor('drain').finally(() => {
        this.#drain = undefined;
      });
      await this.#drain;
    }
    this.#throwIfFailed();
  }

  /** Resolves when everything written so far has been handed to the OS. */
  async flush(): Promise<void> {
    await this.#lastWrite;
    this.#throwIfFailed();
  }

  /** End the stream and wait for it to finish. */
  async end(): Promise<void> {
    if (this.#stream.writableFinished || this.#stream.destroyed) return;
    const finished = this.#waitFor('finish');
    this.#stream.end();
    await finished;
    this.#throwIfFailed();
  }

  #waitFor(event: 'drain' | 'finish'): Promise<void> {
    const stream = this.#stream;
    return new Promise<void>((resolve) => {
      // 'error' and 'close' also release the waiter: the caller then sees the stored error.
      const done = (): void => {
        stream.off(event, done);
        stream.off('error', done);
        stream.off('close', done);
        resolve();
      };
      stream.on(event, done);
      stream.on('error', done);
      stream.on('close', done);
    });
  }

  #throwIfFailed(): void {
    if (this.#error !== undefined) {
      throw new SinkError(`${this.#target}: write failed: ${this.#error.message}`, {
        cause: this.#error,
        retriable: false,
      });
    }
  }
}
