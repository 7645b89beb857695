import type { Alert } from '../../alert.js';
import { buildAlert } from '../../build-alert.js';
import { classifyDetection } from '../../classify-detection.js';
import { makeDetection, makeFlow, makeWindow } from '../../testing/make-detection.js';

const INTERNAL = /^(10\.|2001:db8:1:)/;

/**
 * The alerts the golden files are made from: fixed inputs, so every formatter's output is
 * byte-for-byte reproducible. One carries an ATT&CK technique over IPv4/TCP with a VLAN;
 * one is the generic rule over IPv6/UDP with no technique.
 */
export function synFloodAlert(): Alert {
  const detection = makeDetection({
    flow: makeFlow({
      srcIp: '198.51.100.7',
      srcPort: 40001,
      dstPort: 443,
      pktsFwd: 1,
      bytesFwd: 60,
      pktsRev: 0,
      bytesRev: 0,
      tcpFlags: 0x02,
      vlan: 120,
    }),
    score: 9.5,
    windows: [
      makeWindow({
        flows: 5000,
        distinctSrcHosts: 2113,
        distinctDstHosts: 1,
        distinctDstPorts: 1,
        synOnlyRatio: 0.97,
        failedRatio: 0.98,
      }),
    ],
    topFeatures: [{ name: 'seg_syn_only_ratio', value: 0.97, baseline: 0.02, share: 0.5 }],
  });
  return buildAlert(detection, classifyDetection(detection), {
    observerVersion: '0.1.0',
    observerHostname: 'sensor-1',
    occurrences: 3,
    isInternal: (ip) => INTERNAL.test(ip),
  });
}

/** IPv6/UDP, generic rule, no technique, no hostname or version. */
export function ipv6Alert(): Alert {
  const detection = makeDetection({
    flow: makeFlow({
      srcIp: '2001:db8:1::5',
      dstIp: '2001:db8:2::10',
      srcPort: 5353,
      dstPort: 53,
      proto: 17,
      tcpFlags: 0,
      communityId: undefined,
      source: { format: 'kafka-goflow2', origin: 'flows', partition: 3, offset: '1234' },
    }),
  });
  return buildAlert(detection, classifyDetection(detection));
}
