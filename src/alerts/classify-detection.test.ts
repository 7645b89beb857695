import { describe, expect, it } from 'vitest';
import { classifyDetection } from './classify-detection.js';
import { makeDetection, makeFlow, makeWindow } from './testing/make-detection.js';

const synProbe = {
  proto: 6,
  tcpFlags: 0x02,
  tcpFlagsFwd: 0x02,
  pktsFwd: 1,
  bytesFwd: 60,
  pktsRev: 0,
  bytesRev: 0,
};

describe('classifyDetection', () => {
  it('recognises a distributed SYN flood toward one service', () => {
    const detection = makeDetection({
      flow: makeFlow({ ...synProbe, srcIp: '198.51.100.7' }),
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
    const c = classifyDetection(detection);
    expect(c.ruleId).toBe('syn-flood');
    expect(c.rule.technique?.id).toBe('T1499');
    expect(c.facts).toContain('syn_only_ratio=0.97');
  });

  it('recognises a UDP volumetric flood', () => {
    const detection = makeDetection({
      flow: makeFlow({
        proto: 17,
        tcpFlags: 0,
        pktsFwd: 1,
        bytesFwd: 1400,
        pktsRev: 0,
        bytesRev: 0,
        dstPort: 53,
      }),
      windows: [
        makeWindow({
          flows: 8000,
          distinctSrcHosts: 900,
          distinctDstHosts: 1,
          distinctDstPorts: 2,
          synOnlyRatio: 0,
        }),
      ],
    });
    const c = classifyDetection(detection);
    expect(c.ruleId).toBe('volumetric-flood');
    expect(c.rule.technique?.id).toBe('T1498');
  });

  it('recognises a vertical port scan from one source', () => {
    const detection = makeDetection({
      flow: makeFlow({ ...synProbe, pktsRev: 1, tcpFlags: 0x16, dstPort: 8080 }),
      windows: [
        makeWindow({
          flows: 900,
          distinctSrcHosts: 1,
          distinctDstHosts: 1,
          distinctDstPorts: 850,
          synOnlyRatio: 0.9,
          failedRatio: 0.95,
        }),
      ],
    });
    const c = classifyDetection(detection);
    expect(c.ruleId).toBe('port-scan');
    expect(c.rule.technique?.id).toBe('T1046');
  });

  it('recognises a host sweep from the windows', () => {
    const detection = makeDetection({
      flow: makeFlow({ ...synProbe, dstPort: 22 }),
      windows: [
        makeWindow({
          flows: 260,
          distinctSrcHosts: 2,
          distinctDstHosts: 254,
          distinctDstPorts: 1,
          failedRatio: 0.9,
        }),
      ],
    });
    expect(classifyDetection(detection).ruleId).toBe('host-scan');
  });

  it('recognises a host sweep from a fan-out feature alone', () => {
    const detection = makeDetection({
      flow: makeFlow({ ...synProbe, dstPort: 445 }),
      topFeatures: [{ name: 'src_fanout_dst_hosts', value: 210, baseline: 3, share: 0.7 }],
    });
    expect(classifyDetection(detection).ruleId).toBe('host-scan');
  });

  it('recognises beaconing from a low inter-arrival jitter feature', () => {
    const detection = makeDetection({
      flow: makeFlow({ bytesFwd: 300, bytesRev: 500, pktsFwd: 3, pktsRev: 3 }),
      topFeatures: [
        { name: 'pair_iat_std_l0.1', value: 0.02, baseline: 3.5, share: 0.45 },
        { name: 'pair_bytes_mean_l0.1', value: 300, baseline: 280, share: 0.1 },
      ],
    });
    const c = classifyDetection(detection);
    expect(c.ruleId).toBe('beaconing');
    expect(c.rule.technique?.id).toBe('T1071');
  });

  it('does not call high jitter beaconing', () => {
    const detection = makeDetection({
      flow: makeFlow({ bytesFwd: 300, bytesRev: 500 }),
      topFeatures: [{ name: 'pair_iat_std_l0.1', value: 9, baseline: 3.5, share: 0.45 }],
    });
    expect(classifyDetection(detection).ruleId).toBe('anomalous-flow');
  });

  it('recognises a large one-sided outbound transfer, unless both ends are internal', () => {
    const flow = makeFlow({
      dstIp: '203.0.113.9',
      bytesFwd: 50_000_000,
      pktsFwd: 40_000,
      bytesRev: 40_000,
      pktsRev: 20_000,
    });
    expect(classifyDetection(makeDetection({ flow })).ruleId).toBe('large-outbound');
    const isInternal = (ip: string): boolean => ip.startsWith('10.');
    expect(classifyDetection(makeDetection({ flow }), { isInternal }).ruleId).toBe('large-outbound');
    const lateral = makeFlow({ ...flow, dstIp: '10.9.9.9' });
    expect(classifyDetection(makeDetection({ flow: lateral }), { isInternal }).ruleId).toBe('anomalous-flow');
  });

  it('falls back to the generic rule without a technique', () => {
    const c = classifyDetection(makeDetection());
    expect(c.ruleId).toBe('anomalous-flow');
    expect(c.rule.technique).toBeUndefined();
    expect(c.facts).toEqual([]);
  });

  it('derives severity from the rule and the score margin', () => {
    expect(classifyDetection(makeDetection({ score: 4.1, threshold: 4 })).severity).toBe(2);
    expect(classifyDetection(makeDetection({ score: 13, threshold: 4 })).severity).toBe(4);
  });

  it('copes with no windows and non-finite feature values', () => {
    const detection = makeDetection({
      windows: [],
      topFeatures: [{ name: 'src_fanout_dst_ports', value: Number.NaN, baseline: 1, share: 1 }],
    });
    expect(classifyDetection(detection).ruleId).toBe('anomalous-flow');
  });
});
