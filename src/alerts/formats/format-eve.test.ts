import { describe, expect, it } from 'vitest';
import { formatEve, suricataTime } from './format-eve.js';
import { ipv6Alert, synFloodAlert } from './golden/sample-alerts.js';

describe('formatEve', () => {
  it('matches the golden records', async () => {
    const records = [formatEve(synFloodAlert(), { inIface: 'eth1' }), formatEve(ipv6Alert())];
    // JSON lines, as Suricata writes eve.json.
    await expect(`${records.map((r) => JSON.stringify(r)).join('\n')}\n`).toMatchFileSnapshot(
      './golden/alerts.eve.jsonl',
    );
  });

  it('writes the fields EVE consumers key on', () => {
    const eve = formatEve(synFloodAlert());
    expect(eve).toMatchObject({
      timestamp: '2024-05-01T12:00:00.250000+0000',
      event_type: 'alert',
      src_ip: '198.51.100.7',
      src_port: 40001,
      dest_ip: '10.2.0.10',
      dest_port: 443,
      proto: 'TCP',
      vlan: [120],
      alert: {
        action: 'allowed',
        gid: 1,
        signature_id: 1_900_001,
        rev: 1,
        signature: 'SYN flood',
        severity: 1,
      },
      flow: { pkts_toserver: 1, pkts_toclient: 0, bytes_toserver: 60, bytes_toclient: 0 },
    });
    expect(eve.alert.metadata.mitre_technique_id).toEqual(['T1499.001']);
    expect(eve.alert.metadata.mitre_tactic_id).toEqual(['TA0040']);
    expect(eve.in_iface).toBeUndefined();
  });

  it('derives one JSON-safe flow_id per flow', () => {
    const a = formatEve(synFloodAlert());
    const b = formatEve(synFloodAlert());
    const other = formatEve(ipv6Alert());
    expect(Number.isSafeInteger(a.flow_id)).toBe(true);
    expect(a.flow_id).toBe(b.flow_id);
    expect(other.flow_id).not.toBe(a.flow_id);
    expect(other.alert.metadata.mitre_technique_id).toBeUndefined();
    expect(other.proto).toBe('UDP');
  });

  it('formats times the way Suricata does, keeping sub-millisecond digits', () => {
    expect(suricataTime(Date.UTC(2024, 4, 1, 12, 0, 3, 123) + 0.456)).toBe('2024-05-01T12:00:03.123456+0000');
    expect(suricataTime(Number.NaN)).toBe('1970-01-01T00:00:00.000000+0000');
  });
});
