import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { TapwatchError } from '../core/errors.js';

/** Options of `TelemetryServer`; `listen` is `telemetry.listen`. */
export interface TelemetryServerOptions {
  /** `host:port`; IPv6 hosts in brackets (`[::1]:9464`); port 0 picks a free port. */
  listen: string;
  registry: Registry;
  /** `/-/ready` answers 200 while this returns true (config loaded, sources connected), else 503. */
  isReady: () => boolean;
  /** Told about failures serving a request; the server keeps running. */
  onError?: (err: unknown) => void;
}

/** Where the server listens once started. */
export interface BoundAddress {
  host: string;
  port: number;
  /** `http://127.0.0.1:9464` or `http://[::1]:9464`. */
  url: string;
}

/**
 * Prometheus scrape endpoint and health checks, on Prometheus's own paths: `/metrics`,
 * `/-/healthy` (the process is up) and `/-/ready` (it can do its job). GET and HEAD only.
 */
export class TelemetryServer {
  readonly #options: TelemetryServerOptions;
  readonly #host: string;
  readonly #port: number;
  readonly #server: Server;
  #started: Promise<BoundAddress> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: TelemetryServerOptions) {
    this.#options = options;
    [this.#host, this.#port] = parseListen(options.listen);
    this.#server = createServer((req, res) => {
      this.#route(req, res).catch((err: unknown) => this.#fail(res, err));
    });
  }

  /** Bind and listen. Rejects with a `TapwatchError` naming the address when binding fails. */
  start(): Promise<BoundAddress> {
    this.#started ??= new Promise<BoundAddress>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(
          new TapwatchError(
            'TAPWATCH_CONFIG_INVALID',
            `telemetry.listen: cannot listen on ${this.#options.listen}: ${describeBindError(err)}`,
            { cause: err },
          ),
        );
      };
      this.#server.once('error', onError);
      this.#server.listen({ host: this.#host, port: this.#port }, () => {
        this.#server.off('error', onError);
        const address = this.#server.address() as AddressInfo;
        const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        resolve({ host: address.address, port: address.port, url: `http://${host}:${address.port}` });
      });
    });
    return this.#started;
  }

  /** Stop listening and drop idle keep-alive connections; later calls return the same promise. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      if (!this.#server.listening) {
        resolve();
        return;
      }
      // Prometheus keeps scrape connections alive; without this, close() would wait for them to time out.
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
    });
    return this.#closing;
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(req, res, 405, 'method not allowed\n');
    }
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/metrics': {
        const body = await this.#options.registry.metrics();
        return send(req, res, 200, body, this.#options.registry.contentType);
      }
      case '/-/healthy':
        return send(req, res, 200, 'tapwatch is healthy\n');
      case '/-/ready':
        return this.#options.isReady()
          ? send(req, res, 200, 'tapwatch is ready\n')
          : send(req, res, 503, 'tapwatch is not ready\n');
      default:
        return send(req, res, 404, 'not found\n');
    }
  }

  #fail(res: ServerResponse, err: unknown): void {
    this.#options.onError?.(err);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('internal error\n');
  }
}

function send(req: IncomingMessage, res: ServerResponse, status: number, body: string, type?: string): void {
  res.writeHead(status, {
    'Content-Type': type ?? 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Split `host:port` or `[v6]:port`; the config schema has already checked the shape. */
export function parseListen(listen: string): [host: string, port: number] {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(listen);
  const port = match === null ? Number.NaN : Number(match[3]);
  if (match === null || port > 65535) {
    throw new TapwatchError(
      'TAPWATCH_CONFIG_INVALID',
      `telemetry.listen: expected host:port such as 127.0.0.1:9464 or [::1]:9464, got ${JSON.stringify(listen)}`,
    );
  }
  return [match[1] ?? match[2], port];
}

function describeBindError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return 'address already in use (another tapwatch or exporter is listening there)';
    case 'EACCES':
      return 'permission denied (ports below 1024 need privileges)';
    case 'EADDRNOTAVAIL':
      return 'address not available on this host';
    default:
      return err.message;
  }
}
