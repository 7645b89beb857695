import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FlowFormat } from './decode-context.js';
import { decodeMessage } from './decode-message.js';
import { FLOW_MESSAGE } from './goflow2-schema.js';

const origin = { topic: 'flows', partition: 0, offset: '10' };
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

const GOOD: Record<Exclude<FlowFormat, 'goflow2-pb'>, string> = {
  eve: 'eve-flow-tcp.json',
  zeek: 'zeek-conn-seconds.json',
  'goflow2-json': 'goflow2-v2.json',
  tapwatch: '',
};
const TAPWATCH_RECORD =
  '{"start":1709287200000,"end":1709287201000,"srcIp":"10.0.0.1","dstIp":"10.0.0.2","srcPort":1,"dstPort":2,"proto":6,"bytesFwd":1,"pktsFwd":1,"bytesRev":0,"pktsRev":0,"tcpFlags":2}';

function goodRecord(format: keyof typeof GOOD): string {
  return format === 'tapwatch' ? TAPWATCH_RECORD : fixture(GOOD[format]).toString().trim();
}

const pb = FLOW_MESSAGE.encodeDelimited(
  FLOW_MESSAGE.create({
    time_flow_start: 1713794372,
    src_addr: Buffer.from([10, 0, 0, 1]),
    dst_addr: Buffer.from([10, 0, 0, 2]),
    proto: 6,
  }),
).finish();

describe('decodeMessage', () => {
  it.each(Object.keys(GOOD) as Array<keyof typeof GOOD>)(
    'decodes every newline-separated %s record of a message, isolating a bad one',
    (format) => {
      const good = goodRecord(format);
      const text = `${good}\n{"broken": \n${good}\n`;
      const { flows, errors, format: applied } = decodeMessage(Buffer.from(text), format, origin);
      expect(applied).toBe(format);
      expect(flows).toHaveLength(2);
      expect(errors).toHaveLength(1);
      expect(errors[0].message).toMatch(/^flows\[0\]@10: record 2: /);
      for (const flow of flows)
        expect(flow.source).toEqual({ format, origin: 'flows', partition: 0, offset: '10' });
    },
  );

  it('detects the format per message and per record in auto mode', () => {
    const mixed = [
      goodRecord('eve'),
      goodRecord('zeek'),
      goodRecord('goflow2-json'),
      goodRecord('tapwatch'),
    ].join('\n');
    const json = decodeMessage(Buffer.from(mixed), 'auto', origin);
    expect(json.errors).toEqual([]);
    expect(json.format).toBe('eve');
    expect(json.flows.map((f) => f.source.format)).toEqual(['eve', 'zeek', 'goflow2-json', 'tapwatch']);
    const binary = decodeMessage(Buffer.concat([pb, pb]), 'auto', origin);
    expect(binary.format).toBe('goflow2-pb');
    expect(binary.flows).toHaveLength(2);
  });

  it('names records of no known format and non-object records', () => {
    const { flows, errors, format } = decodeMessage(
      Buffer.from('{"ip_src":"10.0.0.1"}\n42\n'),
      'auto',
      origin,
    );
    expect(flows).toEqual([]);
    expect(format).toBe('unknown');
    expect(errors.map((e) => [e.reason, e.message])).toEqual([
      [
        'unknown_format',
        'flows[0]@10: record 1: expected keys of goflow2, Suricata EVE, Zeek conn.log or tapwatch JSON, found none',
      ],
      ['wrong_type', 'flows[0]@10: record 2: expected a JSON object, got 42'],
    ]);
  });

  it('rejects an oversized message without reading it', () => {
    const { flows, errors, format } = decodeMessage(Buffer.alloc(2049, 0x20), 'zeek', origin, {
      maxMessageBytes: 2048,
    });
    expect(flows).toEqual([]);
    expect(format).toBe('zeek');
    expect(errors.map((e) => [e.reason, e.code, e.message])).toEqual([
      [
        'oversized',
        'TAPWATCH_INPUT_UNREADABLE',
        'flows[0]@10: message is 2049 bytes, more than the limit of 2048',
      ],
    ]);
  });

  it('reports JSON fed to the protobuf decoder and bytes fed to a JSON decoder', () => {
    const asPb = decodeMessage(fixture('zeek-conn-seconds.json'), 'goflow2-pb', origin);
    expect(asPb.flows).toEqual([]);
    expect(asPb.errors.map((e) => e.reason)).toEqual(['bad_protobuf']);
    const asJson = decodeMessage(Buffer.from(pb), 'zeek', origin);
    expect(asJson.flows).toEqual([]);
    expect(asJson.errors.length).toBeGreaterThan(0);
    for (const err of asJson.errors)
      expect([err.reason, err.code]).toEqual(['not_json', 'TAPWATCH_INPUT_CORRUPT']);
  });
});

describe('decodeMessage on hopeless messages', () => {
  it('gives up after a run of bad records instead of listing thousands', () => {
    const garbage = Buffer.from('nope\n'.repeat(5000));
    const json = decodeMessage(garbage, 'zeek', origin);
    expect(json.errors).toHaveLength(101);
    expect(json.errors[100].message).toBe(
      'flows[0]@10: record 101: 100 records in a row failed; the remaining 4900 are skipped',
    );
    const frames = decodeMessage(Buffer.alloc(4000, 0x01), 'goflow2-pb', origin);
    expect(frames.errors).toHaveLength(101);
    expect(frames.errors[100].reason).toBe('bad_protobuf');
  });
});
