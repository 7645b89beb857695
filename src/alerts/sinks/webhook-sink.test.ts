import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { SinkError } from '../../core/errors.js';
import { buildAlert } from '../build-alert.js';
import { classifyDetection } from '../classify-detection.js';
import { makeDetection, makeFlow } from '../testing/make-detection.js';
import type { AlertLogFn } from './alert-sink.js';
import { retryAfterMs, WebhookSink, type WebhookSinkOptions } from './webhook-sink.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, index: number) => void;

const cleanups: (() => Promise<unknown>)[] = [];
const logs: { msg: string; fields?: Record<string, unknown> }[] = [];
const log: AlertLogFn = (_level, msg, fields) => logs.push({ msg, fields });

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  logs.length = 0;
});

function alertNo(i: number) {
  const detection = makeDetection({ flow: makeFlow({ srcPort: 1000 + i }) });
  return buildAlert(detection, classifyDetection(detection));
}

/** A local HTTP endpoint: records each request, answers through `handler` (default 204). */
async function endpoint(handler: Handler = (_req, res) => res.writeHead(204).end()) {
  const received: Received[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      handler(req, res, received.length - 1);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook?token=query-secret`,
    received,
    maxInFlight: () => maxInFlight,
  };
}

function sink(options: Partial<WebhookSinkOptions> & Pick<WebhookSinkOptions, 'url'>): WebhookSink {
  const created = new WebhookSink({
    log,
    retry: { initialDelayMs: 10, maxDelayMs: 50 },
    random: () => 0.5,
    flushTimeoutMs: 5000,
    ...options,
  });
  cleanups.push(() => created.close());
  return created;
}

describe('WebhookSink', () => {
  it('POSTs each alert as JSON with the configured headers', async () => {
    const hook = await endpoint();
    const webhook = sink({ url: hook.url, headers: { Authorization: 'Bearer s3cret', 'X-Tenant': 'a' } });
    webhook.write(alertNo(1));
    webhook.write(alertNo(2));
    await webhook.flush();
    expect(hook.received).toHaveLength(2);
    expect(hook.received[0].headers).toMatchObject({
      authorization: 'Bearer s3cret',
      'x-tenant': 'a',
      'content-type': 'application/json',
    });
    expect(hook.received.map((r) => JSON.parse(r.body).source.port).sort()).toEqual([1001, 1002]);
    expect(webhook.stats()).toMatchObject({ delivered: 2, failed: 0, dropped: 0, queued: 0, inFlight: 0 });
  });

  it('sends the selected format, text for CEF', async () => {
    const hook = await endpoint();
    const ocsf = sink({ url: hook.url, format: 'ocsf', concurrency: 1 });
    ocsf.write(alertNo(1));
    await ocsf.flush();
    const cef = sink({ url: hook.url, format: 'cef', headers: { 'Content-Type': 'text/x-cef' } });
    cef.write(alertNo(1));
    await cef.flush();
    expect(JSON.parse(hook.received[0].body).class_uid).toBe(2004);
    expect(hook.received[1].body).toMatch(/^CEF:0\|tapwatch\|/);
    expect(hook.received[1].headers['content-type']).toBe('text/x-cef');
  });

  it('retries 5xx and network errors with backoff, then delivers', async () => {
    const hook = await endpoint((req, res, index) => {
      if (index === 0) res.writeHead(503).end();
      else if (index === 1) req.socket.destroy();
      else res.writeHead(200).end('ok');
    });
    const webhook = sink({ url: hook.url, concurrency: 1 });
    webhook.write(alertNo(1));
    await webhook.flush();
    expect(hook.received).toHaveLength(3);
    expect(webhook.stats()).toMatchObject({ delivered: 1, retries: 2, failed: 0 });
  });

  it('honours Retry-After on 429', async () => {
    const hook = await endpoint((_req, res, index) => {
      if (index === 0) res.writeHead(429, { 'retry-after': '1' }).end();
      else res.writeHead(204).end();
    });
    const webhook = sink({ url: hook.url });
    const started = Date.now();
    webhook.write(alertNo(1));
    await webhook.flush();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(webhook.stats().delivered).toBe(1);
  });

  it('gives up after maxRetries, counts it and never logs secrets', async () => {
    const hook = await endpoint((_req, res) => res.writeHead(500).end());
    const webhook = sink({ url: hook.url, maxRetries: 2, headers: { Authorization: 'Bearer s3cret' } });
    webhook.write(alertNo(1));
    await webhook.flush();
    expect(hook.received).toHaveLength(3);
    expect(webhook.stats()).toMatchObject({ delivered: 0, failed: 1, retries: 2 });
    const logged = JSON.stringify(logs);
    expect(logged).toContain('webhook delivery failed');
    expect(logged).toContain('HTTP 500');
    expect(logged).not.toMatch(/s3cret|query-secret/);
  });

  it('does not retry a 4xx rejection', async () => {
    const hook = await endpoint((_req, res) => res.writeHead(400).end());
    const webhook = sink({ url: hook.url });
    webhook.write(alertNo(1));
    await webhook.flush();
    expect(hook.received).toHaveLength(1);
    expect(webhook.stats()).toMatchObject({ failed: 1, retries: 0 });
  });

  it('times out a hanging request and retries it', async () => {
    const hook = await endpoint(() => undefined);
    const webhook = sink({ url: hook.url, timeoutMs: 100, maxRetries: 1 });
    webhook.write(alertNo(1));
    await webhook.flush();
    expect(hook.received).toHaveLength(2);
    expect(JSON.stringify(logs)).toContain('timed out after 100 ms');
  });

  it('bounds the queue, drops the oldest and caps concurrency', async () => {
    const held: ServerResponse[] = [];
    const hook = await endpoint((_req, res) => held.push(res));
    const webhook = sink({ url: hook.url, concurrency: 2, maxQueue: 3, timeoutMs: 5000 });
    for (let i = 0; i < 8; i++) webhook.write(alertNo(i));
    // Two taken by workers at once, three queued, three dropped.
    expect(webhook.stats()).toMatchObject({ dropped: 3, queued: 3, inFlight: 2 });
    const deadline = Date.now() + 3000;
    while (webhook.stats().delivered < 5 && Date.now() < deadline) {
      for (const res of held.splice(0)) res.writeHead(204).end();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(webhook.stats().delivered).toBe(5);
    expect(hook.maxInFlight()).toBe(2);
    const ports = hook.received.map((r) => JSON.parse(r.body).source.port).sort();
    expect(ports).toEqual([1000, 1001, 1005, 1006, 1007]);
  });

  it('closes within the flush bound, once, and refuses writes afterwards', async () => {
    const hook = await endpoint(() => undefined);
    const webhook = sink({ url: hook.url, flushTimeoutMs: 100, timeoutMs: 10_000 });
    webhook.write(alertNo(1));
    const started = Date.now();
    const closing = webhook.close();
    expect(webhook.close()).toBe(closing);
    await closing;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(() => webhook.write(alertNo(2))).toThrow(SinkError);
  });

  it('rejects a non-HTTP URL', () => {
    expect(() => new WebhookSink({ url: 'ftp://example.org/x', log })).toThrow(
      /expected an http or https URL/,
    );
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates', () => {
    const now = Date.UTC(2024, 4, 1, 12, 0, 0);
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Wed, 01 May 2024 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
