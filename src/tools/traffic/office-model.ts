import { IPPROTO_TCP, IPPROTO_UDP } from '../../core/flow-record.js';
import { resolveName } from './dns-resolver.js';
import {
  benign,
  dayActivity,
  ephemeralPort,
  type ModelContext,
  periodicTimes,
  poissonTimes,
  zipfPick,
} from './model-context.js';
import { SERVERS } from './network-layout.js';
import { App } from './packet-plan.js';
import type { Prng } from './prng.js';
import { apiShape, browseShape, sshShape } from './session-shapes.js';

/** Peak rate of user actions per office host (page visits, lookups, logins), per second. */
const ACTIONS_PER_SECOND = 0.014;
/** Seconds between NTP polls of one host at scale 1 (compressed, like the day). */
const NTP_PERIOD_SECONDS = 90;

/**
 * Office workstations (10.10.1.0/24): people browse the web, look names up, use internal web
 * apps and now and then log in to a server; the machines poll NTP. People act in bursts whose
 * rate follows the working day, and some are far busier than others.
 */
export function planOffice(ctx: ModelContext, rng: Prng, hosts: readonly number[]): void {
  for (const host of hosts) {
    const hostRng = rng.fork(host);
    const busyness = hostRng.logNormal(1, 0.55);
    for (const t of poissonTimes(
      hostRng,
      ACTIONS_PER_SECOND * ctx.scale * busyness,
      ctx.durationUs,
      dayActivity,
    )) {
      userAction(ctx, hostRng, host, t);
    }
    const ntpServer = ctx.externals.ntpServers[host % ctx.externals.ntpServers.length];
    for (const t of periodicTimes(hostRng, NTP_PERIOD_SECONDS / ctx.scale, 0.02, ctx.durationUs)) {
      const spec = benign(host, ntpServer, 123, 123, IPPROTO_UDP, App.Ntp, true, false);
      ctx.emitter.udpExchange(spec, t, 48, 48, hostRng.logNormal(22_000, 0.3));
    }
  }
}

function userAction(ctx: ModelContext, rng: Prng, host: number, t: number): void {
  const kind = rng.weighted([0.5, 0.3, 0.1, 0.015, 0.085]);
  if (kind === 0) {
    visitSite(ctx, rng, host, t);
  } else if (kind === 1) {
    for (let i = rng.int(1, 3); i > 0; i--) resolveName(ctx, rng, host, t + i * rng.uniform(1e3, 2e5));
  } else if (kind === 2) {
    const server = rng.pick([SERVERS.web1, SERVERS.web2, SERVERS.api]);
    const spec = benign(host, server, ephemeralPort(rng), 443, IPPROTO_TCP, App.Tls, true, true);
    ctx.emitter.tcpSession(spec, t, browseShape(rng, { rttUs: rng.uniform(250, 700), lan: true }, true));
  } else if (kind === 3) {
    const server = rng.pick([SERVERS.git, SERVERS.app1, SERVERS.app2]);
    const spec = benign(host, server, ephemeralPort(rng), 22, IPPROTO_TCP, App.Ssh, true, true);
    ctx.emitter.tcpSession(spec, t, sshShape(rng, { rttUs: rng.uniform(250, 600), lan: true }));
  } else {
    const spec = benign(host, SERVERS.git, ephemeralPort(rng), 443, IPPROTO_TCP, App.Tls, true, true);
    ctx.emitter.tcpSession(spec, t, apiShape(rng, { rttUs: rng.uniform(250, 600), lan: true }, true));
  }
}

/** A page visit: resolve the site, then open one to four connections to it (HTTPS mostly). */
function visitSite(ctx: ModelContext, rng: Prng, host: number, t: number): void {
  const site = zipfPick(rng, ctx.externals.webServers);
  // Pages pull in third-party names (CDNs, analytics), so one visit means several lookups.
  for (let i = rng.int(0, 3); i > 0; i--) resolveName(ctx, rng, host, t + rng.logNormal(300_000, 0.7));
  const resolvedAt = rng.chance(0.75) ? resolveName(ctx, rng, host, t) : t;
  const tls = rng.chance(0.92);
  const rttUs = rng.logNormal(28_000, 0.6);
  const connections = 1 + Math.min(Math.floor(rng.exponential(0.4)), 2);
  for (let i = 0; i < connections; i++) {
    const spec = benign(
      host,
      site,
      ephemeralPort(rng),
      tls ? 443 : 80,
      IPPROTO_TCP,
      tls ? App.Tls : App.Http,
      true,
      false,
    );
    const startUs = resolvedAt + rng.uniform(50, 400) + (i > 0 ? rng.logNormal(150_000, 0.8) : 0);
    ctx.emitter.tcpSession(spec, startUs, browseShape(rng, { rttUs }, tls));
  }
}
