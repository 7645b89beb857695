import { isIP } from 'node:net';
import { parseIp } from '../../core/ip-text.js';
import { AddressTextCache } from '../flow/address-text-cache.js';

/**
 * Address texts seen recently and their canonical form. A host appears in thousands of records: it is
 * checked once, and every record shares one string instead of keeping its own copy alive while it
 * waits in the pipeline. Cleared when full, so a flood of distinct sources keeps it bounded.
 */
const canonicalTexts = new Map<string, string>();
const MAX_CANONICAL_TEXTS = 16_384;

/** The text of recently decoded byte addresses, for the same reason. */
const byteAddressTexts = new AddressTextCache();

/**
 * Canonical text of an address given as text: IPv4 dotted quad as is, IPv6 in RFC 5952 form
 * (lower case, compressed). An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) becomes the plain
 * dotted quad, because collectors disagree on which form an IPv4 flow is exported in and the same
 * host must key alike whichever they chose. A zone (`%eth0`) is dropped: it has no meaning off the
 * sensor. Returns undefined for anything that is not an address.
 */
export function normalizeIpText(text: string): string | undefined {
  const known = canonicalTexts.get(text);
  if (known !== undefined) return known;
  const canonical = canonicalIpText(text);
  if (canonical !== undefined) {
    if (canonicalTexts.size >= MAX_CANONICAL_TEXTS) canonicalTexts.clear();
    canonicalTexts.set(text, canonical);
  }
  return canonical;
}

function canonicalIpText(text: string): string | undefined {
  const family = isIP(text);
  if (family === 4) return text;
  if (family !== 6) return undefined;
  const bytes = parseIp(text);
  return bytes === undefined ? undefined : ipFromBytes(bytes);
}

/**
 * Text of an address given as network-order bytes (4 or 16 long, as goflow2 exports them), with
 * IPv4-mapped IPv6 as a dotted quad; undefined for any other length.
 */
export function ipFromBytes(bytes: Uint8Array): string | undefined {
  return ipFromRange(bytes, 0, bytes.length);
}

/** Dotted-quad text of an IPv4 address held as one 32-bit word, shared with recent records. */
export function ipv4Text(word: number): string {
  return byteAddressTexts.ipv4(word);
}

/** {@link ipFromBytes} of `bytes[at, at + length)`, without a view object per address. */
export function ipFromRange(bytes: Uint8Array, at: number, length: number): string | undefined {
  if (length === 4) return byteAddressTexts.ipv4(word(bytes, at));
  if (length !== 16) return undefined;
  const w0 = word(bytes, at);
  const w1 = word(bytes, at + 4);
  const w2 = word(bytes, at + 8);
  const w3 = word(bytes, at + 12);
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) return byteAddressTexts.ipv4(w3);
  return byteAddressTexts.ipv6(w0, w1, w2, w3);
}

function word(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}
