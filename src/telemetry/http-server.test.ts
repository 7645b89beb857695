import { createServer } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { TapwatchError } from '../core/errors.js';
import { parseListen, TelemetryServer } from './http-server.js';
import { createMetrics } from './metrics.js';

const servers: TelemetryServer[] = [];

function serve(isReady: () => boolean = () => true, listen = '127.0.0.1:0') {
  const registry = new Registry();
  const metrics = createMetrics(registry, { version: '0.1.0' });
  const server = new TelemetryServer({ listen, registry, isReady });
  servers.push(server);
  return { server, metrics };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('TelemetryServer', () => {
  it('serves a Prometheus scrape on /metrics', async () => {
    const { server, metrics } = serve();
    metrics.alertsEmitted.inc({ segment: 'servers', severity: 'high' });
    const { url } = await server.start();
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    expect(body).toContain('tapwatch_build_info{version="0.1.0"} 1');
    expect(body).toContain('tapwatch_alerts_emitted_total{segment="servers",severity="high"} 1');
    expect(body).toContain('process_resident_memory_bytes');
  });

  it('answers health and readiness, following the callback', async () => {
    let ready = false;
    const { server } = serve(() => ready);
    const { url } = await server.start();
    const healthy = await fetch(`${url}/-/healthy`);
    expect([healthy.status, await healthy.text()]).toEqual([200, 'tapwatch is healthy\n']);
    expect((await fetch(`${url}/-/ready`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${url}/-/ready`)).status).toBe(200);
  });

  it('rejects unknown paths and methods', async () => {
    const { server } = serve();
    const { url } = await server.start();
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    const post = await fetch(`${url}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${url}/-/healthy`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('listens on IPv6 loopback', async () => {
    const { server } = serve(() => true, '[::1]:0');
    const bound = await server.start().catch((err: TapwatchError) => err);
    // Hosts without IPv6 cannot bind ::1; that must still be a clear error, not a crash.
    if (bound instanceof TapwatchError) {
      expect(bound.message).toContain('[::1]:0');
      return;
    }
    expect(bound.url).toBe(`http://[::1]:${bound.port}`);
    expect((await fetch(`${bound.url}/-/healthy`)).status).toBe(200);
  });

  it('names the address when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { server } = serve(() => true, `127.0.0.1:${port}`);
      await expect(server.start()).rejects.toThrow(
        `telemetry.listen: cannot listen on 127.0.0.1:${port}: address already in use`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('closes idempotently, even with keep-alive scrapers connected', async () => {
    const { server } = serve();
    const { url } = await server.start();
    await fetch(`${url}/metrics`, { keepalive: true }).then((r) => r.text());
    const closing = server.close();
    expect(server.close()).toBe(closing);
    await closing;
    await expect(fetch(`${url}/-/healthy`)).rejects.toThrow();
  });
});

describe('parseListen', () => {
  it('splits IPv4, IPv6 and names', () => {
    expect(parseListen('127.0.0.1:9464')).toEqual(['127.0.0.1', 9464]);
    expect(parseListen('[::1]:9464')).toEqual(['::1', 9464]);
    expect(parseListen('localhost:0')).toEqual(['localhost', 0]);
    expect(() => parseListen('::1:9464')).toThrow(/expected host:port/);
    expect(() => parseListen('127.0.0.1:70000')).toThrow(/expected host:port/);
  });
});
