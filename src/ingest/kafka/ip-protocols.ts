/**
 * IANA protocol numbers by the names flow exporters print: Suricata takes them from the system's
 * protocol table (`TCP`, `IPv6-ICMP`, `GRE`), Zeek writes `tcp`/`udp`/`icmp`, goflow2 v2 JSON
 * `TCP`/`ICMPv6`. Keys are lower case; lookups fold case.
 */
const PROTOCOL_NUMBERS: ReadonlyMap<string, number> = new Map([
  ['hopopt', 0],
  ['icmp', 1],
  ['igmp', 2],
  ['ipip', 4],
  ['ipv4', 4],
  ['ip-in-ip', 4],
  ['tcp', 6],
  ['egp', 8],
  ['udp', 17],
  ['ipv6', 41],
  ['rsvp', 46],
  ['gre', 47],
  ['esp', 50],
  ['ah', 51],
  ['icmpv6', 58],
  ['icmp6', 58],
  ['ipv6-icmp', 58],
  ['ipv6_icmp', 58],
  ['eigrp', 88],
  ['ospf', 89],
  ['ospfigp', 89],
  ['pim', 103],
  ['vrrp', 112],
  ['l2tp', 115],
  ['sctp', 132],
  ['udplite', 136],
]);

const DIGITS = /^\d{1,3}$/;

/**
 * IANA number of a protocol given as a number (0–255), a decimal string, or a name; undefined
 * when it is none of these. Zeek's `unknown_transport` is unknown here too: the caller decides.
 */
export function protocolNumber(value: unknown): number | undefined {
  if (typeof value === 'number')
    return Number.isInteger(value) && value >= 0 && value <= 255 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  // Names come lower case from Zeek and Suricata alike: one lookup before any regex or copy.
  const named = PROTOCOL_NUMBERS.get(value);
  if (named !== undefined) return named;
  if (DIGITS.test(value)) {
    const n = Number(value);
    return n <= 255 ? n : undefined;
  }
  return PROTOCOL_NUMBERS.get(value.toLowerCase());
}
