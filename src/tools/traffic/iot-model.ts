import { IPPROTO_TCP, IPPROTO_UDP } from '../../core/flow-record.js';
import type { Exchange } from './conversation-emitter.js';
import { resolveName } from './dns-resolver.js';
import { benign, ephemeralPort, type ModelContext, periodicTimes } from './model-context.js';
import { App } from './packet-plan.js';
import type { Prng } from './prng.js';
import { uploadShape } from './session-shapes.js';

/** Device roles by position in the segment's host list. */
const SENSORS = 10;
const MQTT_DEVICES = 3;

/**
 * IoT devices (10.30.0.0/24), busy around the clock: sensors post CoAP readings every few
 * seconds, a few devices keep an MQTT session open and publish into it, cameras upload
 * snapshots; all of them look names up and poll NTP. Each device has its own period, and
 * timers drift, so the segment is regular without being identical from device to device.
 */
export function planIot(ctx: ModelContext, rng: Prng, hosts: readonly number[]): void {
  const [coapCloud, mqttBroker, videoCloud] = ctx.externals.iotCloud;
  hosts.forEach((device, index) => {
    const r = rng.fork(device);
    if (index < SENSORS) {
      for (const t of periodicTimes(r, r.uniform(7, 12) / ctx.scale, 0.15, ctx.durationUs)) {
        const spec = benign(device, coapCloud, ephemeralPort(r), 5683, IPPROTO_UDP, App.Coap, true, false);
        ctx.emitter.udpExchange(spec, t, r.int(38, 96), 4, r.logNormal(60_000, 0.4));
      }
    } else if (index < SENSORS + MQTT_DEVICES) {
      mqttSessions(ctx, r, device, mqttBroker);
    } else {
      for (const t of periodicTimes(r, r.uniform(90, 150) / ctx.scale, 0.1, ctx.durationUs)) {
        const spec = benign(device, videoCloud, ephemeralPort(r), 443, IPPROTO_TCP, App.Tls, true, false);
        ctx.emitter.tcpSession(spec, t, uploadShape(r, { rttUs: r.logNormal(35_000, 0.3) }, 20_000));
      }
    }
    for (const t of periodicTimes(r, r.uniform(90, 150) / ctx.scale, 0.05, ctx.durationUs)) {
      resolveName(ctx, r, device, t);
    }
    const ntp = ctx.externals.ntpServers[index % ctx.externals.ntpServers.length];
    for (const t of periodicTimes(r, 64 / ctx.scale, 0.02, ctx.durationUs)) {
      const spec = benign(device, ntp, 123, 123, IPPROTO_UDP, App.Ntp, true, false);
      ctx.emitter.udpExchange(spec, t, 48, 48, r.logNormal(25_000, 0.3));
    }
  });
}

/** Long MQTT sessions publishing every ~30 s, reconnecting every 10 to 25 minutes of capture time. */
function mqttSessions(ctx: ModelContext, rng: Prng, device: number, broker: number): void {
  const publishUs = (30 / ctx.scale) * 1e6;
  let t = rng.uniform(0, publishUs);
  while (t < ctx.durationUs) {
    const lengthUs = Math.min(rng.uniform(600e6, 1500e6), ctx.durationUs - t);
    const exchanges: Exchange[] = [
      { request: rng.int(40, 80), response: 4, serverUs: 20_000, thinkUs: publishUs },
    ];
    for (let elapsed = 0; elapsed < lengthUs; elapsed += publishUs) {
      exchanges.push({
        request: rng.int(60, 240),
        response: rng.chance(0.5) ? 4 : 0,
        serverUs: rng.uniform(5_000, 30_000),
        thinkUs: publishUs * rng.uniform(0.97, 1.03),
      });
    }
    const spec = benign(device, broker, ephemeralPort(rng), 1883, IPPROTO_TCP, App.Mqtt, true, false);
    const end = ctx.emitter.tcpSession(spec, t, {
      rttUs: rng.logNormal(40_000, 0.3),
      rateBps: 2e6,
      exchanges,
      close: rng.chance(0.8) ? 'client-fin' : 'client-rst',
    });
    t = end + rng.uniform(1e6, 5e6);
  }
}
