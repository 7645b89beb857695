import { corruptCapture } from './capture-errors.js';
import { type CaptureReader, MAX_CAPTURED_BYTES } from './capture-reader.js';
import type { ChunkedFile } from './chunked-file.js';

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 0x00000001;
const BLOCK_PB = 0x00000002;
const BLOCK_SPB = 0x00000003;
const BLOCK_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
/** No real block comes near this; a larger length means the length field is garbage. */
const MAX_BLOCK_BYTES = 64 * 1024 * 1024;

/**
 * pcapng reader: Section Header Blocks in either byte order (a new section may start anywhere and
 * resets the interfaces), Interface Description Blocks with `if_tsresol` / `if_tsoffset`, Enhanced,
 * Simple and obsolete Packet Blocks. Other blocks are skipped by their length.
 */
export class PcapngReader implements CaptureReader {
  readonly format = 'pcapng' as const;
  readonly path: string;
  data: Buffer;
  offset = 0;
  capLen = 0;
  origLen = 0;
  tsMs = 0;
  linkType = 0;
  packetIndex = 0;
  readonly #file: ChunkedFile;
  #primed = true;
  #littleEndian = true;
  /** Per interface of the current section: link type, timestamp units per ms, offset, snaplen. */
  #ifLinkType: number[] = [];
  #ifUnitsPerMs: number[] = [];
  #ifOffsetMs: number[] = [];
  #ifSnaplen: number[] = [];
  #need = 12;

  /** `file.pos` is at the first Section Header Block. */
  constructor(file: ChunkedFile) {
    this.#file = file;
    this.path = file.path;
    this.data = file.buf;
  }

  next(): boolean {
    const file = this.#file;
    for (;;) {
      const buf = file.buf;
      const at = file.pos;
      if (file.end - at < 12) {
        this.#need = 12;
        return false;
      }
      const type = this.#u32(buf, at);
      if (type === BLOCK_SHB) this.#readByteOrder(buf, at);
      const length = this.#u32(buf, at + 4);
      if (length < 12 || length % 4 !== 0 || length > MAX_BLOCK_BYTES) {
        throw this.#corrupt(
          at,
          'bad_block_length',
          `block length ${length} is not a multiple of 4 in 12..${MAX_BLOCK_BYTES}`,
        );
      }
      if (file.end - at < length) {
        this.#need = length;
        return false;
      }
      if (this.#u32(buf, at + length - 4) !== length) {
        throw this.#corrupt(
          at,
          'bad_block_length',
          `leading length ${length} differs from trailing length ${this.#u32(buf, at + length - 4)}`,
        );
      }
      file.pos = at + length;
      if (type === BLOCK_EPB || type === BLOCK_PB) {
        if (this.#packet(buf, at, length, type === BLOCK_EPB)) return true;
      } else if (type === BLOCK_SPB) {
        if (this.#simplePacket(buf, at, length)) return true;
      } else if (type === BLOCK_IDB) {
        this.#interface(buf, at, length);
      } else if (type === BLOCK_SHB) {
        this.#section(buf, at, length);
      }
    }
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
    const detail =
      rest < 8
        ? `${rest} bytes remain of a block header`
        : `block header says ${this.#u32(file.buf, file.pos + 4)} bytes, ${rest} remain`;
    throw this.#corrupt(file.pos, 'truncated', detail, 'truncated block');
  }

  close(): Promise<void> {
    return this.#file.close();
  }

  /** EPB (interface u32) or obsolete PB (interface u16, drops u16): same layout otherwise. */
  #packet(buf: Buffer, at: number, length: number, enhanced: boolean): boolean {
    const iface = enhanced ? this.#u32(buf, at + 8) : this.#u16(buf, at + 8);
    if (length < 32)
      throw this.#corrupt(
        at,
        'bad_block',
        `packet block of ${length} bytes is shorter than its 32-byte header`,
      );
    if (iface >= this.#ifLinkType.length) {
      throw this.#corrupt(
        at,
        'bad_block',
        `packet on interface ${iface}, but the section declares ${this.#ifLinkType.length}`,
      );
    }
    const capLen = this.#u32(buf, at + 20);
    if (capLen > length - 32 || capLen > MAX_CAPTURED_BYTES) {
      throw this.#corrupt(
        at,
        'bad_record_length',
        `captured length ${capLen} does not fit a ${length}-byte block`,
      );
    }
    const units = this.#u32(buf, at + 12) * 4294967296 + this.#u32(buf, at + 16);
    this.tsMs = units / this.#ifUnitsPerMs[iface] + this.#ifOffsetMs[iface];
    this.#emit(buf, at + 28, capLen, this.#u32(buf, at + 24), this.#ifLinkType[iface]);
    return true;
  }

  /** SPB: interface 0, no timestamp (the previous packet's is kept), captured = min(orig, snaplen). */
  #simplePacket(buf: Buffer, at: number, length: number): boolean {
    if (this.#ifLinkType.length === 0)
      throw this.#corrupt(at, 'bad_block', 'simple packet block before any interface');
    if (length < 16) throw this.#corrupt(at, 'bad_block', `simple packet block of ${length} bytes`);
    const origLen = this.#u32(buf, at + 8);
    const snaplen = this.#ifSnaplen[0];
    let capLen = Math.min(origLen, length - 16);
    if (snaplen > 0 && snaplen < capLen) capLen = snaplen;
    this.#emit(buf, at + 12, capLen, origLen, this.#ifLinkType[0]);
    return true;
  }

  #emit(buf: Buffer, offset: number, capLen: number, origLen: number, linkType: number): void {
    this.data = buf;
    this.offset = offset;
    this.capLen = capLen;
    this.origLen = origLen;
    this.linkType = linkType;
    this.packetIndex++;
  }

  #interface(buf: Buffer, at: number, length: number): void {
    if (length < 20) throw this.#corrupt(at, 'bad_block', `interface description block of ${length} bytes`);
    let unitsPerMs = 1000;
    let offsetMs = 0;
    const end = at + length - 4;
    for (let opt = at + 16; opt + 4 <= end; ) {
      const code = this.#u16(buf, opt);
      const len = this.#u16(buf, opt + 2);
      if (code === 0) break;
      if (code === OPT_IF_TSRESOL && len >= 1) {
        const resol = buf[opt + 4];
        // High bit set: a negative power of two; otherwise a negative power of ten.
        const unitsPerSecond = resol & 0x80 ? 2 ** (resol & 0x7f) : 10 ** resol;
        unitsPerMs = unitsPerSecond / 1000;
      } else if (code === OPT_IF_TSOFFSET && len >= 8) {
        offsetMs =
          (this.#u32(buf, this.#littleEndian ? opt + 8 : opt + 4) * 4294967296 +
            this.#u32(buf, this.#littleEndian ? opt + 4 : opt + 8)) *
          1000;
      }
      opt += 4 + ((len + 3) & ~3);
    }
    this.#ifLinkType.push(this.#u16(buf, at + 8));
    this.#ifSnaplen.push(this.#u32(buf, at + 12));
    this.#ifUnitsPerMs.push(unitsPerMs);
    this.#ifOffsetMs.push(offsetMs);
  }

  #section(buf: Buffer, at: number, length: number): void {
    if (length < 28) throw this.#corrupt(at, 'bad_block', `section header block of ${length} bytes`);
    const major = this.#u16(buf, at + 12);
    if (major !== 1) throw this.#corrupt(at, 'bad_block', `pcapng major version ${major}, expected 1`);
    // Interface ids are per section.
    this.#ifLinkType = [];
    this.#ifUnitsPerMs = [];
    this.#ifOffsetMs = [];
    this.#ifSnaplen = [];
  }

  #readByteOrder(buf: Buffer, at: number): void {
    const be = ((buf[at + 8] << 24) | (buf[at + 9] << 16) | (buf[at + 10] << 8) | buf[at + 11]) >>> 0;
    if (be === BYTE_ORDER_MAGIC) this.#littleEndian = false;
    else if (buf[at + 8] === 0x4d && buf[at + 9] === 0x3c && buf[at + 10] === 0x2b && buf[at + 11] === 0x1a)
      this.#littleEndian = true;
    else
      throw this.#corrupt(
        at,
        'bad_block',
        `section header byte-order magic 0x${be.toString(16)}, expected 0x1a2b3c4d`,
      );
  }

  #corrupt(at: number, reason: string, detail: string, what = 'bad block') {
    return corruptCapture(this.path, reason, what, this.#file.offsetOf(at), this.packetIndex + 1, detail);
  }

  #u16(buf: Buffer, at: number): number {
    return this.#littleEndian ? buf[at] | (buf[at + 1] << 8) : (buf[at] << 8) | buf[at + 1];
  }

  #u32(buf: Buffer, at: number): number {
    return this.#littleEndian
      ? (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24)) >>> 0
      : ((buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]) >>> 0;
  }
}
