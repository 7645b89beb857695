import { isIP } from 'node:net';
import { z } from 'zod';
import { kafkaAlertSinkSchema, kafkaInputSchema, scaleOutSchema } from './kafka-schema.js';

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
  /**
   * Initialization every new segment starts from: `bundled` (models/default, shipped with tapwatch),
   * `none` (a seeded random initialization), or a model directory written by `tapwatch meta-train`
   * (relative to the config file).
   */
  model: z.string().min(1).default('bundled'),
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
  /** Rows per autoencoder kernel call: bounds its WebAssembly memory (4,096 rows of 81 features: 2.7 MB). */
  batchSize: positiveInt.default(4096),
  /** Target false-alert rate q: the share of benign flows allowed above the threshold. */
  falseAlertRate: z.number().gt(0).lt(0.5).default(0.001),
  /** Seed for weight initialization, so runs are repeatable. */
  seed: nonNegativeInt.default(42),
  /** Streaming extreme-value thresholds (SPOT/DSPOT, Siffer et al. KDD 2017), one per scorer and segment. */
  threshold: z
    .strictObject({
      /** Quantile of the calibration scores that sets the initial threshold t (peaks lie above it). */
      initialQuantile: z.number().gt(0.5).lt(1).default(0.98),
      /** DSPOT drift window depth d: scores count relative to the mean of the last d normal ones; 0 = SPOT. */
      driftDepth: nonNegativeInt.default(0),
      /** Peaks kept for the tail fit, oldest dropped first. */
      maxPeaks: positiveInt.min(16).default(500),
    })
    .prefault({}),
  /** Averaging weights of the ensemble members' p-values (weighted harmonic mean); 0 disables a member. */
  ensemble: z
    .strictObject({
      /** The segment's adapted autoencoder (reconstruction error). */
      autoencoder: z.number().nonnegative().default(1),
      /** The segment's traffic-volume forecaster (flows per tick against forecast). */
      forecast: z.number().nonnegative().default(0.25),
      /** Distance from a flow to its nearest warm-up flow (L1 over the scaled features; unusual combinations). */
      baseline: z.number().nonnegative().default(0.25),
      /** Per-pair persistence of mildly unusual flows (low-and-slow: beaconing, slow exfiltration). */
      persistence: z.number().nonnegative().default(0.5),
    })
    .prefault({}),
  /** The per-segment traffic-volume forecaster (damped Holt–Winters over flow counts per tick). */
  forecast: z
    .strictObject({
      /** Tick length, seconds of event time. */
      tickSeconds: positive.default(10),
      /** Ticks per season for the seasonal term (8640 = a day of 10 s ticks); 0 = none. */
      seasonTicks: nonNegativeInt.max(100_000).default(0),
      /**
       * Ticks held open for late flows: a flow counts in its own tick while that tick is one of the newest
       * `openTicks`. Cover the exporter's idle timeout (flows.idleTimeoutSeconds / tickSeconds + 1), or a
       * FIN-closed flow followed by a timeout's worth of idle-exported flows reads as a volume burst.
       */
      openTicks: positiveInt.max(360).default(4),
    })
    .prefault({}),
  /** Per-(segment, src, dst) CUSUM of ensemble scores, so a pair of mildly unusual flows adds up. */
  persistence: z
    .strictObject({
      /** Reference k on −log10 p: flows above it add evidence, flows below drain it. */
      referenceScore: positive.default(1.6),
      /** Half-life of the evidence, seconds of event time. */
      halfLifeSeconds: positive.default(1800),
      /** Evidence at which a pair's p-value reaches falseAlertRate. */
      alarmScore: positive.default(8),
      /** Most pairs tracked per segment; the least recently updated are dropped. */
      maxPairs: positiveInt.default(50_000),
      /**
       * Accumulate evidence only for pairs the segment did not see during its warm-up. A pair the warm-up
       * learned from (the gateway's DNS, the usual NTP servers) drifting mildly over a day is not
       * low-and-slow evidence; beacons and slow transfers go to destinations the warm-up did not hold.
       */
      newPairsOnly: z.boolean().default(true),
    })
    .prefault({}),
  /** Online adaptation after the warm-up, on flows scored benign only. */
  adaptation: z
    .strictObject({
      /** Adapt at all after the warm-up. */
      enabled: z.boolean().default(true),
      /** Flows with a combined p-value below this are never trained on. */
      minPValue: z.number().gt(0).lt(1).default(0.05),
      /** Benign flows between two adaptation rounds. */
      everyFlows: positiveInt.default(1024),
      /**
       * Event time between the starts of two adaptation rounds, at least: a busy segment reaches `everyFlows`
       * many times a second, and rounds that often cost CPU without tracking the traffic any better.
       */
      minIntervalSeconds: z.number().nonnegative().default(1),
      /** Gradient steps per round. */
      steps: positiveInt.default(5),
      /** Most recent benign flows each round trains on. */
      batchFlows: positiveInt.default(128),
      /** L2 pull toward the initialization weights, so an attacker cannot slowly teach the model. */
      anchorStrength: z.number().nonnegative().default(0.01),
      /** Share of p < 0.1 among benign flows above which traffic counts as shifted (0.1 when calibrated). */
      driftShare: z.number().gt(0.1).lt(1).default(0.35),
      /** Effective window, in flows, of that share. */
      driftWindowFlows: positiveInt.default(500),
      /** Event time the share must stay shifted before the segment is re-adapted from its initialization. */
      driftMinSeconds: positive.default(900),
    })
    .prefault({}),
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

/** True for `address/prefix` or a bare address (one host), with a prefix the family allows. */
function isAllowListCidr(text: string): boolean {
  const slash = text.indexOf('/');
  const family = isIP(slash === -1 ? text : text.slice(0, slash));
  if (family === 0) return false;
  if (slash === -1) return true;
  const prefix = text.slice(slash + 1);
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

// Checked in full here (not just the character set) so a bad row fails at load and on SIGHUP,
// with its field path, rather than when the allow-list is compiled.
const allowListCidr = z.string().refine(isAllowListCidr, {
  message: 'expected a CIDR or address such as 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32',
});

/**
 * One allow-list row, in the spirit of Slips' `whitelist.conf` (what, which side, what to ignore)
 * and Suricata's `suppress ... track by_src|by_dst|by_either`. Every given condition must hold;
 * an omitted one matches anything. A matching detection never becomes an alert.
 */
export const allowListEntrySchema = z.strictObject({
  /** Networks or addresses (one or a list); omitted = any address. */
  cidr: z.union([allowListCidr, z.array(allowListCidr).min(1)]).optional(),
  /** Destination ports (the responder's port); omitted or empty = any port. */
  ports: z.array(z.number().int().min(0).max(65_535)).optional(),
  /** Segment name the row is limited to; omitted = every segment. */
  segment: z.string().min(1).optional(),
  /** Which side of the flow `cidr` must match: src (initiator), dst (responder) or either. */
  direction: z.enum(['src', 'dst', 'either']).default('either'),
  /** Rule ids the row applies to (`tapwatch-port-scan` or `port-scan`); omitted or empty = all rules. */
  rules: z.array(z.string().min(1)).optional(),
  /** Why the traffic is allowed (e.g. "vulnerability scanner"); logged with each suppression. */
  reason: z.string().optional(),
});

/** An allow-list file: a YAML list of `allowListEntrySchema` rows. */
export const allowListFileSchema = z.array(allowListEntrySchema);

export const alertsSchema = z.strictObject({
  /**
   * Alerts with the same dedup key within this window (event time) are folded into one, counted.
   * The key is segment, rule and the host(s) `dedupTrackBy` selects.
   */
  dedupWindowSeconds: z.number().nonnegative().default(300),
  /**
   * What a dedup key holds besides segment and rule, as Suricata's `track`: `rule` = the host the
   * rule is about (the destination for floods, the source for scans, beacons and transfers);
   * `src`, `dst` = always that host; `both` = the source and destination pair. Unlike Suricata's
   * `by_rule`, `rule` still keeps hosts apart.
   */
  dedupTrackBy: z.enum(['rule', 'src', 'dst', 'both']).default('rule'),
  /** Lowest severity (1-6) emitted. */
  minSeverity: z.number().int().min(1).max(6).default(1),
  /**
   * Most alerts per segment per minute of event time (a token bucket holding one minute's worth,
   * so bursts up to this many pass at once); the excess is suppressed and counted, and the next
   * alert let through carries the count. 0 = unlimited.
   */
  maxAlertsPerMinute: nonNegativeInt.default(60),
  /** Allow-list rows written inline; checked together with `allowListFile`'s rows. */
  allowList: z.array(allowListEntrySchema).default(() => []),
  /**
   * A YAML file holding a list of allow-list rows (same fields as `allowList`), relative to the
   * config file; re-read on SIGHUP. Empty = none.
   */
  allowListFile: z.string().default(''),
  stdout: stdoutSinkSchema.prefault({}),
  file: fileSinkSchema.prefault({}),
  syslog: syslogSinkSchema.prefault({}),
  webhook: webhookSinkSchema.prefault({}),
  kafka: kafkaAlertSinkSchema.prefault({}),
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
      kafka: kafkaInputSchema.prefault({}),
    })
    .prefault({}),
  flows: flowsSchema.prefault({}),
  segments: segmentsSchema.prefault({}),
  features: featuresSchema.prefault({}),
  detector: detectorSchema.prefault({}),
  alerts: alertsSchema.prefault({}),
  telemetry: telemetrySchema.prefault({}),
  scaleOut: scaleOutSchema.prefault({}),
});

export type TapwatchConfig = z.infer<typeof configSchema>;
export type CaptureInputConfig = z.infer<typeof captureInputSchema>;
export type FlowsConfig = z.infer<typeof flowsSchema>;
export type SegmentsConfig = z.infer<typeof segmentsSchema>;
export type SegmentDefinition = z.infer<typeof segmentDefinitionSchema>;
export type FeaturesConfig = z.infer<typeof featuresSchema>;
export type DetectorConfig = z.infer<typeof detectorSchema>;
export type AlertsConfig = z.infer<typeof alertsSchema>;
export type AllowListEntryConfig = z.infer<typeof allowListEntrySchema>;
export type FileSinkConfig = z.infer<typeof fileSinkSchema>;
export type SyslogSinkConfig = z.infer<typeof syslogSinkSchema>;
export type WebhookSinkConfig = z.infer<typeof webhookSinkSchema>;
export type TelemetryConfig = z.infer<typeof telemetrySchema>;
export type {
  KafkaAlertSinkConfig,
  KafkaInputConfig,
  KafkaTopicConfig,
  ScaleOutConfig,
} from './kafka-schema.js';
