// Address text for every stage: parsing (beside Community ID, which needs it) and RFC 5952 formatting.
export { parseIp } from './community-id.js';

/** Decimal text of each octet value, without and with the trailing dot. */
const OCTET = Array.from({ length: 256 }, (_, i) => String(i));
const OCTET_DOT = OCTET.map((text) => `${text}.`);

/** Dotted-quad text of an IPv4 address held as one 32-bit word (signed or unsigned). */
export function formatIpv4(word: number): string {
  // Three concatenations of ready-made pieces: a template literal converts four numbers and
  // builds six intermediate strings, which showed up as garbage when every flow is new.
  return (
    OCTET_DOT[word >>> 24] +
    OCTET_DOT[(word >>> 16) & 255] +
    OCTET_DOT[(word >>> 8) & 255] +
    OCTET[word & 255]
  );
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
