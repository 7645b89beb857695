import { connect, isIPv6, type Socket } from 'node:net';
import { SinkError } from '../../core/errors.js';
import type { AlertLogFn } from './alert-sink.js';
import { type BackoffOptions, backoffDelayMs } from './backoff.js';
import { DropOldestQueue } from './drop-oldest-queue.js';
import { isLogWorthy } from './log-worthy.js';
import type { SyslogTransport, SyslogTransportStats } from './syslog-transport.js';

/** Options of `SyslogTcpTransport`. */
export interface SyslogTcpTransportOptions {
  host: string;
  port: number;
  /** Framed messages held while disconnected; when full the oldest is dropped and counted. */
  maxQueue: number;
  /** A connect attempt taking longer than this fails (and backs off). */
  connectTimeoutMs: number;
  reconnect: Omit<BackoffOptions, 'random'>;
  log: AlertLogFn;
}

type State = 'idle' | 'connecting' | 'connected' | 'backoff' | 'closed';

/**
 * RFC 6587 syslog over TCP. Connects on the first message, not at construction, so a
 * collector that starts after tapwatch is no startup error. While disconnected, messages wait
 * in a bounded queue and a reconnect is scheduled with exponential backoff; with nothing to
 * send the transport stays disconnected until the next message. A message whose write failed
 * before reaching the kernel is put back in front of the queue; one the kernel accepted just
 * before the peer vanished is lost — plain syslog has no acknowledgements.
 */
export class SyslogTcpTransport implements SyslogTransport {
  readonly #options: SyslogTcpTransportOptions;
  readonly #target: string;
  readonly #queue: DropOldestQueue<Buffer>;
  #state: State = 'idle';
  #socket: Socket | undefined;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #needDrain = false;
  #pendingWrites = 0;
  #unsent: Buffer[] = [];
  #sent = 0;
  #failures = 0;
  #droppedOnClose = 0;
  #lastError: Error | undefined;
  #idleWaiters: (() => void)[] = [];
  #closing: Promise<void> | undefined;

  constructor(options: SyslogTcpTransportOptions) {
    this.#options = options;
    this.#queue = new DropOldestQueue(options.maxQueue);
    this.#target = `tcp://${isIPv6(options.host) ? `[${options.host}]` : options.host}:${options.port}`;
  }

  send(frame: Buffer): void {
    if (this.#closing !== undefined) throw new SinkError(`syslog ${this.#target}: send after close`);
    if (this.#queue.push(frame) !== undefined && isLogWorthy(this.#queue.dropped)) {
      this.#options.log('warn', 'syslog queue full: dropping the oldest messages', {
        target: this.#target,
        dropped: this.#queue.dropped,
        lastError: this.#lastError?.message,
      });
    }
    this.#kick();
  }

  async flush(timeoutMs: number): Promise<void> {
    if (this.#isIdle()) return;
    this.#kick();
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([idle, timeout]).finally(() => clearTimeout(timer));
    if (!this.#isIdle()) {
      const waiting = this.#queue.size + this.#unsent.length + this.#pendingWrites;
      const reason = this.#lastError === undefined ? '' : ` (last error: ${this.#lastError.message})`;
      throw new SinkError(
        `syslog ${this.#target}: ${waiting} messages unsent after ${timeoutMs} ms${reason}`,
        {
          cause: this.#lastError,
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
    return {
      sent: this.#sent,
      dropped: this.#queue.dropped + this.#droppedOnClose,
      failures: this.#failures,
      queued: this.#queue.size + this.#unsent.length,
    };
  }

  async #close(timeoutMs: number): Promise<void> {
    try {
      await this.flush(timeoutMs);
    } catch (err) {
      this.#options.log('warn', 'syslog close: dropping messages the collector did not take in time', {
        target: this.#target,
        err,
      });
    }
    this.#state = 'closed';
    clearTimeout(this.#timer);
    this.#droppedOnClose += this.#queue.clear() + this.#unsent.splice(0).length;
    const socket = this.#socket;
    if (socket === undefined) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.end();
    // A peer that never acknowledges our FIN must not hold shutdown up.
    const force = setTimeout(() => socket.destroy(), Math.min(timeoutMs, 1000));
    await closed.finally(() => clearTimeout(force));
  }

  #kick(): void {
    if (this.#state === 'idle') this.#connect();
    else if (this.#state === 'connected') this.#pump();
  }

  #connect(): void {
    this.#state = 'connecting';
    this.#queue.unshiftAll(this.#unsent.splice(0));
    const socket = connect({ host: this.#options.host, port: this.#options.port });
    this.#socket = socket;
    socket.setNoDelay(true);
    const connectTimer = setTimeout(
      () => socket.destroy(new Error(`connect timed out after ${this.#options.connectTimeoutMs} ms`)),
      this.#options.connectTimeoutMs,
    );
    socket.once('connect', () => {
      clearTimeout(connectTimer);
      if (this.#attempt > 0) {
        this.#options.log('info', 'syslog collector reachable again', { target: this.#target });
      }
      this.#state = 'connected';
      this.#attempt = 0;
      socket.setKeepAlive(true, 30_000);
      this.#pump();
    });
    socket.on('drain', () => {
      this.#needDrain = false;
      this.#pump();
    });
    socket.on('error', (err) => {
      this.#lastError = err;
    });
    socket.once('close', () => {
      clearTimeout(connectTimer);
      this.#onClose(socket);
    });
  }

  #onClose(socket: Socket): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    this.#needDrain = false;
    if (this.#state === 'closed') return;
    this.#queue.unshiftAll(this.#unsent.splice(0));
    this.#failures++;
    if (isLogWorthy(this.#failures)) {
      this.#options.log('warn', 'syslog connection failed or lost', {
        target: this.#target,
        failures: this.#failures,
        queued: this.#queue.size,
        err: this.#lastError,
      });
    }
    if (this.#queue.size === 0) {
      this.#state = 'idle';
      this.#notifyIfIdle();
      return;
    }
    this.#state = 'backoff';
    const delayMs = backoffDelayMs(this.#attempt++, this.#options.reconnect);
    this.#timer = setTimeout(() => {
      this.#state = 'idle';
      this.#kick();
    }, delayMs);
    // A pending reconnect alone must not keep the process alive at exit.
    this.#timer.unref();
  }

  #pump(): void {
    const socket = this.#socket;
    while (socket !== undefined && this.#state === 'connected' && !this.#needDrain && this.#queue.size > 0) {
      const frame = this.#queue.shift()!;
      this.#pendingWrites++;
      const hasRoom = socket.write(frame, (err) => {
        this.#pendingWrites--;
        if (err == null) this.#sent++;
        else this.#unsent.push(frame);
        this.#notifyIfIdle();
      });
      if (!hasRoom) this.#needDrain = true;
    }
    this.#notifyIfIdle();
  }

  #isIdle(): boolean {
    return this.#queue.size === 0 && this.#pendingWrites === 0 && this.#unsent.length === 0;
  }

  #notifyIfIdle(): void {
    if (this.#isIdle()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
