/**
 * Readers and writers for the Kafka protocol's primitive types (protocol guide, "Protocol Primitive Types"):
 * big-endian fixed-width integers, INT16-length STRING, INT32-length BYTES and ARRAY (-1 = null), and the
 * zig-zag VARINT/VARLONG used inside record batches. The broker only speaks non-flexible API versions, so the
 * compact (UNSIGNED_VARINT-length) types and tagged fields are not needed here.
 */

/** Thrown when a request is shorter than its fields say or carries an impossible length. */
export class KafkaDecodeError extends Error {
  override readonly name = 'KafkaDecodeError';
}

/** Sequential reader over one request or record buffer. */
export class KafkaReader {
  #buf: Buffer;
  #pos: number;

  constructor(buf: Buffer, offset = 0) {
    this.#buf = buf;
    this.#pos = offset;
  }

  /** Current read position in bytes. */
  get offset(): number {
    return this.#pos;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  #take(n: number): number {
    if (n < 0 || this.#pos + n > this.#buf.length) {
      throw new KafkaDecodeError(`need ${n} bytes at offset ${this.#pos}, ${this.remaining} remain`);
    }
    const at = this.#pos;
    this.#pos += n;
    return at;
  }

  int8(): number {
    return this.#buf.readInt8(this.#take(1));
  }

  int16(): number {
    return this.#buf.readInt16BE(this.#take(2));
  }

  int32(): number {
    return this.#buf.readInt32BE(this.#take(4));
  }

  uint32(): number {
    return this.#buf.readUInt32BE(this.#take(4));
  }

  /** INT64 as a JS number: offsets, timestamps and producer ids stay far below 2^53 in tests. */
  int64(): number {
    return Number(this.#buf.readBigInt64BE(this.#take(8)));
  }

  boolean(): boolean {
    return this.int8() !== 0;
  }

  /** NULLABLE_STRING / STRING: INT16 length, -1 for null. */
  string(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    const at = this.#take(len);
    return this.#buf.toString('utf8', at, at + len);
  }

  /** STRING that must not be null; null is read as the empty string, as Kafka brokers tolerate it. */
  requiredString(): string {
    return this.string() ?? '';
  }

  /** NULLABLE_BYTES / BYTES: INT32 length, -1 for null. Returns a view, not a copy. */
  bytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    const at = this.#take(len);
    return this.#buf.subarray(at, at + len);
  }

  /** ARRAY: INT32 count, -1 for null (returned as null). */
  array<T>(readItem: (r: KafkaReader) => T): T[] | null {
    const count = this.int32();
    if (count < 0) return null;
    if (count > this.remaining) throw new KafkaDecodeError(`array of ${count} items exceeds the request`);
    const items: T[] = [];
    for (let i = 0; i < count; i++) items.push(readItem(this));
    return items;
  }

  /** UNSIGNED_VARINT: 7 bits per byte, least significant group first. */
  unsignedVarint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = this.#buf.readUInt8(this.#take(1));
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new KafkaDecodeError(`varint longer than 10 bytes at offset ${this.#pos}`);
  }

  /** VARINT / VARLONG: zig-zag encoded, so small negatives (e.g. -1 = null length) take one byte. */
  varint(): number {
    const raw = this.unsignedVarint();
    // Zig-zag decode with arithmetic, not bit operators, so values beyond 32 bits (VARLONG timestamps) survive.
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** `n` raw bytes as a view. */
  raw(n: number): Buffer {
    const at = this.#take(n);
    return this.#buf.subarray(at, at + n);
  }
}

/** Append-only writer that grows its buffer as needed. */
export class KafkaWriter {
  #buf: Buffer = Buffer.allocUnsafe(256);
  #len = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  /**
   * Makes room for `n` bytes and returns where they go. Call it before reading `this.#buf`: it may replace the
   * buffer, and `this.#buf.write…(v, this.#reserve(n))` would write into the old one.
   */
  #reserve(n: number): number {
    if (this.#len + n > this.#buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#len + n));
      this.#buf.copy(next, 0, 0, this.#len);
      this.#buf = next;
    }
    const at = this.#len;
    this.#len += n;
    return at;
  }

  int8(v: number): this {
    const at = this.#reserve(1);
    this.#buf.writeInt8(v, at);
    return this;
  }

  int16(v: number): this {
    const at = this.#reserve(2);
    this.#buf.writeInt16BE(v, at);
    return this;
  }

  int32(v: number): this {
    const at = this.#reserve(4);
    this.#buf.writeInt32BE(v, at);
    return this;
  }

  uint32(v: number): this {
    const at = this.#reserve(4);
    this.#buf.writeUInt32BE(v, at);
    return this;
  }

  int64(v: number | bigint): this {
    const at = this.#reserve(8);
    this.#buf.writeBigInt64BE(BigInt(v), at);
    return this;
  }

  boolean(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  /** NULLABLE_STRING / STRING with an INT16 length. */
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const len = Buffer.byteLength(v, 'utf8');
    this.int16(len);
    const at = this.#reserve(len);
    this.#buf.write(v, at, len, 'utf8');
    return this;
  }

  /** NULLABLE_BYTES / BYTES with an INT32 length. */
  bytes(v: Uint8Array | null): this {
    if (v === null) return this.int32(-1);
    this.int32(v.length);
    return this.raw(v);
  }

  /** ARRAY: INT32 count then each item; null writes -1. */
  array<T>(items: readonly T[] | null, writeItem: (w: this, item: T) => void): this {
    if (items === null) return this.int32(-1);
    this.int32(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  unsignedVarint(v: number): this {
    let rest = v;
    while (rest >= 0x80) {
      const at = this.#reserve(1);
      this.#buf.writeUInt8((rest % 128) | 0x80, at);
      rest = Math.floor(rest / 128);
    }
    const at = this.#reserve(1);
    this.#buf.writeUInt8(rest, at);
    return this;
  }

  /** Zig-zag VARINT / VARLONG (see {@link KafkaReader.varint}). */
  varint(v: number): this {
    return this.unsignedVarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  raw(v: Uint8Array): this {
    const at = this.#reserve(v.length);
    this.#buf.set(v, at);
    return this;
  }

  /** Overwrites an INT32 at an earlier position, e.g. a length known only after its body is written. */
  patchInt32(at: number, v: number): this {
    this.#buf.writeInt32BE(v, at);
    return this;
  }

  /** The written bytes (a view of the internal buffer; do not write afterwards). */
  toBuffer(): Buffer {
    return this.#buf.subarray(0, this.#len);
  }
}
