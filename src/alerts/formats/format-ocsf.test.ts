import { describe, expect, it } from 'vitest';
import { formatOcsf } from './format-ocsf.js';
import { ipv6Alert, synFloodAlert } from './golden/sample-alerts.js';

describe('formatOcsf', () => {
  it('matches the golden findings', async () => {
    const findings = [formatOcsf(synFloodAlert()), formatOcsf(ipv6Alert(), { productVersion: '0.2.0' })];
    await expect(`${findings.map((f) => JSON.stringify(f)).join('\n')}\n`).toMatchFileSnapshot(
      './golden/alerts.ocsf.jsonl',
    );
  });

  it('fills the Detection Finding class, its required members and the severity table', () => {
    const finding = formatOcsf(synFloodAlert());
    expect(finding).toMatchObject({
      class_uid: 2004,
      category_uid: 2,
      activity_id: 1,
      type_uid: 200401,
      time: 1714564800250,
      severity_id: 4,
      severity: 'High',
      risk_score: 73,
      status_id: 1,
      metadata: {
        version: '1.3.0',
        product: { name: 'tapwatch', vendor_name: 'tapwatch', version: '0.1.0' },
      },
      finding_info: {
        title: 'SYN flood',
        types: ['Denial of Service'],
        analytic: { type_id: 4, uid: 'tapwatch-syn-flood' },
        attacks: [
          {
            technique: { uid: 'T1499' },
            sub_technique: { uid: 'T1499.001' },
            tactic: { uid: 'TA0040', name: 'Impact' },
          },
        ],
      },
    });
    const info = finding.finding_info as { uid: string };
    const metadata = finding.metadata as { uid: string };
    expect(info.uid).toBe(metadata.uid);
    expect(finding.evidences).toEqual([
      expect.objectContaining({
        src_endpoint: { ip: '198.51.100.7', port: 40001, zone: 'servers' },
        dst_endpoint: { ip: '10.2.0.10', port: 443 },
        connection_info: expect.objectContaining({ protocol_num: 6, protocol_name: 'tcp', direction_id: 1 }),
      }),
    ]);
  });

  it('leaves out attacks and an unknown direction cleanly, and never writes null', () => {
    const finding = formatOcsf(ipv6Alert());
    const text = JSON.stringify(finding);
    expect(text).not.toContain('null');
    expect((finding.finding_info as Record<string, unknown>).attacks).toBeUndefined();
    const [evidence] = finding.evidences as { connection_info: Record<string, unknown> }[];
    expect(evidence.connection_info).toMatchObject({ direction_id: 0, protocol_num: 17, protocol_ver_id: 6 });
  });
});
