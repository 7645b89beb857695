import { closeSync, openSync, writeSync } from 'node:fs';

/** LINKTYPE_NULL: BSD loopback, a 4-byte address family in the capturing host's byte order. */
export const LINKTYPE_NULL = 0;
/** LINKTYPE_ETHERNET: frames start with a 14-byte Ethernet II header. */
export const LINKTYPE_ETHERNET = 1;
/** LINKTYPE_RAW: frames start directly with an IPv4 or IPv6 header. */
export const LINKTYPE_RAW = 101;
/** LINKTYPE_LINUX_SLL: Linux "cooked" capture header (16 bytes). */
export const LINKTYPE_LINUX_SLL = 113;
/** LINKTYPE_LINUX_SLL2: Linux "cooked" capture header v2 (20 bytes, protocol first). */
export const LINKTYPE_LINUX_SLL2 = 276;

/** Magic of classic pcap with microsecond timestamps, as written in the file's own byte order. */
export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
/** Magic of classic pcap with nanosecond timestamps. */
export const PCAP_MAGIC_NANOS = 0xa1b23c4d;

const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const DEFAULT_BUFFER_BYTES = 1 << 20;

/** Options of {@link PcapWriter}. */
export interface PcapWriterOptions {
  /** Link-layer header type of every frame (default {@link LINKTYPE_ETHERNET}). */
  linkType?: number;
  /** Bytes kept of each frame (default 65535); longer frames are truncated and keep their original length. */
  snapLength?: number;
  /** Timestamp resolution: `'micro'` (magic a1b2c3d4, default) or `'nano'` (magic a1b23c4d). */
  resolution?: 'micro' | 'nano';
  /** Byte order of every header field (default little-endian, as libpcap writes on x86). */
  endianness?: 'little' | 'big';
  /** Size of the in-memory buffer flushed with one synchronous write (default 1 MiB). */
  bufferBytes?: number;
}

/**
 * Writes a classic libpcap file (not pcapng) with buffered synchronous writes.
 *
 * Synchronous writes keep generators and test fixtures simple and deterministic: the file is
 * complete when `close()` returns. Records are appended to one reused buffer and flushed in
 * chunks, so a million small packets cost a few hundred system calls, not a million.
 */
export class PcapWriter {
  readonly snapLength: number;
  readonly linkType: number;
  readonly resolution: 'micro' | 'nano';
  readonly #littleEndian: boolean;
  readonly #fd: number;
  readonly #buffer: Uint8Array;
  readonly #view: DataView;
  #used = 0;
  #packets = 0;
  #bytesWritten = 0;
  #closed = false;

  /** Opens (truncating) `path` and writes the 24-byte global header. */
  constructor(path: string, options: PcapWriterOptions = {}) {
    this.linkType = options.linkType ?? LINKTYPE_ETHERNET;
    this.snapLength = options.snapLength ?? 65535;
    this.resolution = options.resolution ?? 'micro';
    this.#littleEndian = (options.endianness ?? 'little') === 'little';
    if (!Number.isInteger(this.snapLength) || this.snapLength < 1) {
      throw new RangeError(`snapLength: expected an integer >= 1, got ${this.snapLength}`);
    }
    if (!Number.isInteger(this.linkType) || this.linkType < 0 || this.linkType > 0xffff) {
      throw new RangeError(`linkType: expected an integer in 0..65535, got ${this.linkType}`);
    }
    const bufferBytes = Math.max(options.bufferBytes ?? DEFAULT_BUFFER_BYTES, RECORD_HEADER_BYTES + 64);
    this.#buffer = new Uint8Array(bufferBytes);
    this.#view = new DataView(this.#buffer.buffer);
    this.#fd = openSync(path, 'w');
    this.#writeGlobalHeader();
  }

  /** Records written so far. */
  get packets(): number {
    return this.#packets;
  }

  /** Bytes of the file so far, global header included (flushed or still buffered). */
  get fileBytes(): number {
    return this.#bytesWritten + this.#used;
  }

  /**
   * Appends one record stamped `tsMs` (epoch milliseconds, fractions allowed; rounded to the
   * file's resolution). `origLen` is the length on the wire, default the frame's length; it
   * must be at least the captured length.
   */
  writePacket(tsMs: number, frame: Uint8Array, origLen?: number): void {
    if (!Number.isFinite(tsMs) || tsMs < 0)
      throw new RangeError(`tsMs: expected a finite epoch >= 0, got ${tsMs}`);
    let seconds = Math.floor(tsMs / 1000);
    // The remainder is taken in milliseconds before scaling so epoch-sized values keep their precision.
    const scale = this.resolution === 'nano' ? 1e6 : 1e3;
    let fraction = Math.round((tsMs - seconds * 1000) * scale);
    if (fraction >= scale * 1000) {
      seconds += 1;
      fraction -= scale * 1000;
    }
    this.writeRecord(seconds, fraction, frame, origLen);
  }

  /**
   * Appends one record with an exact timestamp: whole `seconds` since the epoch and `fraction` in
   * the file's resolution (microseconds or nanoseconds). Use it when times are kept as integers.
   */
  writeRecord(seconds: number, fraction: number, frame: Uint8Array, origLen = frame.length): void {
    if (this.#closed) throw new Error('PcapWriter: write after close()');
    const limit = this.resolution === 'nano' ? 1e9 : 1e6;
    if (!Number.isInteger(fraction) || fraction < 0 || fraction >= limit) {
      throw new RangeError(`fraction: expected an integer in [0, ${limit}), got ${fraction}`);
    }
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 0xffffffff) {
      throw new RangeError(`seconds: expected an unsigned 32-bit integer, got ${seconds}`);
    }
    if (!Number.isInteger(origLen) || origLen < frame.length || origLen > 0xffffffff) {
      throw new RangeError(
        `origLen: expected an integer >= the frame's ${frame.length} bytes, got ${origLen}`,
      );
    }
    const capLen = Math.min(frame.length, this.snapLength);
    if (this.#used + RECORD_HEADER_BYTES + capLen > this.#buffer.length) this.#flush();
    const le = this.#littleEndian;
    const at = this.#used;
    this.#view.setUint32(at, seconds, le);
    this.#view.setUint32(at + 4, fraction, le);
    this.#view.setUint32(at + 8, capLen, le);
    this.#view.setUint32(at + 12, origLen, le);
    this.#used = at + RECORD_HEADER_BYTES;
    if (RECORD_HEADER_BYTES + capLen > this.#buffer.length) {
      // A frame larger than the whole buffer goes straight to the file after its header.
      this.#flush();
      this.#writeFully(frame.subarray(0, capLen));
    } else {
      this.#buffer.set(capLen === frame.length ? frame : frame.subarray(0, capLen), this.#used);
      this.#used += capLen;
    }
    this.#packets += 1;
  }

  /** Flushes the buffer and closes the file. Calling it again does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#flush();
    } finally {
      closeSync(this.#fd);
    }
  }

  #writeGlobalHeader(): void {
    const le = this.#littleEndian;
    const view = this.#view;
    view.setUint32(0, this.resolution === 'nano' ? PCAP_MAGIC_NANOS : PCAP_MAGIC_MICROS, le);
    view.setUint16(4, 2, le);
    view.setUint16(6, 4, le);
    view.setInt32(8, 0, le); // thiszone: timestamps are UTC
    view.setUint32(12, 0, le); // sigfigs: always 0 in practice
    view.setUint32(16, this.snapLength, le);
    view.setUint32(20, this.linkType, le);
    this.#used = GLOBAL_HEADER_BYTES;
  }

  #flush(): void {
    if (this.#used === 0) return;
    this.#writeFully(this.#buffer.subarray(0, this.#used));
    this.#used = 0;
  }

  #writeFully(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.length) {
      offset += writeSync(this.#fd, bytes, offset, bytes.length - offset);
    }
    this.#bytesWritten += bytes.length;
  }
}
