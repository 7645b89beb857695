import { closeSync, openSync, writeSync } from 'node:fs';

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 1;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_ENDOFOPT = 0;
const OPT_IF_TSRESOL = 9;
const NS_PER_SECOND = 1_000_000_000n;

/** One interface of the section, written as an Interface Description Block. */
export interface PcapngInterface {
  /** LINKTYPE_* of its packets. */
  linkType: number;
  /**
   * `if_tsresol`: a decimal exponent (6 = microseconds, 9 = nanoseconds) or 0x80 | a binary
   * exponent. Absent means the option is not written and readers assume microseconds.
   */
  tsresol?: number;
  /** Snap length (default 0: no limit). */
  snapLength?: number;
}

/** Options of {@link PcapngWriter}. */
export interface PcapngWriterOptions {
  /** Interfaces described at the start of the section; packets name them by index. */
  interfaces: PcapngInterface[];
  /** Byte order of every block (default little-endian). */
  endianness?: 'little' | 'big';
}

/**
 * Writes one pcapng section (Section Header Block, then an Interface Description Block per
 * interface) followed by Enhanced or Simple Packet Blocks, with synchronous writes.
 *
 * For fixtures and small samples: each block is one write, and the file is complete when
 * `close()` returns. Several sections, e.g. in both byte orders, are made by concatenating the
 * files of several writers, which is exactly what a multi-section file is.
 */
export class PcapngWriter {
  readonly #interfaces: readonly PcapngInterface[];
  readonly #littleEndian: boolean;
  readonly #fd: number;
  #packets = 0;
  #closed = false;

  /** Opens (truncating) `path` and writes the section and interface headers. */
  constructor(path: string, options: PcapngWriterOptions) {
    this.#interfaces = [...options.interfaces];
    this.#littleEndian = (options.endianness ?? 'little') === 'little';
    this.#interfaces.forEach((iface, i) => {
      if (!Number.isInteger(iface.linkType) || iface.linkType < 0 || iface.linkType > 0xffff)
        throw new RangeError(
          `interfaces[${i}].linkType: expected an integer in 0..65535, got ${iface.linkType}`,
        );
    });
    this.#fd = openSync(path, 'w');
    const shb = Buffer.alloc(16);
    this.#u32(shb, 0, BYTE_ORDER_MAGIC);
    this.#u16(shb, 4, 1);
    this.#u16(shb, 6, 0);
    shb.fill(0xff, 8, 16); // section length unknown (-1): readers then walk the blocks
    this.#block(BLOCK_SHB, shb);
    for (const iface of this.#interfaces) this.#block(BLOCK_IDB, this.#idbBody(iface));
  }

  /** Packet blocks written so far. */
  get packets(): number {
    return this.#packets;
  }

  /**
   * Appends an Enhanced Packet Block stamped `tsNs` (nanoseconds since the epoch, truncated to
   * the interface's `if_tsresol`) on interface `interfaceId` (default 0).
   */
  writeEnhanced(
    tsNs: bigint,
    frame: Uint8Array,
    options: { interfaceId?: number; origLen?: number } = {},
  ): void {
    const interfaceId = options.interfaceId ?? 0;
    const iface = this.#interfaces[interfaceId];
    if (iface === undefined)
      throw new RangeError(`interfaceId: expected 0..${this.#interfaces.length - 1}, got ${interfaceId}`);
    const units = toUnits(tsNs, iface.tsresol ?? 6);
    const body = Buffer.alloc(20 + padded(frame.length));
    this.#u32(body, 0, interfaceId);
    this.#u32(body, 4, Number(units >> 32n));
    this.#u32(body, 8, Number(units & 0xffffffffn));
    this.#u32(body, 12, frame.length);
    this.#u32(body, 16, this.#countPacket(frame, options.origLen));
    body.set(frame, 20);
    this.#block(BLOCK_EPB, body);
  }

  /** Appends a Simple Packet Block: no timestamp, interface 0, captured length implied by the block. */
  writeSimple(frame: Uint8Array, origLen?: number): void {
    const body = Buffer.alloc(4 + padded(frame.length));
    this.#u32(body, 0, this.#countPacket(frame, origLen));
    body.set(frame, 4);
    this.#block(BLOCK_SPB, body);
  }

  /** Closes the file. Calling it again does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }

  /** Checks a packet about to be written and counts it; returns its length on the wire. */
  #countPacket(frame: Uint8Array, origLen = frame.length): number {
    if (this.#closed) throw new Error('PcapngWriter: write after close()');
    if (!Number.isInteger(origLen) || origLen < frame.length || origLen > 0xffffffff)
      throw new RangeError(
        `origLen: expected an integer >= the frame's ${frame.length} bytes, got ${origLen}`,
      );
    this.#packets += 1;
    return origLen;
  }

  #idbBody(iface: PcapngInterface): Buffer {
    const withOption = iface.tsresol !== undefined;
    const body = Buffer.alloc(withOption ? 20 : 8);
    this.#u16(body, 0, iface.linkType);
    this.#u32(body, 4, iface.snapLength ?? 0);
    if (withOption) {
      this.#u16(body, 8, OPT_IF_TSRESOL);
      this.#u16(body, 10, 1);
      body[12] = iface.tsresol ?? 6;
      this.#u16(body, 16, OPT_ENDOFOPT); // and a zero length: bytes 16..20 stay zero
    }
    return body;
  }

  /** Frames `body` (already padded to 4 bytes) with type and both total-length fields, and writes it. */
  #block(type: number, body: Buffer): void {
    const total = 12 + body.length;
    const block = Buffer.alloc(total);
    this.#u32(block, 0, type);
    this.#u32(block, 4, total);
    body.copy(block, 8);
    this.#u32(block, total - 4, total);
    let offset = 0;
    while (offset < total) offset += writeSync(this.#fd, block, offset, total - offset);
  }

  #u16(b: Buffer, at: number, v: number): void {
    if (this.#littleEndian) b.writeUInt16LE(v, at);
    else b.writeUInt16BE(v, at);
  }

  #u32(b: Buffer, at: number, v: number): void {
    if (this.#littleEndian) b.writeUInt32LE(v >>> 0, at);
    else b.writeUInt32BE(v >>> 0, at);
  }
}

/** Packet data is padded to a multiple of 4 bytes inside its block. */
function padded(length: number): number {
  return (length + 3) & ~3;
}

/** Timestamp units of `if_tsresol` (decimal or 0x80 | binary exponent) for a nanosecond time. */
function toUnits(tsNs: bigint, tsresol: number): bigint {
  if (tsresol & 0x80) return (tsNs * 2n ** BigInt(tsresol & 0x7f)) / NS_PER_SECOND;
  const perSecond = 10n ** BigInt(tsresol);
  return perSecond >= NS_PER_SECOND ? tsNs * (perSecond / NS_PER_SECOND) : tsNs / (NS_PER_SECOND / perSecond);
}
