import { beforeAll, describe, expect, it } from 'vitest';
import { detectorSchema, featuresSchema, segmentsSchema } from '../config/schema.js';
import type { FlowRecord } from '../core/flow-record.js';
import { selectBackend } from '../meta/backend.js';
import { adaptationPlan } from './adaptation-plan.js';
import { plannedMetrics, runPlanned } from './planned-run.js';

const config = {
  segments: segmentsSchema.parse({}),
  features: featuresSchema.parse({}),
  detector: detectorSchema.parse({
    warmupFlows: 80,
    warmupEpochs: 5,
    hiddenUnits: [8, 4],
    falseAlertRate: 0.01,
  }),
};

/**
 * A device's DNS every 2 s, and from the start a beacon: unanswered TCP SYNs to one outside host every
 * 5th flow, so the first 80 flows are a fifth attack, as in a capture where the malware runs from boot.
 */
function stream(): { flows: FlowRecord[]; labels: Uint8Array } {
  const flows: FlowRecord[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 600; i++) {
    const beacon = i % 5 === 4;
    const t = i * 2000 + ((i * 7919) % 1500);
    const jitter = (i * 104729) % 97;
    flows.push({
      start: t,
      end: t + 5 + jitter,
      srcIp: '192.168.7.20',
      dstIp: beacon ? '203.0.113.50' : `192.168.7.${1 + (i % 3)}`,
      srcPort: 30000 + i,
      dstPort: beacon ? 50 : 53,
      proto: beacon ? 6 : 17,
      bytesFwd: beacon ? 0 : 40 + ((jitter * 13) % 90),
      pktsFwd: 1,
      bytesRev: beacon ? 0 : 80 + ((jitter * 29) % 400),
      pktsRev: beacon ? 0 : 1,
      tcpFlags: beacon ? 2 : 0,
      ...(beacon ? { tcpFlagsFwd: 2, tcpFlagsRev: 0 } : {}),
      source: { format: 'test', origin: 'test' },
    });
    labels.push(beacon ? 1 : 0);
  }
  return { flows, labels: Uint8Array.from(labels) };
}

describe('runPlanned', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('adapts on the benign flows only and scores every other flow, attack flows before them included', async () => {
    const { flows, labels } = stream();
    const plan = adaptationPlan(flows, labels, config.segments, 80, 'one-class');
    const run = await runPlanned(flows, plan, { config });
    // Every flow is either adapted on or scored; the adaptation flows never are.
    const missing = [...flows.keys()].filter((i) => run.scored[i]! + plan.adapt[i]! !== 1);
    expect(missing, `segments ${new Set(plan.segments).size}`).toEqual([]);
    // The beacon flows among the first 100 (inside the adaptation period) are scored too.
    expect(run.scored[4]).toBe(1);
    const { ranking, falseAlertRate } = plannedMetrics(run, labels);
    expect(ranking.positives).toBe(120);
    expect(ranking.rocAuc).toBeGreaterThan(0.95);
    expect(falseAlertRate).toBeLessThan(0.05);
    expect(run.members.get('autoencoder')?.length).toBe(flows.length);
  }, 60_000);
});
