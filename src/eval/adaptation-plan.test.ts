import { describe, expect, it } from 'vitest';
import { segmentsSchema } from '../config/schema.js';
import type { FlowRecord } from '../core/flow-record.js';
import { adaptationPlan } from './adaptation-plan.js';

const segments = segmentsSchema.parse({});

/** Flows from two /24 networks: `a` (10.0.1.x) and `b` (10.0.2.x), in the order given. */
function flow(net: 'a' | 'b', i: number): FlowRecord {
  const third = net === 'a' ? 1 : 2;
  return {
    start: i * 1000,
    end: i * 1000,
    srcIp: `10.0.${third}.5`,
    dstIp: `10.0.${third}.1`,
    srcPort: 40000 + i,
    dstPort: 53,
    proto: 17,
    bytesFwd: 60,
    pktsFwd: 1,
    bytesRev: 90,
    pktsRev: 1,
    tcpFlags: 0,
    source: { format: 'test', origin: 'test' },
  };
}

describe('adaptationPlan', () => {
  // Segment a: attack flows from the start (1, 2), then benign; segment b: too few benign flows.
  const flows = [
    flow('a', 0),
    flow('a', 1),
    flow('a', 2),
    flow('b', 3),
    flow('a', 4),
    flow('a', 5),
    flow('a', 6),
  ];
  const labels = Uint8Array.of(0, 1, 1, 0, 0, 0, 1);

  it('one-class: adapts on the first benign flows of each segment and scores every other flow', () => {
    const plan = adaptationPlan(flows, labels, segments, 3, 'one-class');
    expect(Array.from(plan.adapt)).toEqual([1, 0, 0, 0, 1, 1, 0]);
    // The attack flows before the last adaptation flow are scored too; segment b (1 benign flow) is left out.
    expect(Array.from(plan.scored)).toEqual([0, 1, 1, 0, 0, 0, 1]);
    expect(plan.segments[0]).not.toBe(plan.segments[3]);
    // The input flows are not routed in place.
    expect(flows[0]!.segment).toBeUndefined();
  });

  it('first-flows: adapts on the first flows whatever their labels', () => {
    const plan = adaptationPlan(flows, labels, segments, 3, 'first-flows');
    expect(Array.from(plan.adapt)).toEqual([1, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(plan.scored)).toEqual([0, 0, 0, 0, 1, 1, 1]);
  });

  it('adapts and scores nothing in a segment without enough adaptation flows', () => {
    const plan = adaptationPlan(flows, labels, segments, 10, 'one-class');
    expect(plan.adapt.every((x) => x === 0)).toBe(true);
    expect(plan.scored.every((x) => x === 0)).toBe(true);
  });
});
