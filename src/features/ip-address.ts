import { formatIpv4, formatIpv6 } from '../core/ip-text.js';
/**
 * A parsed IPv4 or IPv6 address as four unsigned 32-bit words in network order.
 * IPv4 lives in `w0` alone (the other words are 0) so prefix logic can work word by word
 * for both families without allocating a byte array per address.
 */
export interface IpAddress {
  family: 4 | 6;
  w0: number;
  w1: number;
  w2: number;
  w3: number;
}

const DOT = 46;
const COLON = 58;

/** Parses a dotted quad; returns the address as an unsigned 32-bit number, or -1 if it is not one. */
export function parseIpv4(text: string, from = 0, to = text.length): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255 || digits > 3) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

function parseGroups(part: string, groups: number[]): boolean {
  if (part === '') return true;
  for (const group of part.split(':')) {
    if (group.length === 0 || group.length > 4) return false;
    const value = Number.parseInt(group, 16);
    if (!/^[0-9a-fA-F]+$/.test(group) || Number.isNaN(value)) return false;
    groups.push(value);
  }
  return true;
}

/** Parses IPv6 text (RFC 4291 section 2.2 forms, including `::` and a trailing dotted quad). */
function parseIpv6(text: string): IpAddress | null {
  const zone = text.indexOf('%');
  let body = zone === -1 ? text : text.slice(0, zone);
  const tailGroups: number[] = [];
  const lastColon = body.lastIndexOf(':');
  if (lastColon === -1) return null;
  if (body.indexOf('.', lastColon) !== -1) {
    // An embedded IPv4 tail (e.g. ::ffff:192.0.2.1) supplies the last two groups.
    const v4 = parseIpv4(body, lastColon + 1);
    if (v4 < 0) return null;
    tailGroups.push(Math.floor(v4 / 65536), v4 % 65536);
    body = body.slice(0, lastColon + 1);
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1);
  }
  const gap = body.indexOf('::');
  if (gap !== -1 && body.indexOf('::', gap + 1) !== -1) return null;
  const head: number[] = [];
  const tail: number[] = [];
  if (gap === -1) {
    if (!parseGroups(body, head)) return null;
  } else if (!parseGroups(body.slice(0, gap), head) || !parseGroups(body.slice(gap + 2), tail)) {
    return null;
  }
  tail.push(...tailGroups);
  const missing = 8 - head.length - tail.length;
  if (gap === -1 ? missing !== 0 : missing < 1) return null;
  const groups = head.concat(new Array<number>(gap === -1 ? 0 : missing).fill(0), tail);
  const word = (i: number): number => groups[i] * 65536 + groups[i + 1];
  return { family: 6, w0: word(0), w1: word(2), w2: word(4), w3: word(6) };
}

/** Parses IPv4 or IPv6 text; returns null when the text is neither. */
export function parseIpAddress(text: string): IpAddress | null {
  if (text.indexOf(':') === -1) {
    const v4 = parseIpv4(text);
    return v4 < 0 ? null : { family: 4, w0: v4, w1: 0, w2: 0, w3: 0 };
  }
  return text.charCodeAt(0) === COLON && text.charCodeAt(1) !== COLON ? null : parseIpv6(text);
}

/** Mask keeping the first `bits` (0..32) bits of a 32-bit word, as an unsigned number. */
export function wordMask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

/** The `i`-th word of `ip` with only the first `prefix` bits of the whole address kept. */
export function maskedWord(ip: IpAddress, i: number, prefix: number): number {
  const word = i === 0 ? ip.w0 : i === 1 ? ip.w1 : i === 2 ? ip.w2 : ip.w3;
  return (word & wordMask(prefix - 32 * i)) >>> 0;
}

/** Formats the network `ip/prefix` (host bits cleared) as CIDR text, IPv6 per RFC 5952. */
export function formatPrefix(ip: IpAddress, prefix: number): string {
  if (ip.family === 4) return `${formatIpv4(maskedWord(ip, 0, prefix))}/${prefix}`;
  const w = (i: number) => maskedWord(ip, i, prefix);
  return `${formatIpv6(w(0), w(1), w(2), w(3))}/${prefix}`;
}
