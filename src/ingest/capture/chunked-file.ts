import { type FileHandle, open } from 'node:fs/promises';
import { unreadableCapture } from './capture-errors.js';

/** Default read size: large enough that one `read()` call serves thousands of packets. */
export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * A file read front to back in large chunks into one reused buffer. Parsers consume
 * `buf[pos..end)` and advance `pos`; `fill()` moves the unconsumed tail (a record cut by the chunk
 * boundary) to the front and reads after it, growing the buffer only for a record larger than it.
 */
export class ChunkedFile {
  readonly path: string;
  buf: Buffer;
  /** First unconsumed byte in `buf`. */
  pos = 0;
  /** End of valid data in `buf`. */
  end = 0;
  /** File offset of `buf[0]`, so parsers can name byte positions in error messages. */
  base = 0;
  eof = false;
  #handle: FileHandle | undefined;
  #closing: Promise<void> | undefined;

  private constructor(path: string, handle: FileHandle, chunkBytes: number) {
    this.path = path;
    this.#handle = handle;
    this.buf = Buffer.allocUnsafe(chunkBytes);
  }

  /** Opens `path`; failures become TAPWATCH_INPUT_UNREADABLE with the system error as cause. */
  static async open(path: string, chunkBytes = DEFAULT_CHUNK_BYTES): Promise<ChunkedFile> {
    try {
      return new ChunkedFile(path, await open(path, 'r'), chunkBytes);
    } catch (err) {
      throw unreadableCapture(path, `cannot open: ${(err as Error).message}`, err);
    }
  }

  /** File offset of `buf[at]`. */
  offsetOf(at: number): number {
    return this.base + at;
  }

  /**
   * Keeps the unconsumed bytes, makes room for at least `need` of them, and reads until the buffer
   * is full or the file ends. Resolves false when nothing new could be read (end of file).
   */
  async fill(need = 0): Promise<boolean> {
    const handle = this.#handle;
    if (handle === undefined || this.eof) return false;
    const rest = this.end - this.pos;
    if (need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(bigger, 0, this.pos, this.end);
      this.buf = bigger;
    } else if (this.pos > 0) {
      this.buf.copyWithin(0, this.pos, this.end);
    }
    this.base += this.pos;
    this.pos = 0;
    this.end = rest;
    let got = 0;
    while (this.end < this.buf.length) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(
          this.buf,
          this.end,
          this.buf.length - this.end,
          this.base + this.end,
        ));
      } catch (err) {
        throw unreadableCapture(
          this.path,
          `read failed at byte ${this.base + this.end}: ${(err as Error).message}`,
          err,
        );
      }
      if (bytesRead === 0) {
        this.eof = true;
        break;
      }
      this.end += bytesRead;
      got += bytesRead;
    }
    return got > 0;
  }

  /** Closes the file; safe to call more than once. */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      const handle = this.#handle;
      this.#handle = undefined;
      this.#closing = handle === undefined ? Promise.resolve() : handle.close();
    }
    return this.#closing;
  }
}
