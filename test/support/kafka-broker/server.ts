/**
 * TCP side of the broker: size-delimited frames (an INT32 length, then the request), request header v1
 * (api_key, api_version, correlation_id, client_id), dispatch to the API handlers, and response header v0
 * (correlation_id). Requests on one connection are served strictly one after another, as a Kafka broker does
 * (it mutes a connection until its response is sent), because clients rely on in-order responses. With `tls`
 * the listener is a node:tls server (SSL / SASL_SSL); with `sasl` every connection must authenticate first.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import { ApiKey, type ApiRange, type BrokerNode, type RequestContext } from './apis/api.js';
import { unsupportedApiVersionsResponse } from './apis/api-versions.js';
import { API_HANDLERS } from './apis/registry.js';
import type { BrokerState } from './broker-state.js';
import { KafkaReader, type KafkaWriter } from './codec.js';
import type { GroupCoordinator } from './group-coordinator.js';
import { type AuthEvent, ConnectionAuth, type SaslListenerConfig } from './sasl/session.js';

/** Kafka's default `socket.request.max.bytes`: a larger frame is a broken or hostile client. */
const MAX_FRAME_BYTES = 100 * 1024 * 1024;

const SUPPORTED_APIS: readonly ApiRange[] = [...API_HANDLERS.values()].map(
  ({ apiKey, minVersion, maxVersion }) => ({
    apiKey,
    minVersion,
    maxVersion,
  }),
);

/** What the server needs from the broker. */
export interface KafkaServerOptions {
  host: string;
  state: BrokerState;
  groups: GroupCoordinator;
  /** Called for requests the broker could not serve; the connection is closed afterwards. */
  onError: (err: Error) => void;
  /** node:tls server options (key, cert, ca, requestCert, rejectUnauthorized); absent = plaintext. */
  tls?: TlsOptions;
  /** SASL mechanisms and users; absent = no authentication. */
  sasl?: SaslListenerConfig;
  /** TLS handshakes and SASL authentications, successful or not. */
  onAuth: (event: AuthEvent) => void;
}

/** One TCP listener and its connections. */
export class KafkaServer {
  #options: KafkaServerOptions;
  #server: Server | null = null;
  #connections = new Set<Connection>();

  constructor(options: KafkaServerOptions) {
    this.#options = options;
  }

  /** Starts listening; resolves with the bound port (useful when `port` is 0). */
  listen(port: number): Promise<number> {
    const tls = this.#options.tls;
    const server: Server =
      tls === undefined
        ? createServer((socket) => this.#accept(socket, server))
        : createTlsServer(tls, (socket) => {
            const cert = socket.getPeerCertificate();
            const subject = cert?.subject?.CN;
            this.#options.onAuth({
              kind: 'tls',
              ok: true,
              clientSubject: subject === undefined ? null : String(subject),
            });
            this.#accept(socket, server);
          }).on('tlsClientError', (err: Error, socket: TLSSocket) => {
            this.#options.onAuth({ kind: 'tls', ok: false, reason: err.message });
            socket.destroy();
          });
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.#options.host, () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  #accept(socket: Socket, server: Server): void {
    const address = server.address();
    const node: BrokerNode = {
      nodeId: 0,
      host: this.#options.host,
      port: typeof address === 'object' && address !== null ? address.port : 0,
    };
    const conn = new Connection(socket, node, this.#options);
    this.#connections.add(conn);
    socket.once('close', () => this.#connections.delete(conn));
  }

  /** Stops accepting, drops every connection (parked requests get no answer), and waits for the port to free. */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const conn of this.#connections) conn.destroy();
    this.#connections.clear();
    if (server === null) return;
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  }
}

/** One client connection: frame reassembly and the sequential request queue. */
class Connection {
  #socket: Socket;
  #node: BrokerNode;
  #options: KafkaServerOptions;
  #pending: Buffer = Buffer.alloc(0);
  #queue: Promise<void> = Promise.resolve();
  #abort = new AbortController();
  #auth: ConnectionAuth;

  constructor(socket: Socket, node: BrokerNode, options: KafkaServerOptions) {
    this.#socket = socket;
    this.#node = node;
    this.#options = options;
    this.#auth = new ConnectionAuth(options.sasl, options.onAuth);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.#onData(chunk));
    // A client vanishing (ECONNRESET and the like) is normal in outage tests: drop the connection, report nothing.
    socket.on('error', () => this.destroy());
    socket.once('close', () => this.#abort.abort());
  }

  destroy(): void {
    this.#abort.abort();
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    while (this.#pending.length >= 4) {
      const size = this.#pending.readInt32BE(0);
      if (size < 0 || size > MAX_FRAME_BYTES) {
        this.#fail(new Error(`request frame of ${size} bytes (limit ${MAX_FRAME_BYTES})`));
        return;
      }
      if (this.#pending.length < 4 + size) return;
      const frame = this.#pending.subarray(4, 4 + size);
      this.#pending = this.#pending.subarray(4 + size);
      this.#queue = this.#queue.then(() => this.#serve(frame)).catch((err: unknown) => this.#fail(err));
    }
  }

  #fail(err: unknown): void {
    if (!this.#abort.signal.aborted)
      this.#options.onError(err instanceof Error ? err : new Error(String(err)));
    this.destroy();
  }

  async #serve(frame: Buffer): Promise<void> {
    if (this.#abort.signal.aborted) return;
    if (this.#auth.expectsRawToken) {
      this.#rawToken(frame);
      return;
    }
    const r = new KafkaReader(frame);
    const apiKey = r.int16();
    const apiVersion = r.int16();
    const correlationId = r.int32();
    const clientId = r.string() ?? '';
    if (!this.#auth.admits(apiKey)) {
      // Kafka closes a SASL connection that sends anything but ApiVersions/SaslHandshake before authenticating.
      this.#auth.refuse(apiKey);
      this.destroy();
      return;
    }
    const ctx: RequestContext = {
      apiVersion,
      clientId,
      clientHost: `/${this.#socket.remoteAddress ?? 'unknown'}`,
      state: this.#options.state,
      groups: this.#options.groups,
      node: this.#node,
      supportedApis: SUPPORTED_APIS,
      auth: this.#auth,
      signal: this.#abort.signal,
    };
    const handler = API_HANDLERS.get(apiKey);
    let body: KafkaWriter | null;
    if (handler !== undefined && apiVersion >= handler.minVersion && apiVersion <= handler.maxVersion) {
      body = await handler.handle(r, ctx);
    } else if (apiKey === ApiKey.ApiVersions) {
      body = unsupportedApiVersionsResponse(ctx);
    } else {
      // Only ApiVersions has an error format every version can parse; Kafka closes the connection otherwise.
      throw new Error(
        `unsupported request: api key ${apiKey} version ${apiVersion} from client "${clientId}"`,
      );
    }
    if (body === null || this.#socket.destroyed) return;
    const payload = body.toBuffer();
    const header = Buffer.allocUnsafe(8);
    header.writeInt32BE(payload.length + 4, 0);
    header.writeInt32BE(correlationId, 4);
    this.#socket.write(Buffer.concat([header, payload]));
    this.#closeIfFailed();
  }

  /** A bare SASL token after SaslHandshake v0: answered with a bare frame; a failure closes the connection. */
  #rawToken(token: Buffer): void {
    const reply = this.#auth.authenticate(token);
    if (reply.errorCode !== 0) {
      this.destroy();
      return;
    }
    const size = Buffer.allocUnsafe(4);
    size.writeInt32BE(reply.bytes.length, 0);
    this.#socket.write(Buffer.concat([size, reply.bytes]));
  }

  #closeIfFailed(): void {
    if (this.#auth.closeAfterResponse) {
      // A failed authentication: the answer is the last thing sent, then the connection is closed.
      this.#abort.abort();
      this.#socket.end();
      setTimeout(() => this.#socket.destroy(), 1000).unref();
    }
  }
}
