import { describe, expect, it } from 'vitest';
import { buildAlert } from './build-alert.js';
import { classifyDetection } from './classify-detection.js';
import { makeDetection, makeFlow, makeWindow } from './testing/make-detection.js';

function alertFor(overrides: Parameters<typeof makeDetection>[0] = {}, occurrences = 1) {
  const detection = makeDetection(overrides);
  return buildAlert(detection, classifyDetection(detection), {
    observerVersion: '0.1.0',
    observerHostname: 'sensor-1',
    occurrences,
  });
}

/** Paths of every undefined, null or non-finite value in a document. */
function emptyValues(value: unknown, path = '$'): string[] {
  if (value === undefined || value === null) return [path];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => emptyValues(v, `${path}[${i}]`));
  if (typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => emptyValues(v, `${path}.${k}`));
  return [];
}

describe('buildAlert id', () => {
  it('is the same for the same input', () => {
    expect(alertFor().event.id).toBe(alertFor().event.id);
    expect(alertFor().event.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('changes with the input position', () => {
    const base = alertFor().event.id;
    const moved = alertFor({
      flow: makeFlow({ source: { format: 'pcap', origin: 'capture.pcap', firstPacket: 11, lastPacket: 25 } }),
    });
    const otherFile = alertFor({
      flow: makeFlow({ source: { format: 'pcap', origin: 'other.pcap', firstPacket: 10, lastPacket: 25 } }),
    });
    expect(moved.event.id).not.toBe(base);
    expect(otherFile.event.id).not.toBe(base);
  });

  it('uses the Kafka partition and offset, and keeps flows sharing one message apart', () => {
    const kafka = (offset: string, srcPort = 51234) =>
      alertFor({
        flow: makeFlow({ srcPort, source: { format: 'goflow2-pb', origin: 'flows', partition: 3, offset } }),
      }).event.id;
    expect(kafka('100')).toBe(kafka('100'));
    expect(kafka('100')).not.toBe(kafka('101'));
    expect(kafka('100', 1)).not.toBe(kafka('100', 2));
  });

  it('changes with the segment and the rule', () => {
    const base = alertFor();
    expect(alertFor({ flow: makeFlow({ segment: 'office' }) }).event.id).not.toBe(base.event.id);
    const big = alertFor({ flow: makeFlow({ bytesFwd: 60_000_000, bytesRev: 1000 }) });
    expect(big.rule.id).not.toBe(base.rule.id);
  });
});

describe('buildAlert ECS shape', () => {
  it('fills the required ECS fields with the right types', () => {
    const alert = alertFor();
    expect(alert['@timestamp']).toBe('2024-05-01T12:00:00.250Z');
    expect(alert.ecs.version).toBe('8.11.0');
    expect(alert.event).toMatchObject({
      kind: 'alert',
      category: ['network', 'intrusion_detection'],
      type: ['info'],
      start: '2024-05-01T12:00:00.000Z',
      end: '2024-05-01T12:00:00.250Z',
      duration: 250_000_000,
      dataset: 'tapwatch.alert',
      module: 'tapwatch',
    });
    expect(alert.event.severity).toBeGreaterThanOrEqual(1);
    expect(alert.event.risk_score).toBe(alert.event.risk_score_norm);
    expect(alert.rule).toMatchObject({ id: 'tapwatch-anomalous-flow', ruleset: 'tapwatch', version: '1' });
    expect(alert.source).toEqual({ ip: '10.1.0.5', port: 51234, bytes: 1200, packets: 8 });
    expect(alert.destination).toEqual({ ip: '10.2.0.10', port: 443, bytes: 5400, packets: 7 });
    expect(alert.network).toEqual({
      transport: 'tcp',
      iana_number: '6',
      community_id: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
      bytes: 6600,
      packets: 15,
    });
    expect(alert.observer).toEqual({
      type: 'ids',
      product: 'tapwatch',
      vendor: 'tapwatch',
      version: '0.1.0',
      hostname: 'sensor-1',
      ingress: { zone: 'servers' },
    });
    expect(alert.labels).toEqual({ segment: 'servers' });
  });

  it('carries the evidence and the input pointer', () => {
    const alert = alertFor({}, 4);
    expect(alert.tapwatch).toMatchObject({
      score: 6,
      threshold: 4,
      model_state: 'ready',
      detectors: { autoencoder: { p_value: 1e-6, weight: 0.6 }, forecast: { p_value: 0.01, weight: 0.4 } },
      dedup_key: 'servers|tapwatch-anomalous-flow|10.1.0.5',
      occurrences: 4,
      suppressed: 3,
      input: { format: 'pcap', origin: 'capture.pcap', first_packet: 10, last_packet: 25 },
    });
    expect(alert.tapwatch.windows[0]).toMatchObject({
      window_seconds: 1,
      end: '2024-05-01T12:00:01.000Z',
      flows: 40,
    });
  });

  it('emits no undefined, null or non-finite values and survives a JSON round trip', () => {
    const alert = alertFor({
      pValue: Number.NaN,
      flow: makeFlow({
        communityId: undefined,
        vlan: undefined,
        source: { format: 'tapwatch', origin: 'stdin' },
      }),
    });
    expect(emptyValues(alert)).toEqual([]);
    expect(JSON.parse(JSON.stringify(alert))).toEqual(alert);
    expect('community_id' in alert.network).toBe(false);
    expect('p_value' in alert.tapwatch).toBe(false);
  });

  it('adds threat only when the rule has a technique', () => {
    expect(alertFor().threat).toBeUndefined();
    const flood = alertFor({
      flow: makeFlow({ tcpFlags: 0x02, pktsFwd: 1, pktsRev: 0, bytesRev: 0, vlan: 120 }),
      windows: [
        makeWindow({
          flows: 5000,
          distinctSrcHosts: 2000,
          distinctDstHosts: 1,
          distinctDstPorts: 1,
          synOnlyRatio: 0.95,
        }),
      ],
    });
    expect(flood.threat).toEqual({
      framework: 'MITRE ATT&CK',
      technique: {
        id: 'T1499',
        name: 'Endpoint Denial of Service',
        reference: 'https://attack.mitre.org/techniques/T1499/',
        subtechnique: { id: 'T1499.001', name: 'OS Exhaustion Flood' },
      },
      tactic: { id: 'TA0040', name: 'Impact', reference: 'https://attack.mitre.org/tactics/TA0040/' },
    });
    expect(flood.network.vlan).toEqual({ id: '120' });
    expect(flood.tapwatch.dedup_key).toBe('servers|tapwatch-syn-flood|10.2.0.10');
  });

  it('fills network.direction only when the internal networks are known', () => {
    const detection = makeDetection({ flow: makeFlow({ dstIp: '203.0.113.9' }) });
    const classification = classifyDetection(detection);
    expect(buildAlert(detection, classification).network.direction).toBeUndefined();
    const isInternal = (ip: string): boolean => ip.startsWith('10.');
    expect(buildAlert(detection, classification, { isInternal }).network.direction).toBe('outbound');
  });

  it('writes IPv6 endpoints in the reason with brackets', () => {
    const alert = alertFor({ flow: makeFlow({ srcIp: '2001:db8::5', dstIp: '2001:db8::10' }) });
    expect(alert.event.reason).toContain('[2001:db8::5]:51234 to [2001:db8::10]:443/tcp');
  });

  it('puts the same one-sentence explanation in event.reason and tapwatch.explanation', () => {
    const alert = alertFor({});
    expect(alert.tapwatch.explanation).toBe(alert.event.reason);
    expect(alert.event.reason).not.toContain('\n');
  });

  it('keys dedup by the chosen track and reports rate-limited alerts only when there were some', () => {
    const detection = makeDetection();
    const classification = classifyDetection(detection);
    const both = buildAlert(detection, classification, { dedupTrackBy: 'both', rateLimited: 7 });
    expect(both.tapwatch.dedup_key).toBe('servers|tapwatch-anomalous-flow|10.1.0.5>10.2.0.10');
    expect(both.tapwatch.rate_limited).toBe(7);
    expect(buildAlert(detection, classification).tapwatch).not.toHaveProperty('rate_limited');
  });
});
