import type { Detection, SegmentWindowStats } from '../../core/detection.js';
import type { RoutedFlow } from '../../core/flow-record.js';

/** 2024-05-01T12:00:00Z, the event time synthetic detections start at. */
export const T0_MS = Date.UTC(2024, 4, 1, 12, 0, 0);

/** A quiet 1-second segment window; tests override what their scenario needs. */
export function makeWindow(overrides: Partial<SegmentWindowStats> = {}): SegmentWindowStats {
  return {
    windowSeconds: 1,
    endMs: T0_MS + 1000,
    flows: 40,
    bytes: 400_000,
    packets: 600,
    distinctDstHosts: 12,
    distinctDstPorts: 8,
    distinctSrcHosts: 15,
    synOnlyRatio: 0.02,
    failedRatio: 0.05,
    dstPortEntropy: 2.1,
    ...overrides,
  };
}

/** An ordinary answered TCP flow from a capture file. */
export function makeFlow(overrides: Partial<RoutedFlow> = {}): RoutedFlow {
  return {
    start: T0_MS,
    end: T0_MS + 250,
    srcIp: '10.1.0.5',
    dstIp: '10.2.0.10',
    srcPort: 51234,
    dstPort: 443,
    proto: 6,
    bytesFwd: 1200,
    pktsFwd: 8,
    bytesRev: 5400,
    pktsRev: 7,
    tcpFlags: 0x1b,
    segment: 'servers',
    communityId: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
    source: { format: 'pcap', origin: 'capture.pcap', firstPacket: 10, lastPacket: 25 },
    ...overrides,
  };
}

/** A ready-state detection above its threshold, with the given flow, windows and features. */
export function makeDetection(overrides: Partial<Detection> = {}): Detection {
  return {
    flow: makeFlow(),
    score: 6,
    threshold: 4,
    pValue: 1e-6,
    modelState: 'ready',
    detectors: [
      { detector: 'autoencoder', pValue: 1e-6, weight: 0.6 },
      { detector: 'forecast', pValue: 0.01, weight: 0.4 },
    ],
    topFeatures: [],
    windows: [makeWindow()],
    ...overrides,
  };
}
