import { describe, expect, it } from 'vitest';
// The test checks the table against the features stage's real column names, so a rename there
// fails here instead of silently weakening classification.
import { FEATURE_NAMES } from '../features/feature-names.js';
import { FEATURE_SIGNALS, matchFeatureSignals } from './feature-signals.js';

function rulesOf(name: string, value = 10, baseline = 1): string[] {
  return [...matchFeatureSignals([{ name, value, baseline, share: 0.3 }]).keys()].sort();
}

describe('FEATURE_SIGNALS', () => {
  it('every signal matches at least one column the features stage produces', () => {
    for (const signal of FEATURE_SIGNALS) {
      expect(
        FEATURE_NAMES.some((name) => signal.pattern.test(name.toLowerCase())),
        String(signal.pattern),
      ).toBe(true);
    }
  });

  it('maps the real column names to the expected rules', () => {
    expect(rulesOf('seg_syn_only_ratio')).toEqual(['syn-flood']);
    expect(rulesOf('seg_distinct_src_hosts')).toEqual(['syn-flood', 'volumetric-flood']);
    expect(rulesOf('src_fanout_dst_hosts')).toEqual(['host-scan']);
    expect(rulesOf('src_fanout_dst_ports')).toEqual(['port-scan']);
    expect(rulesOf('seg_failed_ratio')).toEqual(['host-scan', 'port-scan']);
    expect(rulesOf('pair_iat_std_l0.1', 0.05, 3)).toEqual(['beaconing']);
    expect(rulesOf('pair_w_l0.01')).toEqual(['beaconing']);
    expect(rulesOf('bytes_fwd')).toEqual(['large-outbound']);
    expect(rulesOf('tcp_syn_only')).toEqual([]);
    expect(rulesOf('duration_s')).toEqual([]);
  });

  it('accepts Kitsune-style names', () => {
    expect(rulesOf('HH_jit_L0.1_std', 0.01, 2)).toEqual(['beaconing']);
  });

  it('counts a feature only in the expected direction, and not a zero variance', () => {
    expect(rulesOf('src_fanout_dst_hosts', 1, 10)).toEqual([]);
    expect(rulesOf('pair_iat_std_l0.1', 9, 3)).toEqual([]);
    expect(rulesOf('pair_iat_std_l0.1', 0, 3)).toEqual([]);
  });

  it('caps the evidence features alone can give', () => {
    const many = ['src_fanout_dst_ports', 'seg_distinct_dst_ports', 'seg_dst_port_entropy'].map((name) => ({
      name,
      value: 100,
      baseline: 1,
      share: 0.3,
    }));
    expect(matchFeatureSignals(many).get('port-scan')?.points).toBe(0.6);
  });
});
