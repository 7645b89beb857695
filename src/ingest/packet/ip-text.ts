import { isIPv4, isIPv6 } from 'node:net';

/** Dotted-quad text of an IPv4 address held as one 32-bit word (signed or unsigned). */
export function formatIpv4(word: number): string {
  return `${(word >>> 24) & 255}.${(word >>> 16) & 255}.${(word >>> 8) & 255}.${word & 255}`;
}

/**
 * RFC 5952 text of an IPv6 address given as four 32-bit words: lower-case hex without leading
 * zeros, the longest run (first on a tie) of two or more zero groups as `::`, and IPv4-mapped
 * addresses (::ffff:0:0/96) with a dotted-quad tail as section 5 recommends.
 */
export function formatIpv6(w0: number, w1: number, w2: number, w3: number): string {
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) return `::ffff:${formatIpv4(w3)}`;
  const groups = [
    w0 >>> 16,
    w0 & 0xffff,
    w1 >>> 16,
    w1 & 0xffff,
    w2 >>> 16,
    w2 & 0xffff,
    w3 >>> 16,
    w3 & 0xffff,
  ];
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.map(hex).join(':');
  const head = groups.slice(0, bestStart).map(hex).join(':');
  const tail = groups
    .slice(bestStart + bestLen)
    .map(hex)
    .join(':');
  return `${head}::${tail}`;
}

function hex(group: number): string {
  return group.toString(16);
}

/**
 * Network-order bytes of an IPv4 or IPv6 address text (any valid form, including `::` and an
 * embedded dotted quad), or undefined when the text is not an address.
 */
export function parseIp(text: string): Uint8Array | undefined {
  if (isIPv4(text)) return Uint8Array.from(text.split('.').map(Number));
  if (!isIPv6(text)) return undefined;
  const zone = text.indexOf('%');
  let body = zone >= 0 ? text.slice(0, zone) : text;
  const lastColon = body.lastIndexOf(':');
  const tail = body.slice(lastColon + 1);
  if (tail.includes('.')) {
    // Rewrite an embedded dotted quad as two hex groups so one path parses every form.
    const [a, b, c, d] = tail.split('.').map(Number);
    body = `${body.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const gap = body.indexOf('::');
  const left = gap < 0 ? body : body.slice(0, gap);
  const right = gap < 0 ? '' : body.slice(gap + 2);
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === '' ? [] : right.split(':');
  const zeros = new Array<string>(8 - leftGroups.length - rightGroups.length).fill('0');
  const groups = [...leftGroups, ...zeros, ...rightGroups];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const value = Number.parseInt(groups[i], 16);
    out[i * 2] = value >> 8;
    out[i * 2 + 1] = value & 255;
  }
  return out;
}
