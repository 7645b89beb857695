import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, SinkError } from '../../core/errors.js';
import { buildAlert } from '../build-alert.js';
import { classifyDetection } from '../classify-detection.js';
import { makeDetection, makeFlow } from '../testing/make-detection.js';
import type { AlertLogFn } from './alert-sink.js';
import { SyslogSink, type SyslogSinkOptions } from './syslog-sink.js';

const NOW = Date.UTC(2024, 5, 1, 8, 30, 0, 5);
const logs: { level: string; msg: string }[] = [];
const log: AlertLogFn = (level, msg) => logs.push({ level, msg });
const cleanups: (() => Promise<unknown> | undefined)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  logs.length = 0;
});

function alertNo(i: number) {
  const detection = makeDetection({ flow: makeFlow({ srcPort: 1000 + i }) });
  return buildAlert(detection, classifyDetection(detection), { observerVersion: '0.1.0' });
}

function sink(options: Partial<SyslogSinkOptions> & Pick<SyslogSinkOptions, 'address' | 'transport'>) {
  const created = new SyslogSink({ format: 'cef', hostname: 'sensor-1', log, now: () => NOW, ...options });
  cleanups.push(() => created.close());
  return created;
}

/** Poll `check` every 10 ms until it holds or `timeoutMs` passes. */
async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function udpCollector(): Promise<{ port: number; messages: string[] }> {
  const socket: UdpSocket = createSocket('udp4');
  const messages: string[] = [];
  socket.on('message', (data) => messages.push(data.toString('utf8')));
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  cleanups.push(() => new Promise((resolve) => socket.close(() => resolve(undefined))));
  return { port: socket.address().port, messages };
}

/** A TCP collector that splits octet-counted frames (or LF-terminated lines) like a real receiver. */
async function tcpCollector(framing: 'octet-counting' | 'lf', port = 0) {
  const messages: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (framing === 'lf') {
          const at = buffer.indexOf(0x0a);
          if (at < 0) break;
          messages.push(buffer.subarray(0, at).toString('utf8'));
          buffer = buffer.subarray(at + 1);
          continue;
        }
        const space = buffer.indexOf(0x20);
        if (space < 0) break;
        const length = Number(buffer.subarray(0, space).toString('ascii'));
        if (buffer.length < space + 1 + length) break;
        messages.push(buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
        buffer = buffer.subarray(space + 1 + length);
      }
    });
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    if (server.listening) await new Promise((resolve) => server.close(() => resolve(undefined)));
  };
  cleanups.push(stop);
  const address = server.address();
  return { port: typeof address === 'object' && address !== null ? address.port : 0, messages, stop };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

describe('SyslogSink over UDP', () => {
  it('sends one RFC 5424 datagram per alert with a CEF payload', async () => {
    const collector = await udpCollector();
    const udp = sink({ address: `127.0.0.1:${collector.port}`, transport: 'udp', productVersion: '0.1.0' });
    for (let i = 0; i < 3; i++) udp.write(alertNo(i));
    await udp.flush();
    await waitFor(() => collector.messages.length === 3);
    const [first, , third] = collector.messages;
    // local4 (20) * 8 + warning (4, tapwatch medium) = 164; Anomalous flow at score 6/4 is medium.
    expect(first).toMatch(
      new RegExp(
        `^<164>1 2024-06-01T08:30:00.005Z sensor-1 tapwatch ${process.pid} CEF ` +
          '\\[origin software="tapwatch" swVersion="0.1.0"\\]\\[meta sequenceId="1"\\] CEF:0\\|tapwatch\\|tapwatch\\|0.1.0\\|1900000\\|',
      ),
    );
    expect(third).toContain('[meta sequenceId="3"] CEF:0|');
    expect(third).toContain(' spt=1002 ');
    expect(udp.stats()).toMatchObject({ sent: 3, dropped: 0, failures: 0, queued: 0, truncated: 0 });
  });

  it('cuts an oversized message to maxMessageBytes and counts it', async () => {
    const collector = await udpCollector();
    const udp = sink({ address: `127.0.0.1:${collector.port}`, transport: 'udp', maxMessageBytes: 480 });
    udp.write(alertNo(1));
    await waitFor(() => collector.messages.length === 1);
    expect(Buffer.byteLength(collector.messages[0])).toBeLessThanOrEqual(480);
    expect(udp.stats().truncated).toBe(1);
  });
});

describe('SyslogSink over TCP', () => {
  it('frames with octet counting by default and keeps order', async () => {
    const collector = await tcpCollector('octet-counting');
    const tcp = sink({ address: `127.0.0.1:${collector.port}`, transport: 'tcp', facility: 1 });
    for (let i = 0; i < 50; i++) tcp.write(alertNo(i));
    await tcp.flush();
    await waitFor(() => collector.messages.length === 50);
    expect(collector.messages.every((m) => m.startsWith('<12>1 '))).toBe(true);
    expect(collector.messages.map((m) => /spt=(\d+)/.exec(m)?.[1])).toEqual(
      Array.from({ length: 50 }, (_, i) => String(1000 + i)),
    );
  });

  it('frames with LF on request and carries LEEF', async () => {
    const collector = await tcpCollector('lf');
    const tcp = sink({
      address: `127.0.0.1:${collector.port}`,
      transport: 'tcp',
      framing: 'lf',
      format: 'leef',
    });
    tcp.write(alertNo(7));
    await tcp.flush();
    await waitFor(() => collector.messages.length === 1);
    expect(collector.messages[0]).toMatch(
      / LEEF \[origin software="tapwatch"\]\[meta sequenceId="1"\] LEEF:2\.0\|/,
    );
    expect(collector.messages[0]).toContain('\tsrcPort=1007\t');
  });

  it('queues while the collector is down and delivers after it comes up', async () => {
    const port = await freePort();
    const tcp = sink({
      address: `127.0.0.1:${port}`,
      transport: 'tcp',
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
      flushTimeoutMs: 3000,
    });
    for (let i = 0; i < 5; i++) tcp.write(alertNo(i));
    await waitFor(() => tcp.stats().failures >= 2);
    expect(tcp.stats().queued).toBe(5);
    expect(logs.some((l) => l.msg === 'syslog connection failed or lost')).toBe(true);
    const collector = await tcpCollector('octet-counting', port);
    await tcp.flush();
    await waitFor(() => collector.messages.length === 5);
    expect(tcp.stats()).toMatchObject({ sent: 5, dropped: 0, queued: 0 });
  });

  it('reconnects after the collector drops the connection', async () => {
    const first = await tcpCollector('octet-counting');
    const tcp = sink({
      address: `127.0.0.1:${first.port}`,
      transport: 'tcp',
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    tcp.write(alertNo(1));
    await tcp.flush();
    await waitFor(() => first.messages.length === 1);
    await first.stop();
    const second = await tcpCollector('octet-counting', first.port);
    // The first write after the drop may reach the dead socket; keep writing until one arrives.
    await waitFor(() => {
      tcp.write(alertNo(2));
      return second.messages.length > 0;
    }, 5000);
    expect(second.messages[0]).toContain(' spt=1002 ');
  });

  it('drops the oldest when the queue is full and never blocks close', async () => {
    const port = await freePort();
    const tcp = sink({
      address: `127.0.0.1:${port}`,
      transport: 'tcp',
      maxQueue: 3,
      flushTimeoutMs: 150,
      reconnect: { initialDelayMs: 1000, maxDelayMs: 1000 },
    });
    for (let i = 0; i < 10; i++) tcp.write(alertNo(i));
    expect(tcp.stats()).toMatchObject({ dropped: 7, queued: 3 });
    await expect(tcp.flush()).rejects.toThrow(/3 messages unsent after 150 ms/);
    const started = Date.now();
    const closing = tcp.close();
    expect(tcp.close()).toBe(closing);
    await closing;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(tcp.stats()).toMatchObject({ dropped: 10, queued: 0 });
    expect(() => tcp.write(alertNo(1))).toThrow(SinkError);
  });
});

describe('SyslogSink configuration', () => {
  it('rejects a bad address or facility naming the field', () => {
    expect(() => new SyslogSink({ address: 'nope', transport: 'udp', format: 'cef', log })).toThrow(
      ConfigError,
    );
    expect(
      () => new SyslogSink({ address: '[::1]:514', transport: 'udp', format: 'cef', facility: 24, log }),
    ).toThrow(/alerts\.syslog\.facility/);
  });
});
