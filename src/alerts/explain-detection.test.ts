import { describe, expect, it } from 'vitest';
import type { Detection, DetectorContribution } from '../core/detection.js';
import type { Classification } from './classify-detection.js';
import { explainDetection } from './explain-detection.js';
import { ALERT_RULES, type RuleId } from './rules.js';
import { makeDetection, makeFlow, makeWindow } from './testing/make-detection.js';

function explain(ruleId: RuleId, overrides: Partial<Detection> = {}): string {
  const classification: Classification = { ruleId, rule: ALERT_RULES[ruleId], severity: 3, facts: [] };
  return explainDetection(makeDetection({ detectors: [], ...overrides }), classification);
}

const flood = makeWindow({
  windowSeconds: 10,
  flows: 2178,
  packets: 2300,
  distinctSrcHosts: 1980,
  synOnlyRatio: 0.97,
});

describe('explainDetection', () => {
  it('SYN flood: victim, SYN-only flows, sources, window and segment baseline', () => {
    const text = explain('syn-flood', {
      flow: makeFlow({ dstIp: '10.20.0.10' }),
      score: 9.1,
      threshold: 3,
      windows: [flood],
      topFeatures: [
        { name: 'seg_syn_only_ratio', value: 0.97, baseline: 0.02, share: 0.6 },
        { name: 'seg_flows', value: 2178, baseline: 200, share: 0.2 },
      ],
    });
    expect(text).toBe(
      'SYN flood toward 10.20.0.10:443: 2,113 SYN-only flows from 1,980 sources in the last 10 s (segment baseline 4); score 9.1 over threshold 3.0',
    );
  });

  it('SYN flood without the flow-count feature gives the baseline as a share', () => {
    const text = explain('syn-flood', {
      windows: [flood],
      topFeatures: [{ name: 'seg_syn_only_ratio', value: 0.97, baseline: 0.015, share: 0.6 }],
    });
    expect(text).toContain('(segment baseline 1.5% SYN-only); score 6.0 over threshold 4.0');
  });

  it('volumetric flood: flows and packets against the flow baseline', () => {
    const text = explain('volumetric-flood', {
      windows: [flood],
      topFeatures: [{ name: 'seg_flows', value: 2178, baseline: 210, share: 0.5 }],
    });
    expect(text).toBe(
      'Volumetric flood toward 10.2.0.10:443: 2,178 flows and 2,300 packets from 1,980 sources in the last 10 s (segment baseline 210 flows); score 6.0 over threshold 4.0',
    );
  });

  it("port scan: the source's fan-out and the failure share", () => {
    const text = explain('port-scan', {
      windows: [makeWindow({ failedRatio: 0.92 })],
      topFeatures: [{ name: 'src_fanout_dst_ports', value: 812, baseline: 3, share: 0.7 }],
    });
    expect(text).toBe(
      'Port scan from 10.1.0.5 toward 10.2.0.10: 812 destination ports probed (segment baseline 3), 92% unanswered or reset; score 6.0 over threshold 4.0',
    );
  });

  it('host sweep: falls back to the segment window when the fan-out feature is absent', () => {
    const text = explain('host-scan', {
      flow: makeFlow({ dstPort: 22 }),
      windows: [makeWindow({ distinctDstHosts: 250, failedRatio: 0.8 })],
    });
    expect(text).toBe(
      'Host sweep from 10.1.0.5 on port 22/tcp: 250 destination hosts in the last 1 s, 80% unanswered or reset; score 6.0 over threshold 4.0',
    );
  });

  it('beaconing: period and jitter against the baseline', () => {
    const text = explain('beaconing', {
      topFeatures: [
        { name: 'pair_iat_std_l0.1', value: 0.04, baseline: 12.5, share: 0.5 },
        { name: 'pair_iat_mean_l0.1', value: 60.2, baseline: 30, share: 0.1 },
      ],
    });
    expect(text).toBe(
      'Beaconing from 10.1.0.5 to 10.2.0.10:443/tcp: a flow every 60.2 s with 0.04 s of timing jitter (segment baseline 12.5 s); score 6.0 over threshold 4.0',
    );
  });

  it('large outbound transfer: bytes each way, duration and the per-flow baseline', () => {
    const text = explain('large-outbound', {
      flow: makeFlow({
        dstIp: '203.0.113.9',
        bytesFwd: 2_400_000_000,
        bytesRev: 310_000,
        end: makeFlow().start + 95_000,
      }),
      topFeatures: [{ name: 'bytes_fwd', value: 2.4e9, baseline: 18_000, share: 0.8 }],
    });
    expect(text).toBe(
      'Large outbound transfer from 10.1.0.5 to 203.0.113.9:443/tcp: 2.4 GB sent and 310 kB received in 95 s (segment baseline 18 kB sent per flow); score 6.0 over threshold 4.0',
    );
  });

  it('generic anomaly: the top features with baselines, IPv6 in brackets', () => {
    const text = explain('anomalous-flow', {
      flow: makeFlow({ srcIp: '2001:db8::5', dstIp: '2001:db8::10', proto: 17, dstPort: 53 }),
      topFeatures: [
        { name: 'bytes_per_pkt_fwd', value: 1400, baseline: 80, share: 0.5 },
        { name: 'pkts_fwd', value: 300, baseline: 2, share: 0.3 },
      ],
    });
    expect(text).toBe(
      'Unusual flow from [2001:db8::5]:51234 to [2001:db8::10]:53/udp: bytes_per_pkt_fwd 1,400 (baseline 80), pkts_fwd 300 (baseline 2); score 6.0 over threshold 4.0',
    );
  });

  it('adds forecast against observed flows only when the forecast detector reports them', () => {
    // The core contribution type carries no forecast numbers yet; a detector may add them.
    const forecast: DetectorContribution & { expected: number } = {
      detector: 'forecast',
      pValue: 0.001,
      weight: 0.4,
      expected: 310,
    };
    const withNumbers = explain('volumetric-flood', { windows: [flood], detectors: [forecast] });
    expect(withNumbers).toContain('; 2,178 flows in the last 10 s against 310 forecast; score');
    const bare = explain('volumetric-flood', { windows: [flood] });
    expect(bare).not.toContain('forecast');
    const broken: typeof forecast = { ...forecast, expected: Number.NaN };
    expect(explain('volumetric-flood', { windows: [flood], detectors: [broken] })).toBe(bare);
  });

  it('still reads as a sentence with no windows or features', () => {
    for (const ruleId of Object.keys(ALERT_RULES) as RuleId[]) {
      const text = explain(ruleId, { windows: [] });
      expect(text).toMatch(/^[A-Z][^;]+: [^;]+; score 6\.0 over threshold 4\.0$/);
      expect(text).not.toMatch(/undefined|NaN/);
    }
  });
});
