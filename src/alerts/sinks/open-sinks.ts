import { hostname } from 'node:os';
import type { Writable } from 'node:stream';
import type { AlertsConfig } from '../../config/schema.js';
import type { AlertLogFn, AlertSink } from './alert-sink.js';
import { RotatingFileSink } from './rotating-file-sink.js';
import { StdoutSink } from './stdout-sink.js';
import { SyslogSink } from './syslog-sink.js';
import { WebhookSink } from './webhook-sink.js';

/** Where the daemon runs, for the sinks that need it. */
export interface SinkContext {
  stdout: Writable & { isTTY?: boolean };
  productVersion: string;
  log: AlertLogFn;
}

/** Build every sink the `alerts` config enables, in a fixed order (stdout, file, syslog, webhook). */
export async function openSinks(config: AlertsConfig, context: SinkContext): Promise<AlertSink[]> {
  const { stdout, productVersion, log } = context;
  const sinks: AlertSink[] = [];
  if (config.stdout.enabled) {
    const tty = stdout.isTTY === true;
    const format = config.stdout.format === 'auto' ? (tty ? 'pretty' : 'ecs') : config.stdout.format;
    sinks.push(new StdoutSink({ format, color: tty && format === 'pretty', stream: stdout }));
  }
  const { file, syslog, webhook } = config;
  if (file.path) {
    sinks.push(
      await RotatingFileSink.open(file.path, {
        format: file.format,
        maxBytes: file.maxBytes,
        maxAgeSeconds: file.maxAgeSeconds,
        keep: file.keep,
        formatOptions: { productVersion },
        log,
      }),
    );
  }
  if (syslog.enabled) {
    sinks.push(
      new SyslogSink({
        address: syslog.address,
        transport: syslog.transport,
        format: syslog.format,
        leef: { version: syslog.leefVersion, delimiter: syslog.leefDelimiter },
        facility: syslog.facility,
        framing: syslog.framing,
        maxQueue: syslog.maxQueue,
        maxMessageBytes: syslog.maxMessageBytes,
        flushTimeoutMs: syslog.flushTimeoutMs,
        connectTimeoutMs: syslog.connectTimeoutMs,
        reconnect: { initialDelayMs: syslog.reconnectInitialDelayMs, maxDelayMs: syslog.reconnectMaxDelayMs },
        hostname: syslog.hostname || hostname(),
        appName: syslog.appName,
        productVersion,
        log,
      }),
    );
  }
  if (webhook.enabled) {
    sinks.push(
      new WebhookSink({
        url: webhook.url,
        format: webhook.format,
        headers: webhook.headers,
        timeoutMs: webhook.timeoutMs,
        maxRetries: webhook.maxRetries,
        retry: { initialDelayMs: webhook.retryInitialDelayMs, maxDelayMs: webhook.retryMaxDelayMs },
        maxRetryAfterMs: webhook.maxRetryAfterMs,
        maxQueue: webhook.maxQueue,
        concurrency: webhook.concurrency,
        flushTimeoutMs: webhook.flushTimeoutMs,
        formatOptions: { productVersion },
        log,
      }),
    );
  }
  return sinks;
}
