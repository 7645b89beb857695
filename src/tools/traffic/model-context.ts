import type { ConversationEmitter } from './conversation-emitter.js';
import { randomPublicIpv4 } from './network-layout.js';
import type { App, ConversationSpec, PacketPlan } from './packet-plan.js';
import type { Prng } from './prng.js';

/** Shared state of one generation run, handed to every traffic model. */
export interface ModelContext {
  plan: PacketPlan;
  emitter: ConversationEmitter;
  /** Capture length, microseconds. */
  durationUs: number;
  /** Multiplies every benign rate and attack volume (1 = the default sample). */
  scale: number;
  externals: ExternalPeers;
}

/** Outside hosts benign traffic talks to, drawn once per run from the seed. */
export interface ExternalPeers {
  /** Web servers by popularity rank: index 0 is the most visited. */
  webServers: number[];
  ntpServers: number[];
  dnsUpstreams: number[];
  /** Cloud endpoints IoT devices report to (MQTT broker, telemetry API, video cloud). */
  iotCloud: number[];
  /** Remote customers and partners calling the public web servers. */
  clients: number[];
}

/** Draws the external peer pools. */
export function drawExternalPeers(rng: Prng): ExternalPeers {
  const draw = (n: number): number[] => Array.from({ length: n }, () => randomPublicIpv4(rng));
  return {
    webServers: draw(600),
    ntpServers: draw(4),
    dnsUpstreams: draw(3),
    iotCloud: draw(4),
    clients: draw(3000),
  };
}

/**
 * Relative activity of the site over the compressed day, in (0, 1]. The capture starts at
 * 07:00 and covers 24 hours; activity peaks early afternoon and falls to a night floor.
 */
export function dayActivity(fractionOfDay: number): number {
  const hour = 7 + 24 * fractionOfDay;
  const z = (hour - 13) / 4;
  return 0.1 + 0.9 * Math.exp(-z * z);
}

/**
 * Event times of a Poisson process whose rate follows `shape` (values in [0, 1]), by thinning
 * (Lewis and Shedler, 1979): draw at the peak rate, keep each event with probability shape(t).
 */
export function* poissonTimes(
  rng: Prng,
  peakPerSecond: number,
  durationUs: number,
  shape: (fractionOfDay: number) => number = () => 1,
): Generator<number> {
  if (peakPerSecond <= 0) return;
  const meanGapUs = 1e6 / peakPerSecond;
  for (let t = rng.exponential(meanGapUs); t < durationUs; t += rng.exponential(meanGapUs)) {
    if (rng.next() < shape(t / durationUs)) yield t;
  }
}

/** Event times of a timer firing every `periodSeconds` with relative jitter, from a random phase. */
export function* periodicTimes(
  rng: Prng,
  periodSeconds: number,
  jitter: number,
  durationUs: number,
): Generator<number> {
  const periodUs = periodSeconds * 1e6;
  for (
    let t = rng.uniform(0, periodUs);
    t < durationUs;
    t += periodUs * (1 + jitter * (2 * rng.next() - 1))
  ) {
    yield t;
  }
}

/** A TTL as the tap sees it: the sender's initial TTL minus the hops before the tap. */
export function observedTtl(ip: number, internal: boolean): number {
  // Office desktops are mostly Windows (initial TTL 128); servers and devices run Linux (64).
  if (internal) return ip >>> 16 === 0x0a0a && (ip & 0xff) % 5 !== 0 ? 127 : 63;
  const initial = [64, 128, 64, 255][ip % 4];
  return initial - 6 - ((ip >>> 8) % 14);
}

/** A benign conversation spec with the usual TTLs. */
export function benign(
  src: number,
  dst: number,
  srcPort: number,
  dstPort: number,
  proto: number,
  app: App,
  srcInternal: boolean,
  dstInternal: boolean,
): ConversationSpec {
  return {
    src,
    dst,
    srcPort,
    dstPort,
    proto,
    app,
    ttlFwd: observedTtl(src, srcInternal),
    ttlRev: observedTtl(dst, dstInternal),
    label: 0,
    attack: -1,
  };
}

/** An ephemeral source port from the IANA dynamic range (RFC 6335). */
export function ephemeralPort(rng: Prng): number {
  return rng.int(49152, 65535);
}

/** Popularity-ranked choice: rank r is picked with weight 1 / (r + 1) (a Zipf law, exponent 1). */
export function zipfPick<T>(rng: Prng, items: readonly T[]): T {
  // Inverse of the continuous approximation of the harmonic CDF: rank ~ (n+1)^u - 1.
  const rank = Math.floor((items.length + 1) ** rng.next()) - 1;
  return items[Math.min(Math.max(rank, 0), items.length - 1)];
}
