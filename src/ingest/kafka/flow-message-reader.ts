/**
 * Reads goflow2's `FlowMessage` straight from the wire bytes into plain number fields, with the
 * field numbers of {@link FLOW_MESSAGE} (goflow2-schema.ts). protobufjs builds a message object
 * per record plus a `Long` per 64-bit field, and a `Buffer` view per address: at one flow per
 * Kafka message that was most of the decode cost and a good share of the garbage. Here nothing is
 * allocated per record — addresses stay byte ranges of the input — and one reader is reused.
 *
 * Wire rules are protobuf's: the last occurrence of a scalar field wins, unknown fields are
 * skipped by wire type (groups included), and a known field with an unexpected wire type is
 * skipped like an unknown one (as Go's protobuf, goflow2's own, treats it). Malformed data —
 * a field running past the record, a varint over 10 bytes, wire type 6 or 7 — throws a
 * {@link FlowMessageError}.
 */
export class FlowMessageReader {
  type = 0;
  timeReceived = 0;
  samplingRate = 0;
  timeFlowEnd = 0;
  srcAddrAt = 0;
  srcAddrLength = 0;
  dstAddrAt = 0;
  dstAddrLength = 0;
  bytes = 0;
  packets = 0;
  samplerAddressAt = 0;
  samplerAddressLength = 0;
  inIf = 0;
  outIf = 0;
  proto = 0;
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  vlanId = 0;
  etype = 0;
  icmpType = 0;
  icmpCode = 0;
  srcVlan = 0;
  dstVlan = 0;
  timeFlowStart = 0;
  timeFlowStartMs = 0;
  timeFlowEndMs = 0;
  timeReceivedNs = 0;
  timeFlowStartNs = 0;
  timeFlowEndNs = 0;
  #buf: Uint8Array = EMPTY;
  #pos = 0;
  #end = 0;

  /** Decode the record in `buf[start, end)`; the fields hold its values until the next call. */
  read(buf: Uint8Array, start: number, end: number): void {
    this.#reset();
    this.#buf = buf;
    this.#pos = start;
    this.#end = end;
    while (this.#pos < end) {
      const tag = this.#uint32();
      const wireType = tag & 7;
      const field = tag >>> 3;
      if (wireType === VARINT) this.#varintField(field);
      else if (wireType === LENGTH_DELIMITED) this.#bytesField(field);
      else this.#skip(wireType, field);
    }
  }

  #varintField(field: number): void {
    switch (field) {
      case 1:
        this.type = this.#uint32() | 0;
        return;
      case 2:
        this.timeReceived = this.#uint64();
        return;
      case 3:
        this.samplingRate = this.#uint64();
        return;
      case 5:
        this.timeFlowEnd = this.#uint64();
        return;
      case 9:
        this.bytes = this.#uint64();
        return;
      case 10:
        this.packets = this.#uint64();
        return;
      case 18:
        this.inIf = this.#uint32();
        return;
      case 19:
        this.outIf = this.#uint32();
        return;
      case 20:
        this.proto = this.#uint32();
        return;
      case 21:
        this.srcPort = this.#uint32();
        return;
      case 22:
        this.dstPort = this.#uint32();
        return;
      case 26:
        this.tcpFlags = this.#uint32();
        return;
      case 29:
        this.vlanId = this.#uint32();
        return;
      case 30:
        this.etype = this.#uint32();
        return;
      case 31:
        this.icmpType = this.#uint32();
        return;
      case 32:
        this.icmpCode = this.#uint32();
        return;
      case 33:
        this.srcVlan = this.#uint32();
        return;
      case 34:
        this.dstVlan = this.#uint32();
        return;
      case 38:
        this.timeFlowStart = this.#uint64();
        return;
      case 63:
        this.timeFlowStartMs = this.#uint64();
        return;
      case 64:
        this.timeFlowEndMs = this.#uint64();
        return;
      case 110:
        this.timeReceivedNs = this.#uint64();
        return;
      case 111:
        this.timeFlowStartNs = this.#uint64();
        return;
      case 112:
        this.timeFlowEndNs = this.#uint64();
        return;
      default:
        this.#skipVarint();
    }
  }

  #bytesField(field: number): void {
    const length = this.#uint32();
    const at = this.#pos;
    if (length > this.#end - at) {
      throw new FlowMessageError(`field ${field} of ${length} bytes runs past the record end (offset ${at})`);
    }
    this.#pos = at + length;
    if (field === 6) {
      this.srcAddrAt = at;
      this.srcAddrLength = length;
    } else if (field === 7) {
      this.dstAddrAt = at;
      this.dstAddrLength = length;
    } else if (field === 11) {
      this.samplerAddressAt = at;
      this.samplerAddressLength = length;
    }
  }

  /** Skips a field of any wire type but varint and length-delimited (those are read above). */
  #skip(wireType: number, field: number): void {
    if (wireType === FIXED64) this.#advance(8);
    else if (wireType === FIXED32) this.#advance(4);
    else if (wireType === START_GROUP) this.#skipGroup(field);
    else throw new FlowMessageError(`invalid wire type ${wireType} at offset ${this.#pos}`);
  }

  #skipGroup(field: number): void {
    for (;;) {
      if (this.#pos >= this.#end) throw new FlowMessageError(`group ${field} is not closed`);
      const tag = this.#uint32();
      const wireType = tag & 7;
      if (wireType === END_GROUP) return;
      if (wireType === VARINT) this.#skipVarint();
      else if (wireType === LENGTH_DELIMITED) this.#advance(this.#uint32());
      else this.#skip(wireType, tag >>> 3);
    }
  }

  #advance(n: number): void {
    if (n > this.#end - this.#pos)
      throw new FlowMessageError(`field runs past the record end (offset ${this.#pos})`);
    this.#pos += n;
  }

  /** A varint's low 32 bits, unsigned (protobuf's uint32 truncates larger values). */
  #uint32(): number {
    const buf = this.#buf;
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.#pos >= this.#end) throw new FlowMessageError(`truncated varint at offset ${this.#pos}`);
      const b = buf[this.#pos++];
      if (shift < 32) value |= (b & 0x7f) << shift;
      if (b < 0x80) return value >>> 0;
    }
    throw new FlowMessageError(`invalid varint encoding at offset ${this.#pos}`);
  }

  /** A uint64 varint as a number: exact up to 2^53, as Long#toNumber above. */
  #uint64(): number {
    const buf = this.#buf;
    let lo = 0;
    let hi = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.#pos >= this.#end) throw new FlowMessageError(`truncated varint at offset ${this.#pos}`);
      const b = buf[this.#pos++];
      const bits = b & 0x7f;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= bits << 28;
        hi = bits >>> 4;
      } else hi |= bits << (shift - 32);
      if (b < 0x80) return (hi >>> 0) * 4_294_967_296 + (lo >>> 0);
    }
    throw new FlowMessageError(`invalid varint encoding at offset ${this.#pos}`);
  }

  #skipVarint(): void {
    for (let n = 0; n < 10; n++) {
      if (this.#pos >= this.#end) throw new FlowMessageError(`truncated varint at offset ${this.#pos}`);
      if (this.#buf[this.#pos++] < 0x80) return;
    }
    throw new FlowMessageError(`invalid varint encoding at offset ${this.#pos}`);
  }

  #reset(): void {
    this.type = 0;
    this.timeReceived = 0;
    this.samplingRate = 0;
    this.timeFlowEnd = 0;
    this.srcAddrAt = 0;
    this.srcAddrLength = 0;
    this.dstAddrAt = 0;
    this.dstAddrLength = 0;
    this.bytes = 0;
    this.packets = 0;
    this.samplerAddressAt = 0;
    this.samplerAddressLength = 0;
    this.inIf = 0;
    this.outIf = 0;
    this.proto = 0;
    this.srcPort = 0;
    this.dstPort = 0;
    this.tcpFlags = 0;
    this.vlanId = 0;
    this.etype = 0;
    this.icmpType = 0;
    this.icmpCode = 0;
    this.srcVlan = 0;
    this.dstVlan = 0;
    this.timeFlowStart = 0;
    this.timeFlowStartMs = 0;
    this.timeFlowEndMs = 0;
    this.timeReceivedNs = 0;
    this.timeFlowStartNs = 0;
    this.timeFlowEndNs = 0;
  }
}

/** Wire data that is not a FlowMessage; the decoder reports it as `bad_protobuf`. */
export class FlowMessageError extends Error {}

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const START_GROUP = 3;
const END_GROUP = 4;
const FIXED32 = 5;
const EMPTY = new Uint8Array(0);
