import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../../core/flow-record.js';
import {
  benign,
  dayActivity,
  ephemeralPort,
  type ModelContext,
  periodicTimes,
  poissonTimes,
} from './model-context.js';
import { GATEWAYS, SERVERS } from './network-layout.js';
import { App } from './packet-plan.js';
import type { Prng } from './prng.js';
import { apiShape, browseShape, databaseShape } from './session-shapes.js';

/** Peak rate of sessions from outside to the public web servers, per second. */
const INBOUND_PER_SECOND = 0.18;
/** Seconds between monitoring rounds at scale 1. */
// Both periods stay well above the 30 s idle timeout, so each round is a flow of its own.
const PING_PERIOD_SECONDS = 40;
const SCRAPE_PERIOD_SECONDS = 300;
const NTP_PERIOD_SECONDS = 90;
/** The monitor's DNS health check; each probe uses a fresh source port, hence a flow of its own. */
const DNS_PROBE_PERIOD_SECONDS = 10;

/**
 * Servers (10.20.0.0/24): public web and API servers take sessions from customers, call the
 * application tier, which queries the databases; a monitoring host pings every server and
 * device and scrapes metrics. Customers follow a day shifted by a couple of hours, as if some
 * of them were in another time zone.
 */
export function planServers(ctx: ModelContext, rng: Prng, iotHosts: readonly number[]): void {
  const shifted = (f: number): number => dayActivity((f + 0.92) % 1) * 0.6 + dayActivity(f) * 0.4;
  for (const t of poissonTimes(rng, INBOUND_PER_SECOND * ctx.scale, ctx.durationUs, shifted)) {
    inboundSession(ctx, rng, t);
  }
  const servers = Object.values(SERVERS).filter((ip) => ip !== SERVERS.monitor);
  for (const target of [...servers, ...GATEWAYS, ...iotHosts]) {
    for (const t of periodicTimes(rng, PING_PERIOD_SECONDS / ctx.scale, 0.01, ctx.durationUs)) {
      const spec = benign(SERVERS.monitor, target, 0, 0, IPPROTO_ICMP, App.Opaque, true, true);
      ctx.emitter.icmpEcho(spec, t, 1, 0, rng.uniform(150, 600));
    }
  }
  for (const t of periodicTimes(rng, DNS_PROBE_PERIOD_SECONDS / ctx.scale, 0.05, ctx.durationUs)) {
    const spec = benign(
      SERVERS.monitor,
      SERVERS.dns,
      ephemeralPort(rng),
      53,
      IPPROTO_UDP,
      App.Dns,
      true,
      true,
    );
    ctx.emitter.udpExchange(spec, t, 32, 48, rng.uniform(120, 400));
  }
  for (const server of servers) {
    const ntp = ctx.externals.ntpServers[server % ctx.externals.ntpServers.length];
    for (const t of periodicTimes(rng, NTP_PERIOD_SECONDS / ctx.scale, 0.02, ctx.durationUs)) {
      const spec = benign(server, ntp, 123, 123, IPPROTO_UDP, App.Ntp, true, false);
      ctx.emitter.udpExchange(spec, t, 48, 48, rng.logNormal(20_000, 0.3));
    }
  }
  for (const target of servers) {
    for (const t of periodicTimes(rng, SCRAPE_PERIOD_SECONDS / ctx.scale, 0.01, ctx.durationUs)) {
      const spec = benign(
        SERVERS.monitor,
        target,
        ephemeralPort(rng),
        9100,
        IPPROTO_TCP,
        App.Http,
        true,
        true,
      );
      ctx.emitter.tcpSession(spec, t, {
        rttUs: rng.uniform(150, 400),
        rateBps: 500e6,
        exchanges: [
          { request: 180, response: Math.round(rng.logNormal(6000, 0.2)), serverUs: 3000, thinkUs: 0 },
        ],
        close: 'client-fin',
      });
    }
  }
}

/** A customer session on web1, web2 or the API, which may fan out to the app and database tiers. */
function inboundSession(ctx: ModelContext, rng: Prng, t: number): void {
  const client = ctx.externals.clients[Math.floor(rng.next() ** 2 * ctx.externals.clients.length)];
  const server = rng.pick([SERVERS.web1, SERVERS.web1, SERVERS.web2, SERVERS.api]);
  const rttUs = rng.logNormal(45_000, 0.6);
  const spec = benign(client, server, ephemeralPort(rng), 443, IPPROTO_TCP, App.Tls, false, true);
  const shape = server === SERVERS.api ? apiShape(rng, { rttUs }, true) : browseShape(rng, { rttUs }, true);
  ctx.emitter.tcpSession(spec, t, shape);
  if (!rng.chance(0.35)) return;
  const app = rng.pick([SERVERS.app1, SERVERS.app2]);
  const callAt = t + rttUs * 2.5 + rng.uniform(500, 3000);
  const call = benign(server, app, ephemeralPort(rng), 8080, IPPROTO_TCP, App.Http, true, true);
  ctx.emitter.tcpSession(call, callAt, apiShape(rng, { rttUs: rng.uniform(120, 300), lan: true }, false));
  if (!rng.chance(0.6)) return;
  const db = rng.chance(0.85) ? SERVERS.db1 : SERVERS.db2;
  const query = benign(app, db, ephemeralPort(rng), 5432, IPPROTO_TCP, App.Postgres, true, true);
  ctx.emitter.tcpSession(
    query,
    callAt + rng.uniform(800, 2500),
    databaseShape(rng, { rttUs: rng.uniform(100, 250) }),
  );
}
