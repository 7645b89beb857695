/**
 * A deliberately minimal Kafka client for protocol-level tests: it frames requests with header v1 (or v2 for
 * flexible ApiVersions), and hands back each response body as a reader. No retries, no metadata, no pooling.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { KafkaReader, KafkaWriter } from './codec.js';

/** One TCP connection speaking raw Kafka frames. */
export class RawKafkaClient {
  #socket: Socket;
  #buffer = Buffer.alloc(0);
  #waiting: { correlationId: number; resolve: (r: KafkaReader) => void; reject: (e: Error) => void }[] = [];
  #correlationId = 0;
  /** Set while a bare frame (a SASL token after SaslHandshake v0) is awaited instead of a response. */
  #bareWaiting: ((frame: Buffer) => void) | null = null;
  /** Resolves when the broker closes the connection. */
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        for (const w of this.#waiting.splice(0)) w.reject(new Error('connection closed'));
        resolve();
      });
    });
    socket.on('error', (err) => {
      for (const w of this.#waiting.splice(0)) w.reject(err);
    });
  }

  static async connect(port: number): Promise<RawKafkaClient> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new RawKafkaClient(socket);
  }

  #onData(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 4 && this.#buffer.length >= 4 + this.#buffer.readInt32BE(0)) {
      const size = this.#buffer.readInt32BE(0);
      const frame = this.#buffer.subarray(4, 4 + size);
      this.#buffer = this.#buffer.subarray(4 + size);
      if (this.#bareWaiting !== null) {
        const resolve = this.#bareWaiting;
        this.#bareWaiting = null;
        resolve(frame);
        continue;
      }
      const reader = new KafkaReader(frame);
      const correlationId = reader.int32();
      const next = this.#waiting.shift();
      if (next === undefined || next.correlationId !== correlationId) {
        next?.reject(new Error(`response ${correlationId} arrived out of order`));
        continue;
      }
      next.resolve(reader);
    }
  }

  /**
   * Sends one request. `flexibleHeader` writes request header v2 (an empty tagged-field section after the
   * client id). Resolves with the response body, or with null at once when `expectResponse` is false.
   */
  request(
    apiKey: number,
    apiVersion: number,
    body: KafkaWriter,
    options: { expectResponse?: boolean; flexibleHeader?: boolean } = {},
  ): Promise<KafkaReader | null> {
    const correlationId = ++this.#correlationId;
    const header = new KafkaWriter()
      .int16(apiKey)
      .int16(apiVersion)
      .int32(correlationId)
      .string('raw-client');
    if (options.flexibleHeader) header.unsignedVarint(0);
    const payload = Buffer.concat([header.toBuffer(), body.toBuffer()]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length);
    this.#socket.write(Buffer.concat([size, payload]));
    if (options.expectResponse === false) return Promise.resolve(null);
    return new Promise((resolve, reject) => this.#waiting.push({ correlationId, resolve, reject }));
  }

  /** Sends a bare size-delimited frame (no request header) and resolves with the next bare frame. */
  bareExchange(payload: Buffer): Promise<Buffer> {
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length);
    this.#socket.write(Buffer.concat([size, payload]));
    return new Promise((resolve, reject) => {
      this.#bareWaiting = resolve;
      this.#socket.once('close', () => reject(new Error('connection closed')));
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}
