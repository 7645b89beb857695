import { corruptCapture } from './capture-errors.js';
import { type CaptureReader, MAX_CAPTURED_BYTES } from './capture-reader.js';
import type { ChunkedFile } from './chunked-file.js';

const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const SNAPLEN_SLACK = 4096;

/**
 * Classic libpcap reader (microsecond magic a1b2c3d4 and nanosecond magic a1b23c4d, either byte
 * order). Built by `openCapture` once the file header is in the first chunk.
 */
export class PcapReader implements CaptureReader {
  readonly format = 'pcap' as const;
  readonly path: string;
  data: Buffer;
  offset = 0;
  capLen = 0;
  origLen = 0;
  tsMs = 0;
  linkType: number;
  packetIndex = 0;
  readonly #file: ChunkedFile;
  #primed = true;
  readonly #littleEndian: boolean;
  readonly #nanoseconds: boolean;
  readonly #maxCapLen: number;
  /** Bytes the next record needs buffered, so `fill()` can grow the chunk for it. */
  #need = RECORD_HEADER_BYTES;

  /** `file` holds the 24-byte header at `file.pos`; the constructor consumes it. */
  constructor(file: ChunkedFile, littleEndian: boolean, nanoseconds: boolean) {
    this.#file = file;
    this.path = file.path;
    this.data = file.buf;
    this.#littleEndian = littleEndian;
    this.#nanoseconds = nanoseconds;
    const at = file.pos;
    const snaplen = this.#u32(file.buf, at + 16);
    // The low 16 bits are the link type; the upper bits may carry FCS information.
    this.linkType = this.#u32(file.buf, at + 20) & 0xffff;
    // Some writers leave snaplen 0 or slightly low; the slack keeps those files readable while a
    // garbage length (the usual sign of a misaligned or overwritten record) is still caught.
    this.#maxCapLen =
      snaplen > 0 ? Math.min(MAX_CAPTURED_BYTES, snaplen + SNAPLEN_SLACK) : MAX_CAPTURED_BYTES;
    file.pos = at + FILE_HEADER_BYTES;
  }

  next(): boolean {
    const file = this.#file;
    const buf = file.buf;
    const at = file.pos;
    if (file.end - at < RECORD_HEADER_BYTES) {
      this.#need = RECORD_HEADER_BYTES;
      return false;
    }
    const capLen = this.#u32(buf, at + 8);
    if (capLen > this.#maxCapLen) {
      throw corruptCapture(
        this.path,
        'bad_record_length',
        'impossible packet record length',
        file.offsetOf(at),
        this.packetIndex + 1,
        `header says ${capLen} bytes, at most ${this.#maxCapLen} expected`,
      );
    }
    if (file.end - at - RECORD_HEADER_BYTES < capLen) {
      this.#need = RECORD_HEADER_BYTES + capLen;
      return false;
    }
    const sec = this.#u32(buf, at);
    const frac = this.#u32(buf, at + 4);
    // Microseconds since the epoch fit a double exactly, so one division rounds once and matches
    // what the pcapng reader computes for the same instant; nanoseconds do not fit, so split.
    this.tsMs = this.#nanoseconds ? sec * 1000 + frac / 1e6 : (sec * 1e6 + frac) / 1000;
    this.origLen = this.#u32(buf, at + 12);
    this.capLen = capLen;
    this.data = buf;
    this.offset = at + RECORD_HEADER_BYTES;
    this.packetIndex++;
    file.pos = at + RECORD_HEADER_BYTES + capLen;
    return true;
  }

  async fill(): Promise<boolean> {
    const file = this.#file;
    // openCapture already read the first chunk to sniff the magic: hand that out first.
    if (this.#primed) {
      this.#primed = false;
      if (file.end > file.pos) return true;
    }
    if (await file.fill(this.#need)) return true;
    const rest = file.end - file.pos;
    if (rest === 0) return false;
    const at = file.offsetOf(file.pos);
    const packet = this.packetIndex + 1;
    if (rest < RECORD_HEADER_BYTES) {
      throw corruptCapture(
        this.path,
        'truncated',
        'truncated packet record header',
        at,
        packet,
        `${RECORD_HEADER_BYTES} bytes expected, ${rest} remain`,
      );
    }
    const capLen = this.#u32(file.buf, file.pos + 8);
    throw corruptCapture(
      this.path,
      'truncated',
      'truncated packet record',
      at,
      packet,
      `header says ${capLen} bytes, ${rest - RECORD_HEADER_BYTES} remain`,
    );
  }

  close(): Promise<void> {
    return this.#file.close();
  }

  #u32(buf: Buffer, at: number): number {
    return this.#littleEndian
      ? (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24)) >>> 0
      : ((buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]) >>> 0;
  }
}
