import type { FeaturesConfig, SegmentsConfig } from '../config/schema.js';
import type { FeatureBatch, SegmentWindowStats } from '../core/detection.js';
import { type FlowRecord, IPPROTO_TCP, type RoutedFlow } from '../core/flow-record.js';
import { FEATURE_SCHEMA_VERSION, featureNames } from './feature-names.js';
import { isFailed, isSynOnly, sanitizeCount, sanitizePort, writeFlowBasics } from './flow-basics.js';
import {
  type HostSegmentLimits,
  type HostSegmentState,
  HostStatistics,
  type HostStatisticsState,
} from './host-statistics.js';
import { hashText } from './key-hash.js';
import { SegmentRouter } from './segment-router.js';
import { SegmentWindows } from './segment-windows.js';
import type { WindowObservation } from './sliding-window.js';

/**
 * Length of the per-source fan-out window. Long enough to catch a scan paced at a few probes
 * per second, short enough that a host's ordinary set of servers does not pile up.
 */
export const FANOUT_WINDOW_SECONDS = 10;

/**
 * The features stage: routes each flow to its segment, updates the damped host / pair /
 * socket statistics and the segment windows in flow order, and emits one raw feature row per
 * flow (columns: {@link FeatureExtractor.featureNames}; scaling is the detector's job).
 *
 * Event time is the flow's `end`: flow assemblers and collectors export flows when they end,
 * so `end` is close to monotone within a stream, which the decay (no backwards time) and the
 * window rings (late events dropped) need. `start` can lag by a whole active timeout for
 * long flows. A record whose `end` is not finite falls back to `start`, then to the latest
 * time seen.
 */
export class FeatureExtractor {
  /** Column names of every row, for the configured λs (model files must match them). */
  readonly featureNames: readonly string[];
  /** {@link FEATURE_SCHEMA_VERSION}, recorded by saved models. */
  readonly schemaVersion = FEATURE_SCHEMA_VERSION;
  readonly #router: SegmentRouter;
  readonly #windows: SegmentWindows;
  readonly #features: FeaturesConfig;
  #hosts: HostStatistics;
  #latestMs = 0;
  readonly #observation: WindowObservation = {
    tMs: 0,
    bytes: 0,
    packets: 0,
    dstHostHash: 0,
    srcHostHash: 0,
    dstPort: 0,
    tcp: false,
    synOnly: false,
    failed: false,
  };

  /** @throws ConfigError when a CIDR in `segments` is not a valid network. */
  constructor(segments: SegmentsConfig, features: FeaturesConfig) {
    this.#features = features;
    this.featureNames = featureNames(features.lambdas);
    this.#router = new SegmentRouter(segments);
    this.#windows = new SegmentWindows(features.windowsSeconds);
    this.#hosts = new HostStatistics(features.lambdas, features.maxTrackedKeys, FANOUT_WINDOW_SECONDS);
  }

  /** The router: known segments, overflow and unroutable counts for metrics. */
  get router(): SegmentRouter {
    return this.#router;
  }

  /** Per-segment windows: per-segment snapshot/restore, late-event count. */
  get windows(): SegmentWindows {
    return this.#windows;
  }

  /** Keys held by the host, pair and socket tables, and evictions so far. */
  get tracking(): { hosts: number; pairs: number; sockets: number; evictions: number } {
    return { ...this.#hosts.trackedKeys, evictions: this.#hosts.evictions };
  }

  /**
   * Routes `flows` (setting `segment` on each, in place), updates all state in order and
   * returns their feature rows plus, for every segment in the batch, its windows at the
   * batch's latest event time. Values are always finite.
   */
  extract(flows: FlowRecord[]): FeatureBatch {
    const width = this.featureNames.length;
    const values = new Float32Array(flows.length * width);
    const segments = new Set<string>();
    let lastSegment = '';
    let segmentId = -1;
    let sinceMs = 0;
    let batchLatestMs = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < flows.length; i++) {
      const flow = this.#router.route(flows[i]);
      const tMs = this.#eventTime(flow);
      if (flow.segment !== lastSegment || segmentId === -1) {
        segments.add(flow.segment);
        lastSegment = flow.segment;
        segmentId = this.#hosts.segmentId(flow.segment);
        sinceMs = this.#windows.observedSince(flow.segment, tMs);
      }
      if (tMs > batchLatestMs) batchLatestMs = tMs;
      this.#extractOne(flow, tMs, values, i * width, segmentId, tMs - sinceMs);
    }
    const windows = new Map<string, readonly SegmentWindowStats[]>();
    for (const segment of segments) windows.set(segment, this.#windows.snapshot(segment, batchLatestMs));
    return { flows: flows as RoutedFlow[], values, featureNames: this.featureNames, windows };
  }

  /** The host, pair and socket tables' whole state (all segments). */
  snapshotHostStatistics(): HostStatisticsState {
    return this.#hosts.snapshot();
  }

  /**
   * The host, pair and socket keys that belong to each of `segments` — those whose latest flow
   * the router assigned to it — bounded and pruned as `HostStatistics.snapshotSegments`
   * describes, for scale-out checkpoints. Segments without keys are absent.
   */
  snapshotHostSegments(
    segments: readonly string[],
    limits?: Readonly<HostSegmentLimits>,
  ): Map<string, HostSegmentState> {
    return this.#hosts.snapshotSegments(segments, limits);
  }

  /**
   * Adds the keys of segments that moved here (scale-out), in one rebuild of the tables.
   * @throws RangeError when a state was taken with other λs; nothing changes then.
   */
  restoreHostSegments(states: ReadonlyMap<string, HostSegmentState>): void {
    if (states.size > 0) this.#hosts = this.#hosts.withSegments(states);
  }

  /** Forgets the keys of the segments `gone` selects (they moved to another instance). */
  dropHostSegments(gone: (segment: string) => boolean): void {
    this.#hosts = this.#hosts.withoutSegments(gone);
  }

  /** Replaces the host tables with a {@link snapshotHostStatistics} result taken with the same config. */
  restoreHostStatistics(state: HostStatisticsState): void {
    const { lambdas, maxTrackedKeys } = this.#features;
    if (state.lambdas.join() !== lambdas.join() || state.capacity !== maxTrackedKeys) {
      throw new RangeError(
        `host statistics checkpoint has lambdas [${state.lambdas.join(', ')}] and ${state.capacity} keys; ` +
          `config has [${lambdas.join(', ')}] and ${maxTrackedKeys}`,
      );
    }
    this.#hosts = HostStatistics.restore(state);
  }

  #eventTime(flow: FlowRecord): number {
    const t = Number.isFinite(flow.end)
      ? flow.end
      : Number.isFinite(flow.start)
        ? flow.start
        : this.#latestMs;
    if (t > this.#latestMs) this.#latestMs = t;
    return t;
  }

  /** `observedMs`: event time since the segment's observation began (see `HostStatistics.write`). */
  #extractOne(
    flow: RoutedFlow,
    tMs: number,
    values: Float32Array,
    offset: number,
    segmentId: number,
    observedMs: number,
  ): void {
    const srcKey = hashText(flow.srcIp);
    const dstKey = hashText(flow.dstIp);
    const dstPort = sanitizePort(flow.dstPort);
    const bytesFwd = sanitizeCount(flow.bytesFwd);
    const bytesRev = sanitizeCount(flow.bytesRev);
    let o = writeFlowBasics(flow, values, offset);
    this.#hosts.update(
      tMs,
      srcKey,
      dstKey,
      sanitizePort(flow.srcPort),
      dstPort,
      flow.proto & 255,
      bytesFwd,
      bytesRev,
      segmentId,
    );
    o = this.#hosts.write(values, o, observedMs);

    const obs = this.#observation;
    obs.tMs = tMs;
    obs.bytes = bytesFwd + bytesRev;
    obs.packets = sanitizeCount(flow.pktsFwd) + sanitizeCount(flow.pktsRev);
    obs.dstHostHash = dstKey >>> 0;
    obs.srcHostHash = srcKey >>> 0;
    obs.dstPort = dstPort;
    obs.tcp = flow.proto === IPPROTO_TCP;
    obs.synOnly = isSynOnly(flow);
    obs.failed = isFailed(flow);
    const window = this.#windows.add(flow.segment, obs);
    values[o++] = window.flows;
    values[o++] = window.bytes;
    values[o++] = window.packets;
    values[o++] = window.distinctDstHosts;
    values[o++] = window.distinctDstPorts;
    values[o++] = window.distinctSrcHosts;
    values[o++] = window.synOnlyRatio;
    values[o++] = window.failedRatio;
    values[o] = window.dstPortEntropy;
  }
}
