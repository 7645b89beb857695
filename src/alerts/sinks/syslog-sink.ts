import { hostname as osHostname } from 'node:os';
import { ConfigError, SinkError } from '../../core/errors.js';
import type { Alert } from '../alert.js';
import { formatCef } from '../formats/format-cef.js';
import { formatLeef, type LeefOptions } from '../formats/format-leef.js';
import type { AlertLogFn, AlertSink } from './alert-sink.js';
import { formatSyslogMessage, frameSyslogMessage, syslogSeverity } from './syslog-message.js';
import { SyslogTcpTransport } from './syslog-tcp-transport.js';
import type { SyslogTransport, SyslogTransportStats } from './syslog-transport.js';
import { SyslogUdpTransport } from './syslog-udp-transport.js';

/** Options of `SyslogSink`, from `alerts.syslog` plus what the daemon knows about itself. */
export interface SyslogSinkOptions {
  /** Collector as `host:port` (`[v6]:port` for IPv6 literals). */
  address: string;
  transport: 'udp' | 'tcp';
  /** Payload: ArcSight CEF or QRadar LEEF. */
  format: 'cef' | 'leef';
  /** LEEF version and delimiter when `format` is `leef`. */
  leef?: Omit<LeefOptions, 'productVersion'>;
  /** Syslog facility code 0–23. Default 20 (local4). */
  facility?: number;
  /** TCP framing (RFC 6587). Default `octet-counting`; `lf` for receivers that only split on newlines. */
  framing?: 'octet-counting' | 'lf';
  /** Messages held while the collector is unreachable (TCP) or unsent (UDP). Default 10,000. */
  maxQueue?: number;
  /** Largest message in bytes, header included; longer payloads are cut. Default 2048 (RFC 5426). */
  maxMessageBytes?: number;
  /** Upper bound of `flush()` and of the drain in `close()`. Default 5000. */
  flushTimeoutMs?: number;
  /** TCP connect timeout. Default 5000. */
  connectTimeoutMs?: number;
  /** TCP reconnect backoff. Default 500 ms doubling up to 30 s. */
  reconnect?: { initialDelayMs: number; maxDelayMs: number };
  /** HOSTNAME header field. Default: the machine's host name. */
  hostname?: string;
  /** APP-NAME header field. Default `tapwatch`. */
  appName?: string;
  /** tapwatch's version, for the payload header and the `origin` SD element. */
  productVersion?: string;
  log: AlertLogFn;
  /** Wall clock for the syslog TIMESTAMP; tests pass a fixed one. */
  now?: () => number;
}

/** Counters of a syslog sink; `truncated` counts messages cut to `maxMessageBytes`. */
export interface SyslogSinkStats extends SyslogTransportStats {
  truncated: number;
}

/**
 * Alerts as RFC 5424 syslog messages carrying a CEF or LEEF payload, for ArcSight, QRadar,
 * Sentinel's AMA forwarder or any rsyslog/syslog-ng relay. `write()` formats and queues and
 * returns at once; network trouble is queued, counted and logged, never thrown, so a collector
 * outage cannot stall detection (the queue bound caps memory).
 *
 * The syslog TIMESTAMP is the time of sending: collectors and retention act on it. The event
 * time travels in the payload (CEF `rt`, LEEF `devTime`), so replaying old captures keeps
 * correct event times without the records looking ancient to the collector.
 */
export class SyslogSink implements AlertSink {
  readonly name = 'syslog';
  readonly #options: SyslogSinkOptions;
  readonly #transport: SyslogTransport;
  readonly #header: Parameters<typeof formatSyslogMessage>[0];
  readonly #now: () => number;
  #sequenceId = 0;
  #truncated = 0;
  #closing: Promise<void> | undefined;

  constructor(options: SyslogSinkOptions) {
    const { host, port } = parseAddress(options.address);
    const facility = options.facility ?? 20;
    if (!Number.isInteger(facility) || facility < 0 || facility > 23) {
      throw new ConfigError(`alerts.syslog.facility: expected an integer 0-23, got ${facility}`);
    }
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#header = {
      facility,
      hostname: options.hostname ?? osHostname(),
      appName: options.appName ?? 'tapwatch',
      procId: String(process.pid),
      msgId: options.format === 'cef' ? 'CEF' : 'LEEF',
      softwareVersion: options.productVersion,
    };
    const maxQueue = options.maxQueue ?? 10_000;
    this.#transport =
      options.transport === 'udp'
        ? new SyslogUdpTransport({ host, port, maxQueue, log: options.log })
        : new SyslogTcpTransport({
            host,
            port,
            maxQueue,
            connectTimeoutMs: options.connectTimeoutMs ?? 5000,
            reconnect: options.reconnect ?? { initialDelayMs: 500, maxDelayMs: 30_000 },
            log: options.log,
          });
  }

  write(alert: Alert): void {
    if (this.#closing !== undefined)
      throw new SinkError(`syslog ${this.#options.address}: write after close`);
    const payload =
      this.#options.format === 'cef'
        ? formatCef(alert, { productVersion: this.#options.productVersion })
        : formatLeef(alert, { ...this.#options.leef, productVersion: this.#options.productVersion });
    // RFC 5424 sequenceId runs 1..2147483647 and wraps back to 1.
    this.#sequenceId = (this.#sequenceId % 2_147_483_647) + 1;
    const message = formatSyslogMessage(
      this.#header,
      {
        severity: syslogSeverity(alert.event.severity),
        timeMs: this.#now(),
        sequenceId: this.#sequenceId,
        payload,
      },
      this.#options.maxMessageBytes ?? 2048,
    );
    if (message.truncated) this.#truncated++;
    const frame =
      this.#options.transport === 'udp'
        ? message.bytes
        : frameSyslogMessage(message.bytes, this.#options.framing ?? 'octet-counting');
    this.#transport.send(frame);
  }

  /** Wait (bounded by `flushTimeoutMs`) until queued messages left; throws a retriable `SinkError` on timeout. */
  flush(): Promise<void> {
    return this.#transport.flush(this.#options.flushTimeoutMs ?? 5000);
  }

  /** Drain (bounded), then close the socket; every call returns the same promise. */
  close(): Promise<void> {
    this.#closing ??= this.#transport.close(this.#options.flushTimeoutMs ?? 5000);
    return this.#closing;
  }

  stats(): SyslogSinkStats {
    return { ...this.#transport.stats(), truncated: this.#truncated };
  }
}

/** `host:port` or `[v6]:port` → parts; a bad address is a config error naming the field. */
export function parseAddress(address: string): { host: string; port: number } {
  const match = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(address) ?? /^([^\s:[\]]+):(\d{1,5})$/.exec(address);
  const port = match === null ? Number.NaN : Number(match[2]);
  if (match === null || port < 1 || port > 65_535) {
    throw new ConfigError(`alerts.syslog.address: expected host:port (e.g. 127.0.0.1:514), got "${address}"`);
  }
  return { host: match[1], port };
}
