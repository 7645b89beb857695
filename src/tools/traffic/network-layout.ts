import type { Prng } from './prng.js';

/** Parses dotted-quad IPv4 text into an unsigned 32-bit number. */
export function ipv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) throw new RangeError(`not an IPv4 address: ${text}`);
  let value = 0;
  for (const part of parts) {
    const octet = Number(part);
    if (!Number.isInteger(octet) || octet < 0 || octet > 255)
      throw new RangeError(`not an IPv4 address: ${text}`);
    value = value * 256 + octet;
  }
  return value;
}

/** Formats an unsigned 32-bit IPv4 address as dotted-quad text. */
export function ipv4Text(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** A named segment of the simulated site: its CIDR and the hosts in it. */
export interface SegmentLayout {
  name: 'office' | 'servers' | 'iot';
  cidr: string;
  hosts: number[];
}

/** Roles of the servers segment, by address. */
export const SERVERS = {
  web1: ipv4('10.20.0.10'),
  web2: ipv4('10.20.0.11'),
  api: ipv4('10.20.0.12'),
  app1: ipv4('10.20.0.20'),
  app2: ipv4('10.20.0.21'),
  db1: ipv4('10.20.0.30'),
  db2: ipv4('10.20.0.31'),
  git: ipv4('10.20.0.40'),
  monitor: ipv4('10.20.0.50'),
  dns: ipv4('10.20.0.53'),
} as const;

/** Router interfaces of the three segments: they answer pings and reset probes. */
export const GATEWAYS = [ipv4('10.10.1.1'), ipv4('10.20.0.1'), ipv4('10.30.0.1')];

/** Reserved or non-routable IPv4 blocks external addresses must avoid (RFC 6890 and multicast). */
const RESERVED: readonly [number, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
].map(([net, bits]) => [ipv4(net as string), bits as number]);

/** True when `ip` is a globally routable unicast address. */
export function isPublicIpv4(ip: number): boolean {
  for (const [net, bits] of RESERVED) {
    if (Math.floor(ip / 2 ** (32 - bits)) === Math.floor(net / 2 ** (32 - bits))) return false;
  }
  return true;
}

/** A random globally routable IPv4 address (spoofed sources, external peers). */
export function randomPublicIpv4(rng: Prng): number {
  for (;;) {
    const ip = rng.nextUint32();
    if (isPublicIpv4(ip)) return ip;
  }
}

/**
 * The simulated site: three named segments with fixed host lists. Attack endpoints on the
 * outside use the documentation ranges (RFC 5737), so the sample never names a real host.
 */
export function siteLayout(): SegmentLayout[] {
  const range = (prefix: string, from: number, count: number): number[] =>
    Array.from({ length: count }, (_, i) => ipv4(`${prefix}.${from + i}`));
  return [
    { name: 'office', cidr: '10.10.1.0/24', hosts: range('10.10.1', 20, 40) },
    { name: 'servers', cidr: '10.20.0.0/24', hosts: Object.values(SERVERS) },
    { name: 'iot', cidr: '10.30.0.0/24', hosts: range('10.30.0', 100, 15) },
  ];
}

/** The C2 server the beaconing implant calls, and the exfiltration drop host. */
export const C2_SERVER = ipv4('203.0.113.66');
export const EXFIL_HOST = ipv4('198.51.100.23');
