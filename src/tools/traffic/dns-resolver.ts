import { IPPROTO_UDP } from '../../core/flow-record.js';
import { benign, ephemeralPort, type ModelContext } from './model-context.js';
import { SERVERS } from './network-layout.js';
import { App } from './packet-plan.js';
import type { Prng } from './prng.js';

/**
 * One name lookup by an internal client through the site resolver (10.20.0.53). A cache miss
 * makes the resolver ask an upstream server first, so the answer comes later and the servers
 * segment gets its own outbound DNS flow. Returns when the client has its answer (µs).
 */
export function resolveName(ctx: ModelContext, rng: Prng, client: number, atUs: number): number {
  const query = rng.int(28, 62);
  const answer = query + 16 * rng.int(1, 6);
  let delayUs = rng.uniform(150, 900);
  if (rng.chance(0.5)) {
    const upstream = rng.pick(ctx.externals.dnsUpstreams);
    const rttUs = rng.logNormal(14_000, 0.5);
    const spec = benign(SERVERS.dns, upstream, ephemeralPort(rng), 53, IPPROTO_UDP, App.Dns, true, false);
    ctx.emitter.udpExchange(spec, atUs + delayUs, query, answer, rttUs);
    delayUs += rttUs + rng.uniform(50, 300);
  }
  const spec = benign(client, SERVERS.dns, ephemeralPort(rng), 53, IPPROTO_UDP, App.Dns, true, true);
  return ctx.emitter.udpExchange(spec, atUs, query, answer, delayUs);
}
