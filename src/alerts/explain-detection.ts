import type { Detection, FeatureContribution, SegmentWindowStats } from '../core/detection.js';
import { transportName } from '../core/flow-record.js';
import type { Classification } from './classify-detection.js';
import type { RuleId } from './rules.js';

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

type Explain = (detection: Detection, window: SegmentWindowStats | undefined) => string;

/**
 * One sentence an analyst can act on without opening the evidence, e.g.
 * `SYN flood toward 10.20.0.10:443: 2,113 SYN-only flows from 1,980 sources in the last 10 s
 * (segment baseline 4); score 9.1 over threshold 3.0`.
 *
 * Built from the segment's shortest window (the one classification judged), the top features
 * with their baselines, and — when the ensemble's `forecast` detector reported its numbers —
 * forecast against observed flows. Each part is left out when its data is absent, so a detection
 * without windows or features still reads as a sentence.
 */
export function explainDetection(detection: Detection, classification: Classification): string {
  const window = detection.windows[0];
  const body = EXPLAIN[classification.ruleId](detection, window);
  const forecast = forecastClause(detection, window);
  const score = `score ${detection.score.toFixed(1)} over threshold ${detection.threshold.toFixed(1)}`;
  return `${body}${forecast}; ${score}`;
}

const EXPLAIN: Readonly<Record<RuleId, Explain>> = {
  'syn-flood': ({ flow, topFeatures }, w) => {
    const head = `SYN flood toward ${endpoint(flow.dstIp, flow.dstPort)}`;
    if (w === undefined) return `${head}: a SYN-only flow from ${flow.srcIp}`;
    const ratio = feature(topFeatures, /seg_syn_only|syn_ratio|half_?open/);
    const flows = feature(topFeatures, /^seg_flows/);
    const baseline =
      ratio !== undefined && flows !== undefined
        ? ` (segment baseline ${count.format(ratio.baseline * flows.baseline)})`
        : ratio !== undefined
          ? ` (segment baseline ${percent(ratio.baseline)} SYN-only)`
          : '';
    const synOnly = count.format(w.flows * w.synOnlyRatio);
    return `${head}: ${synOnly} SYN-only flows from ${sources(w)} in the last ${seconds(w)}${baseline}`;
  },
  'volumetric-flood': ({ flow, topFeatures }, w) => {
    const head = `Volumetric flood toward ${endpoint(flow.dstIp, flow.dstPort)}`;
    if (w === undefined) return `${head}: ${count.format(flow.pktsFwd)} packets from ${flow.srcIp}`;
    const flows = feature(topFeatures, /^seg_flows|flow_rate/);
    const baseline = flows === undefined ? '' : ` (segment baseline ${count.format(flows.baseline)} flows)`;
    const volume = `${count.format(w.flows)} flows and ${count.format(w.packets)} packets`;
    return `${head}: ${volume} from ${sources(w)} in the last ${seconds(w)}${baseline}`;
  },
  'port-scan': (detection, w) => scanSentence(detection, w, 'ports'),
  'host-scan': (detection, w) => scanSentence(detection, w, 'hosts'),
  beaconing: ({ flow, topFeatures }) => {
    const head = `Beaconing from ${flow.srcIp} to ${service(flow.dstIp, flow.dstPort, flow.proto)}`;
    const mean = feature(topFeatures, /(iat|interval|period).*mean/);
    const jitter = feature(topFeatures, /(iat|jit|interval|period).*(std|var|cv|mad)/);
    const every = mean === undefined ? '' : `a flow every ${decimal.format(mean.value)} s with `;
    if (jitter !== undefined) {
      const baseline = `(segment baseline ${decimal.format(jitter.baseline)} s)`;
      return `${head}: ${every}${decimal.format(jitter.value)} s of timing jitter ${baseline}`;
    }
    return `${head}: small, regular exchanges of ${bytes(flow.bytesFwd + flow.bytesRev)} per flow`;
  },
  'large-outbound': ({ flow, topFeatures }) => {
    const head = `Large outbound transfer from ${flow.srcIp} to ${service(flow.dstIp, flow.dstPort, flow.proto)}`;
    const sent = feature(topFeatures, /bytes_(fwd|out|sent|tx)$|(out|tx|up)_?bytes|upload/);
    const baseline = sent === undefined ? '' : ` (segment baseline ${bytes(sent.baseline)} sent per flow)`;
    const duration = decimal.format(Math.max(0, flow.end - flow.start) / 1000);
    return `${head}: ${bytes(flow.bytesFwd)} sent and ${bytes(flow.bytesRev)} received in ${duration} s${baseline}`;
  },
  'anomalous-flow': ({ flow, topFeatures }) => {
    const from = endpoint(flow.srcIp, flow.srcPort);
    const head = `Unusual flow from ${from} to ${service(flow.dstIp, flow.dstPort, flow.proto)}`;
    const shown = topFeatures
      .filter((f) => Number.isFinite(f.value) && Number.isFinite(f.baseline))
      .slice(0, 3);
    if (shown.length === 0) {
      const volume = `${bytes(flow.bytesFwd + flow.bytesRev)} in ${count.format(flow.pktsFwd + flow.pktsRev)} packets`;
      return `${head}: ${volume}, unlike the segment's learned traffic`;
    }
    const parts = shown.map(
      (f) => `${f.name} ${decimal.format(f.value)} (baseline ${decimal.format(f.baseline)})`,
    );
    return `${head}: ${parts.join(', ')}`;
  },
};

/** Port scans and host sweeps: one source's fan-out when known, else the segment window's spread. */
function scanSentence(
  detection: Detection,
  w: SegmentWindowStats | undefined,
  spread: 'ports' | 'hosts',
): string {
  const { flow, topFeatures } = detection;
  const head =
    spread === 'ports'
      ? `Port scan from ${flow.srcIp} toward ${flow.dstIp}`
      : `Host sweep from ${flow.srcIp} on port ${flow.dstPort}/${transportName(flow.proto)}`;
  const noun = spread === 'ports' ? 'destination ports' : 'destination hosts';
  const fanOut = feature(topFeatures, spread === 'ports' ? /fan_?out_dst_ports/ : /fan_?out_dst_hosts/);
  const failed = w === undefined ? '' : `, ${percent(w.failedRatio)} unanswered or reset`;
  if (fanOut !== undefined) {
    const baseline = `(segment baseline ${count.format(fanOut.baseline)})`;
    return `${head}: ${count.format(fanOut.value)} ${noun} probed ${baseline}${failed}`;
  }
  if (w === undefined) return `${head}: a short, unanswered probe`;
  const distinct = spread === 'ports' ? w.distinctDstPorts : w.distinctDstHosts;
  const segment = feature(
    topFeatures,
    spread === 'ports' ? /seg_distinct_dst_ports/ : /seg_distinct_dst_hosts/,
  );
  const baseline = segment === undefined ? '' : ` (segment baseline ${count.format(segment.baseline)})`;
  return `${head}: ${count.format(distinct)} ${noun} in the last ${seconds(w)}${baseline}${failed}`;
}

/**
 * `; 5,000 flows in the last 1 s against 310 forecast` when the forecast detector's contribution
 * carries its expected flow count. The core type does not promise those numbers, so they are read
 * defensively: `expected` (or `expectedFlows`), and `observed` (or the window's flows).
 */
function forecastClause(detection: Detection, w: SegmentWindowStats | undefined): string {
  const forecast = detection.detectors.find((d) => d.detector === 'forecast') as
    | Record<string, unknown>
    | undefined;
  if (forecast === undefined) return '';
  const expected = finiteField(forecast, 'expected') ?? finiteField(forecast, 'expectedFlows');
  const observed = finiteField(forecast, 'observed') ?? finiteField(forecast, 'observedFlows') ?? w?.flows;
  if (expected === undefined || observed === undefined) return '';
  const span = w === undefined ? '' : ` in the last ${seconds(w)}`;
  return `; ${count.format(observed)} flows${span} against ${count.format(expected)} forecast`;
}

function finiteField(record: Record<string, unknown>, key: string): number | undefined {
  const value = record[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The first top feature whose name matches, with a usable value and baseline. */
function feature(features: readonly FeatureContribution[], pattern: RegExp): FeatureContribution | undefined {
  return features.find(
    (f) => pattern.test(f.name.toLowerCase()) && Number.isFinite(f.value) && Number.isFinite(f.baseline),
  );
}

function sources(w: SegmentWindowStats): string {
  const n = Math.round(w.distinctSrcHosts);
  return `${count.format(n)} ${n === 1 ? 'source' : 'sources'}`;
}

function seconds(w: SegmentWindowStats): string {
  return `${decimal.format(w.windowSeconds)} s`;
}

function percent(ratio: number): string {
  return `${decimal.format(Math.round(ratio * 1000) / 10)}%`;
}

/** Decimal units, as network tools report volumes. */
function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? count.format(value) : oneDecimal.format(value)} ${units[unit]}`;
}

function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function service(ip: string, port: number, proto: number): string {
  return `${endpoint(ip, port)}/${transportName(proto)}`;
}
