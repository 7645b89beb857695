import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { SinkError } from '../../core/errors.js';
import type { AlertLogFn } from './alert-sink.js';
import { isLogWorthy } from './log-worthy.js';
import type { SyslogTransport, SyslogTransportStats } from './syslog-transport.js';

/** Options of `SyslogUdpTransport`. */
export interface SyslogUdpTransportOptions {
  host: string;
  port: number;
  /** Datagrams handed to the socket but not yet sent; beyond it new messages are dropped and counted. */
  maxQueue: number;
  log: AlertLogFn;
}

/**
 * RFC 5426 syslog over UDP: one datagram per message, no framing. The socket is created on the
 * first send. Datagrams are fire-and-forget (a collector that is down loses them silently,
 * which is why the messages carry a `meta sequenceId`); local send errors are counted. Node
 * queues datagrams internally while it resolves a host name, so that backlog is bounded here.
 */
export class SyslogUdpTransport implements SyslogTransport {
  readonly #options: SyslogUdpTransportOptions;
  readonly #target: string;
  #socket: Socket | undefined;
  #inFlight = 0;
  #sent = 0;
  #dropped = 0;
  #failures = 0;
  #idleWaiters: (() => void)[] = [];
  #closing: Promise<void> | undefined;

  constructor(options: SyslogUdpTransportOptions) {
    this.#options = options;
    this.#target = `udp://${isIPv6(options.host) ? `[${options.host}]` : options.host}:${options.port}`;
  }

  send(frame: Buffer): void {
    if (this.#closing !== undefined) throw new SinkError(`syslog ${this.#target}: send after close`);
    if (this.#inFlight >= this.#options.maxQueue) {
      this.#dropped++;
      if (isLogWorthy(this.#dropped)) {
        this.#options.log('warn', 'syslog send queue full: dropping messages', {
          target: this.#target,
          dropped: this.#dropped,
        });
      }
      return;
    }
    this.#inFlight++;
    this.#ensureSocket().send(frame, this.#options.port, this.#options.host, (err) => this.#onSent(err));
  }

  async flush(timeoutMs: number): Promise<void> {
    if (this.#inFlight === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([idle, timeout]).finally(() => clearTimeout(timer));
    if (this.#inFlight > 0) {
      throw new SinkError(
        `syslog ${this.#target}: ${this.#inFlight} datagrams unsent after ${timeoutMs} ms`,
        {
          retriable: true,
        },
      );
    }
  }

  close(timeoutMs: number): Promise<void> {
    this.#closing ??= this.#close(timeoutMs);
    return this.#closing;
  }

  stats(): SyslogTransportStats {
    return { sent: this.#sent, dropped: this.#dropped, failures: this.#failures, queued: this.#inFlight };
  }

  async #close(timeoutMs: number): Promise<void> {
    try {
      await this.flush(timeoutMs);
    } catch (err) {
      this.#dropped += this.#inFlight;
      this.#options.log('warn', 'syslog close: datagrams still unsent', { target: this.#target, err });
    }
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket !== undefined) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  #ensureSocket(): Socket {
    if (this.#socket !== undefined) return this.#socket;
    const socket = createSocket(isIPv6(this.#options.host) ? 'udp6' : 'udp4');
    // Without a listener a socket error would crash the process; sends report their own errors.
    socket.on('error', (err) => {
      this.#options.log('warn', 'syslog UDP socket error', { target: this.#target, err });
    });
    socket.unref();
    this.#socket = socket;
    return socket;
  }

  #onSent(err: Error | null): void {
    this.#inFlight--;
    if (err === null) {
      this.#sent++;
    } else {
      this.#failures++;
      if (isLogWorthy(this.#failures)) {
        this.#options.log('warn', 'syslog UDP send failed', {
          target: this.#target,
          failures: this.#failures,
          err,
        });
      }
    }
    if (this.#inFlight === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
