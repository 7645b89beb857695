import { z } from 'zod';

/**
 * The one schema for tapwatch's YAML config. Every object is strict (unknown keys are
 * rejected), every field has a default where a sensible one exists, and the TypeScript
 * types are derived from it. Field docs here are the reference; `config/tapwatch.yaml`
 * repeats them as comments.
 */

const positive = z.number().positive();
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

const cidr = z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, 'a CIDR such as 10.0.0.0/8 or 2001:db8::/32');
const vlanId = z.number().int().min(0).max(4095);
const listenAddress = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9464 or [::1]:9464');

export const captureInputSchema = z.strictObject({
  /** Capture files (pcap or pcapng, detected by magic number) read by `tapwatch run`. Relative to the config file. */
  files: z.array(z.string().min(1)).default(() => []),
  /** Replay speed: 0 = as fast as possible, 1 = original pace, 10 = ten times faster. */
  speed: z.number().nonnegative().default(0),
});

export const flowsSchema = z.strictObject({
  /** A flow with no packet for this long (event time) is exported. */
  idleTimeoutSeconds: positive.default(30),
  /** A flow still active after this long is exported and a new one starts. */
  activeTimeoutSeconds: positive.default(300),
  /** Flows held at once; when full the oldest flow is exported early and counted. */
  maxFlows: positiveInt.default(500_000),
});

export const segmentDefinitionSchema = z.strictObject({
  /** Segment name: used as metric label and alert `observer.ingress.zone`. */
  name: z.string().regex(/^[A-Za-z0-9_.:/-]{1,64}$/, 'letters, digits and _.:/- (at most 64)'),
  /** Addresses of the segment's hosts. */
  cidrs: z.array(cidr).default(() => []),
  /** 802.1Q VLAN ids that belong to the segment. */
  vlans: z.array(vlanId).default(() => []),
  /** Flow exporters (collector agent address or sensor name) whose flows belong here. */
  exporters: z.array(z.string()).default(() => []),
});

export const segmentsSchema = z.strictObject({
  /** Address space considered internal: decides a flow's "internal side" for automatic segments. */
  internalNetworks: z
    .array(cidr)
    .default(() => ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']),
  /** Named segments, matched in order (VLAN, exporter, then CIDR of either side, internal side first). */
  definitions: z.array(segmentDefinitionSchema).default(() => []),
  /** Prefix length of automatic IPv4 segments for traffic no definition matches. */
  autoPrefixV4: z.number().int().min(8).max(32).default(24),
  /** Prefix length of automatic IPv6 segments. */
  autoPrefixV6: z.number().int().min(16).max(128).default(64),
  /** Most segments at once (named + automatic); the rest fold into `other`. */
  maxSegments: positiveInt.default(64),
});

export const featuresSchema = z.strictObject({
  /** Decay rates (1/s) of the damped statistics, as in Kitsune's AfterImage. */
  lambdas: z
    .array(positive)
    .min(1)
    .default(() => [5, 3, 1, 0.1, 0.01]),
  /** Most tracked keys per statistics table (hosts, host pairs, sockets); the least recent are evicted. */
  maxTrackedKeys: positiveInt.default(100_000),
  /** Segment window lengths in seconds, shortest first. */
  windowsSeconds: z
    .array(positive)
    .min(1)
    .default(() => [1, 10, 60]),
});

export const detectorSchema = z.strictObject({
  /** TensorFlow.js backend: auto = tfjs-node if its binding loads, else wasm, else cpu. */
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /** Flows a new segment learns from before it scores. */
  warmupFlows: positiveInt.min(80).default(1024),
  /** Training epochs over the warm-up flows. */
  warmupEpochs: positiveInt.default(30),
  /** Hidden layer sizes of the autoencoder's encoder (the decoder mirrors them). */
  hiddenUnits: z
    .array(positiveInt)
    .min(1)
    .default(() => [16, 6]),
  /** Adam learning rate. */
  learningRate: positive.default(0.005),
  /** Rows per scoring call; single-row calls are ~50x slower than batched ones. */
  batchSize: positiveInt.default(4096),
  /** Target false-alert rate q: the share of benign flows allowed above the threshold. */
  falseAlertRate: z.number().gt(0).lt(0.5).default(0.001),
  /** Seed for weight initialization, so runs are repeatable. */
  seed: nonNegativeInt.default(42),
});

export const stdoutSinkSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** auto = one readable line per alert on a terminal, ECS JSON lines when piped. */
  format: z.enum(['auto', 'pretty', 'ecs']).default('auto'),
});

const alertFormat = z.enum(['ecs', 'ocsf', 'eve', 'cef', 'leef']);
const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'host:port, e.g. 127.0.0.1:514 or [::1]:514');

export const fileSinkSchema = z.strictObject({
  /** Alert file, one alert per line; empty disables the sink. Relative to the working directory. */
  path: z.string().default(''),
  /** Line format: ecs (JSON, default), ocsf or eve (JSON), cef or leef (text). */
  format: alertFormat.default('ecs'),
  /** Rotate before a line would take the file past this many bytes; 0 = never by size. */
  maxBytes: nonNegativeInt.default(0),
  /** Rotate before writing to a file older than this; 0 = never by age. */
  maxAgeSeconds: nonNegativeInt.default(0),
  /** Rotated files kept as <path>.1 (newest) … <path>.<keep>; 0 keeps none. */
  keep: nonNegativeInt.default(5),
});

export const syslogSinkSchema = z
  .strictObject({
    /** Send alerts to a syslog collector as RFC 5424 messages. */
    enabled: z.boolean().default(false),
    /** Collector address as host:port ([v6]:port for an IPv6 literal). */
    address: hostPort.default('127.0.0.1:514'),
    /** udp: one datagram per alert (RFC 5426); tcp: a stream that queues and reconnects (RFC 6587). */
    transport: z.enum(['udp', 'tcp']).default('udp'),
    /** Payload of each message: ArcSight CEF or QRadar LEEF. */
    format: z.enum(['cef', 'leef']).default('cef'),
    /** LEEF version when format is leef. */
    leefVersion: z.enum(['1.0', '2.0']).default('2.0'),
    /** LEEF 2.0 attribute delimiter (LEEF 1.0 always uses a tab). */
    leefDelimiter: z.enum(['tab', 'caret']).default('tab'),
    /** Syslog facility code 0-23; 20 = local4. */
    facility: z.number().int().min(0).max(23).default(20),
    /** TCP framing: octet-counting (length prefix) or lf (newline-terminated). */
    framing: z.enum(['octet-counting', 'lf']).default('octet-counting'),
    /** Messages held while the collector is unreachable; when full the oldest is dropped and counted. */
    maxQueue: positiveInt.default(10_000),
    /** Largest message in bytes, header included; longer payloads are cut. */
    maxMessageBytes: z.number().int().min(480).max(65_000).default(2048),
    /** Longest wait for queued messages at flush and at shutdown. */
    flushTimeoutMs: positiveInt.default(5000),
    /** TCP connect timeout. */
    connectTimeoutMs: positiveInt.default(5000),
    /** First TCP reconnect delay; doubles (with jitter) after each failure. */
    reconnectInitialDelayMs: positiveInt.default(500),
    /** Longest TCP reconnect delay. */
    reconnectMaxDelayMs: positiveInt.default(30_000),
    /** HOSTNAME header field; empty = this machine's host name. */
    hostname: z.string().max(255).default(''),
    /** APP-NAME header field (printable ASCII, no spaces). */
    appName: z
      .string()
      .regex(/^[\x21-\x7e]{1,48}$/, '1-48 printable ASCII characters without spaces')
      .default('tapwatch'),
  })
  .check((ctx) => {
    if (ctx.value.reconnectInitialDelayMs > ctx.value.reconnectMaxDelayMs) {
      ctx.issues.push({
        code: 'custom',
        path: ['reconnectInitialDelayMs'],
        message: `expected at most reconnectMaxDelayMs (${ctx.value.reconnectMaxDelayMs})`,
        input: ctx.value.reconnectInitialDelayMs,
      });
    }
  });

export const webhookSinkSchema = z
  .strictObject({
    /** POST each alert to an HTTP(S) endpoint. */
    enabled: z.boolean().default(false),
    /** Endpoint URL; credentials belong in headers via ${VAR}, not in the URL. */
    url: z.union([z.url({ protocol: /^https?$/, error: 'an http or https URL' }), z.literal('')]).default(''),
    /** Body format: ecs, ocsf or eve as JSON; cef or leef as text/plain. */
    format: alertFormat.default('ecs'),
    /** Extra request headers, e.g. Authorization: "Bearer ${TAPWATCH_WEBHOOK_TOKEN}". Never logged. */
    headers: z.record(z.string(), z.string()).default(() => ({})),
    /** Per-request timeout. */
    timeoutMs: positiveInt.default(5000),
    /** Retries on network errors, timeouts, 408, 429 and 5xx; then the alert is dropped and counted. */
    maxRetries: nonNegativeInt.default(5),
    /** First retry delay; doubles (with jitter) per retry. */
    retryInitialDelayMs: positiveInt.default(500),
    /** Longest retry delay. */
    retryMaxDelayMs: positiveInt.default(30_000),
    /** Longest Retry-After honoured; longer ones are cut to this. */
    maxRetryAfterMs: nonNegativeInt.default(60_000),
    /** Alerts waiting for delivery; when full the oldest is dropped and counted. */
    maxQueue: positiveInt.default(1000),
    /** Requests in flight at once. */
    concurrency: z.number().int().min(1).max(64).default(2),
    /** Longest wait for queued alerts at flush and at shutdown. */
    flushTimeoutMs: positiveInt.default(10_000),
  })
  .check((ctx) => {
    if (ctx.value.enabled && ctx.value.url === '') {
      ctx.issues.push({
        code: 'custom',
        path: ['url'],
        message: 'expected a URL when enabled is true',
        input: '',
      });
    }
    if (ctx.value.retryInitialDelayMs > ctx.value.retryMaxDelayMs) {
      ctx.issues.push({
        code: 'custom',
        path: ['retryInitialDelayMs'],
        message: `expected at most retryMaxDelayMs (${ctx.value.retryMaxDelayMs})`,
        input: ctx.value.retryInitialDelayMs,
      });
    }
  });

export const alertsSchema = z.strictObject({
  /** Alerts with the same dedup key (segment, rule, host) within this window are folded into one, counted. */
  dedupWindowSeconds: z.number().nonnegative().default(300),
  /** Lowest severity (1-6) emitted. */
  minSeverity: z.number().int().min(1).max(6).default(1),
  stdout: stdoutSinkSchema.prefault({}),
  file: fileSinkSchema.prefault({}),
  syslog: syslogSinkSchema.prefault({}),
  webhook: webhookSinkSchema.prefault({}),
});

export const telemetrySchema = z.strictObject({
  /** HTTP address for /metrics, /-/healthy and /-/ready; empty disables it. */
  listen: z.union([listenAddress, z.literal('')]).default('127.0.0.1:9464'),
  /** Structured JSON log level (logs go to stderr). */
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export const configSchema = z.strictObject({
  input: z
    .strictObject({
      capture: captureInputSchema.prefault({}),
    })
    .prefault({}),
  flows: flowsSchema.prefault({}),
  segments: segmentsSchema.prefault({}),
  features: featuresSchema.prefault({}),
  detector: detectorSchema.prefault({}),
  alerts: alertsSchema.prefault({}),
  telemetry: telemetrySchema.prefault({}),
});

export type TapwatchConfig = z.infer<typeof configSchema>;
export type CaptureInputConfig = z.infer<typeof captureInputSchema>;
export type FlowsConfig = z.infer<typeof flowsSchema>;
export type SegmentsConfig = z.infer<typeof segmentsSchema>;
export type SegmentDefinition = z.infer<typeof segmentDefinitionSchema>;
export type FeaturesConfig = z.infer<typeof featuresSchema>;
export type DetectorConfig = z.infer<typeof detectorSchema>;
export type AlertsConfig = z.infer<typeof alertsSchema>;
export type FileSinkConfig = z.infer<typeof fileSinkSchema>;
export type SyslogSinkConfig = z.infer<typeof syslogSinkSchema>;
export type WebhookSinkConfig = z.infer<typeof webhookSinkSchema>;
export type TelemetryConfig = z.infer<typeof telemetrySchema>;
