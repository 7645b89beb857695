// Flat JSON objects read straight from a message's bytes, for the formats whose messages are one
// object with fields of a few fixed names: the values of those fields are recorded by slot, every
// other value is only checked. A scan fails (returns false) on whatever it does not read itself
// (escapes, nested objects, anything that is not JSON), so a caller can hand that message to JSON.parse.

/** What a slot holds after a scan. */
export const ABSENT = 0;
export const NUMBER = 1;
/** ASCII text without escapes, neither empty nor `-`; `from` and `to` bound it in `bytes`. */
export const TEXT = 2;
/** Unset, as Zeek writes it: `-`, empty text or null. */
export const UNSET = 3;
/** true, false or an array. */
export const OTHER = 4;

const EMPTY = Buffer.alloc(0);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Entries of the key table: a power of two, many times the names recorded, so probes stay short. */
const KEY_TABLE_BITS = 9;
const KEY_TABLE_MASK = (1 << KEY_TABLE_BITS) - 1;

/**
 * The named fields of one flat object, filled by {@link FlatJsonFields.scan}. A repeated key
 * overwrites its slot, as JSON.parse keeps the last. Reused from message to message: a scan runs to
 * its end without yielding.
 */
export class FlatJsonFields {
  bytes: Buffer = EMPTY;
  /** Whether the last scan found the fields inside the tag object. */
  tagged = false;
  readonly kind: Uint8Array;
  readonly number: Float64Array;
  readonly from: Int32Array;
  readonly to: Int32Array;
  /** Key names by a hash of their bytes: slot + 1, 0 for none; a hit is checked against the name's bytes. */
  readonly #keyTable = new Uint8Array(1 << KEY_TABLE_BITS);
  readonly #keyBytes: Buffer[];
  readonly #tag: Buffer;

  /**
   * `names` are the fields recorded, slot by slot; `tag` is the key of an object that may wrap the
   * fields as its only member (zeek-kafka's `{"conn": {...}}`).
   */
  constructor(names: readonly string[], tag: string) {
    if (names.length > KEY_TABLE_MASK / 4)
      throw new Error(`FlatJsonFields: ${names.length} names, at most ${(KEY_TABLE_MASK / 4) | 0}`);
    this.kind = new Uint8Array(names.length);
    this.number = new Float64Array(names.length);
    this.from = new Int32Array(names.length);
    this.to = new Int32Array(names.length);
    this.#keyBytes = names.map((name) => Buffer.from(name, 'latin1'));
    this.#tag = Buffer.from(tag, 'latin1');
    // Open addressing: a name whose entry is taken goes to the next free one.
    for (let slot = 0; slot < names.length; slot++) {
      let at = keyHash(this.#keyBytes[slot], 0, this.#keyBytes[slot].length);
      while (this.#keyTable[at] !== 0) at = (at + 1) & KEY_TABLE_MASK;
      this.#keyTable[at] = slot + 1;
    }
  }

  /**
   * Reads `{ fields }`, or `{"tag": { fields }}`, with nothing but whitespace around; false when the
   * message is anything else.
   */
  scan(bytes: Buffer): boolean {
    this.bytes = bytes;
    this.kind.fill(ABSENT);
    let at = skipBlank(bytes, 0);
    if (bytes[at] !== OPEN_BRACE) return false;
    at = skipBlank(bytes, at + 1);
    const tagged = this.#isTag(at);
    this.tagged = tagged;
    if (tagged) {
      at = skipBlank(bytes, skipBlank(bytes, at + this.#tag.length + 2) + 1);
      if (bytes[at] !== OPEN_BRACE) return false;
      at = skipBlank(bytes, at + 1);
    }
    at = this.#scanFields(at);
    if (at < 0) return false;
    if (tagged) {
      at = skipBlank(bytes, at);
      if (bytes[at] !== CLOSE_BRACE) return false;
      at++;
    }
    return skipBlank(bytes, at) === bytes.length;
  }

  /**
   * Lets go of the message scanned last. A message is a view into its whole fetched batch, which
   * would otherwise stay alive until the next scan.
   */
  release(): void {
    this.bytes = EMPTY;
  }

  /** The text in `slot` (kind TEXT) as a string. */
  text(slot: number): string {
    return this.bytes.toString('latin1', this.from[slot], this.to[slot]);
  }

  /** `"tag"` then `:`, at `at`. */
  #isTag(at: number): boolean {
    const bytes = this.bytes;
    const tag = this.#tag;
    if (bytes[at] !== QUOTE || bytes[at + tag.length + 1] !== QUOTE) return false;
    for (let i = 0; i < tag.length; i++) if (bytes[at + 1 + i] !== tag[i]) return false;
    return bytes[skipBlank(bytes, at + tag.length + 2)] === COLON;
  }

  /** The members of an object whose `{` is behind `start`; the index past its `}`, or -1. */
  #scanFields(start: number): number {
    const bytes = this.bytes;
    let at = start;
    if (bytes[at] === CLOSE_BRACE) return at + 1;
    for (;;) {
      if (bytes[at] !== QUOTE) return -1;
      const keyEnd = stringEnd(bytes, at + 1);
      if (keyEnd < 0) return -1;
      const slot = this.#slot(at + 1, keyEnd);
      at = skipBlank(bytes, keyEnd + 1);
      if (bytes[at] !== COLON) return -1;
      at = this.#scanValue(skipBlank(bytes, at + 1), slot);
      if (at < 0) return -1;
      at = skipBlank(bytes, at);
      const next = bytes[at];
      if (next === CLOSE_BRACE) return at + 1;
      if (next !== COMMA) return -1;
      at = skipBlank(bytes, at + 1);
    }
  }

  /** Slot of the key in `bytes[from, to)`, or -1 for a key not recorded. */
  #slot(from: number, to: number): number {
    for (let at = keyHash(this.bytes, from, to); ; at = (at + 1) & KEY_TABLE_MASK) {
      const entry = this.#keyTable[at];
      if (entry === 0) return -1;
      if (this.#isKey(entry - 1, from, to)) return entry - 1;
    }
  }

  #isKey(slot: number, from: number, to: number): boolean {
    const name = this.#keyBytes[slot];
    if (name.length !== to - from) return false;
    for (let i = 0; i < name.length; i++) if (name[i] !== this.bytes[from + i]) return false;
    return true;
  }

  /** One value at `at`, recorded in `slot` (-1: checked and skipped); the index past it, or -1. */
  #scanValue(at: number, slot: number): number {
    const bytes = this.bytes;
    const c = bytes[at];
    if (c === QUOTE) {
      const end = stringEnd(bytes, at + 1);
      if (end < 0) return -1;
      if (slot >= 0) {
        if (end === at + 1 || (end === at + 2 && bytes[at + 1] === MINUS)) {
          this.kind[slot] = UNSET;
        } else {
          // Text recorded here must be ASCII: other text needs the UTF-8 decoding JSON.parse's input gets.
          for (let i = at + 1; i < end; i++) if (bytes[i] >= 0x80) return -1;
          this.kind[slot] = TEXT;
          this.from[slot] = at + 1;
          this.to[slot] = end;
        }
      }
      return end + 1;
    }
    if (c === MINUS || (c >= ZERO && c <= NINE)) {
      const end = numberEnd(bytes, at);
      if (end < 0) return -1;
      if (slot >= 0) {
        this.kind[slot] = NUMBER;
        this.number[slot] = numberValue(bytes, at, end);
      }
      return end;
    }
    let end: number;
    let kind: number;
    if (c === OPEN_BRACKET) {
      end = this.#arrayEnd(at + 1);
      kind = OTHER;
    } else if (c === 0x6e) {
      end = literalEnd(bytes, at, 'null');
      kind = UNSET;
    } else if (c === 0x74) {
      end = literalEnd(bytes, at, 'true');
      kind = OTHER;
    } else if (c === 0x66) {
      end = literalEnd(bytes, at, 'false');
      kind = OTHER;
    } else {
      // Nested objects (an `id` object from some shippers) and anything that is not JSON.
      return -1;
    }
    if (end >= 0 && slot >= 0) this.kind[slot] = kind;
    return end;
  }

  /** Index past an array of strings, numbers and literals whose `[` is behind `start`, or -1 (nested values too). */
  #arrayEnd(start: number): number {
    const bytes = this.bytes;
    let at = skipBlank(bytes, start);
    if (bytes[at] === CLOSE_BRACKET) return at + 1;
    for (;;) {
      const c = bytes[at];
      if (c === OPEN_BRACKET || c === OPEN_BRACE) return -1;
      at = this.#scanValue(at, -1);
      if (at < 0) return -1;
      at = skipBlank(bytes, at);
      if (bytes[at] === CLOSE_BRACKET) return at + 1;
      if (bytes[at] !== COMMA) return -1;
      at = skipBlank(bytes, at + 1);
    }
  }
}

/**
 * A hash of a key's length and its first, middle and last bytes: cheap, and it spreads names that
 * differ in any of those. Keys that share an entry are told apart by comparing bytes.
 */
function keyHash(bytes: Uint8Array, from: number, to: number): number {
  const length = to - from;
  if (length === 0) return 0;
  const sample = bytes[from] | (bytes[from + (length >> 1)] << 8) | (bytes[to - 1] << 16) | (length << 24);
  return Math.imul(sample, 0x9e3779b1) >>> (32 - KEY_TABLE_BITS);
}

/** Exact doubles 10^0 … 10^22: a decimal with fewer than 2^53 as its digits divided by one is correctly rounded. */
const POW10 = Array.from({ length: 23 }, (_v, k) => 10 ** k);

/** Index of the quote closing a string whose first byte is at `at`, or -1 for an escape, a control byte or no end. */
function stringEnd(bytes: Buffer, start: number): number {
  for (let at = start; at < bytes.length; at++) {
    const c = bytes[at];
    if (c === QUOTE) return at;
    if (c === BACKSLASH || c < 0x20) return -1;
  }
  return -1;
}

/** Index past a JSON number at `at` (sign, integer part without leading zeros, fraction, exponent), or -1. */
function numberEnd(bytes: Buffer, start: number): number {
  let at = start;
  if (bytes[at] === MINUS) at++;
  if (bytes[at] === ZERO) {
    at++;
  } else {
    const digits = at;
    at = digitsEnd(bytes, at);
    if (at === digits) return -1;
  }
  if (bytes[at] === DOT) {
    const digits = at + 1;
    at = digitsEnd(bytes, digits);
    if (at === digits) return -1;
  }
  const e = bytes[at];
  if (e === 0x65 || e === 0x45) {
    at++;
    if (bytes[at] === PLUS || bytes[at] === MINUS) at++;
    const digits = at;
    at = digitsEnd(bytes, at);
    if (at === digits) return -1;
  }
  return at;
}

function digitsEnd(bytes: Buffer, start: number): number {
  let at = start;
  while (at < bytes.length && bytes[at] >= ZERO && bytes[at] <= NINE) at++;
  return at;
}

/**
 * The double of the JSON number in `bytes[from, to)`, as JSON.parse gives it: digits read as an
 * integer and divided by a power of ten when both are exact (so the quotient is correctly rounded),
 * the number's text through Number otherwise (an exponent, more digits than a double holds).
 */
function numberValue(bytes: Buffer, from: number, to: number): number {
  let at = bytes[from] === MINUS ? from + 1 : from;
  let digits = 0;
  let fraction = -1;
  for (; at < to; at++) {
    const c = bytes[at];
    if (c === DOT) {
      fraction = 0;
    } else if (c >= ZERO && c <= NINE) {
      digits = digits * 10 + (c - ZERO);
      if (fraction >= 0) fraction++;
    } else {
      break;
    }
  }
  if (at < to || digits > Number.MAX_SAFE_INTEGER || fraction > 22) {
    return Number(bytes.toString('latin1', from, to));
  }
  const magnitude = fraction > 0 ? digits / POW10[fraction] : digits;
  return bytes[from] === MINUS ? -magnitude : magnitude;
}

function literalEnd(bytes: Buffer, at: number, word: string): number {
  for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word.charCodeAt(i)) return -1;
  return at + word.length;
}

/** Past JSON whitespace from `at`. */
function skipBlank(bytes: Buffer, start: number): number {
  let at = start;
  while (at < bytes.length) {
    const c = bytes[at];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    at++;
  }
  return at;
}
