import type { FeatureBatch } from '../../src/core/detection.js';
import type { RoutedFlow } from '../../src/core/flow-record.js';

/**
 * Flow number `i` of `segment` as the detector tests use it: ten a second (100 ms apart in event time)
 * from `hosts` sources to one server, each flow one packet of a capture. A steady volume for the
 * forecaster and, with many hosts, many pairs for the persistence member.
 */
export function scoringFlow(segment: string, i: number, hosts = 50): RoutedFlow {
  return {
    start: i * 100,
    end: i * 100,
    srcIp: `10.0.0.${i % hosts}`,
    dstIp: '10.0.0.2',
    srcPort: 40000,
    dstPort: 443,
    proto: 6,
    bytesFwd: 1,
    pktsFwd: 1,
    bytesRev: 0,
    pktsRev: 0,
    tcpFlags: 2,
    segment,
    source: { format: 'pcap', origin: 'test.pcap', firstPacket: i, lastPacket: i },
  };
}

/**
 * A feature batch of `parts` in order, each part's rows (row-major, `featureNames.length` values each)
 * belonging to one segment; `flow` makes the flow of each row.
 */
export function scoringBatch(
  featureNames: string[],
  parts: [segment: string, rows: Float32Array][],
  flow: (segment: string) => RoutedFlow,
): FeatureBatch {
  const dim = featureNames.length;
  const flows = parts.flatMap(([segment, rows]) =>
    Array.from({ length: rows.length / dim }, () => flow(segment)),
  );
  const values = new Float32Array(flows.length * dim);
  let offset = 0;
  for (const [, rows] of parts) {
    values.set(rows, offset);
    offset += rows.length;
  }
  return { flows, values, featureNames, windows: new Map(parts.map(([segment]) => [segment, []])) };
}
