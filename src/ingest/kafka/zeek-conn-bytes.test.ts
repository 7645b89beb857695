import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../core/flow-record.js';
import { RecordScope } from './decode-context.js';
import { decodeMessage } from './decode-message.js';
import { decodeZeekRecord } from './decode-zeek.js';
import { detectJsonFormat } from './detect-format.js';
import { readZeekConnBytes, ZEEK_CONN_FIELDS } from './zeek-conn-bytes.js';

const origin = { topic: 'flows-zeek', partition: 2, offset: '77' };

/** The general decoder's reading of one JSON text: its flow, or the reason it rejects the record. */
function general(text: string): FlowRecord | string {
  try {
    return decodeZeekRecord(JSON.parse(text), new RecordScope(origin, 'zeek', 1));
  } catch (err) {
    return String(err);
  }
}

const bytes = (text: string) => Buffer.from(text, 'utf8');

/** Fields as Zeek's JSON writer emits them (ASCII, no escapes, numbers where Zeek writes numbers). */
const writerRecord = fc.record(
  {
    ts: fc.oneof(
      fc.integer({ min: 1_500_000_000_000_000, max: 1_900_000_000_000_000 }).map((us) => us / 1e6),
      fc.integer({ min: 1_500_000_000_000, max: 1_900_000_000_000 }),
    ),
    uid: fc.stringMatching(/^C[A-Za-z0-9]{17}$/),
    'id.orig_h': fc.oneof(fc.ipV4(), fc.ipV6()),
    'id.orig_p': fc.integer({ min: 0, max: 65_535 }),
    'id.resp_h': fc.oneof(fc.ipV4(), fc.ipV6()),
    'id.resp_p': fc.integer({ min: 0, max: 65_535 }),
    proto: fc.constantFrom('tcp', 'udp', 'icmp', 'unknown_transport'),
    service: fc.constantFrom('ssl', 'dns', 'http,ssl', '-'),
    duration: fc.oneof(
      fc.integer({ min: 0, max: 1e9 }).map((us) => us / 1e6),
      fc.constant('-'),
    ),
    orig_bytes: fc.oneof(fc.nat(), fc.constant('-')),
    resp_bytes: fc.oneof(fc.nat(), fc.constant('-')),
    conn_state: fc.constantFrom('S0', 'S1', 'SF', 'REJ', 'RSTO', 'OTH', '-'),
    local_orig: fc.boolean(),
    missed_bytes: fc.nat(),
    history: fc.oneof(fc.stringMatching(/^[ShAaDdFfRrTtWwCc^]{1,12}$/), fc.constant('-')),
    orig_pkts: fc.nat(),
    orig_ip_bytes: fc.oneof(fc.nat(), fc.constant('-')),
    resp_pkts: fc.nat(),
    resp_ip_bytes: fc.oneof(fc.nat(), fc.constant('-')),
    tunnel_parents: fc.array(fc.stringMatching(/^C[A-Za-z0-9]{17}$/), { maxLength: 2 }),
    vlan: fc.integer({ min: 0, max: 4095 }),
    community_id: fc.stringMatching(/^1:[A-Za-z0-9+/]{27}=$/),
    _node_name: fc.constantFrom('zeek-worker-1', 'sensor-b'),
  },
  { requiredKeys: ['ts', 'id.orig_h', 'id.resp_h', 'proto'] },
);

/** Anything a field might hold, well-formed or not, for the fields read and for others. */
const anyValue = fc.oneof(
  fc.integer({ min: -70_000, max: 70_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1e21, 2 ** 53 + 1, 1.7e9, 0.1, 65_536, 4096, 1_709_287_200.123_456),
  fc.constantFrom('-', '', '80', 'tcp', 'TCP', 'gre', 'unknown_transport', '10.0.0.1', '010.0.0.1'),
  fc.constantFrom('::ffff:10.1.2.3', 'fe80::1%eth0', '2001:DB8::1', '1.2.3', '2024-03-01T10:00:00Z', 'ShAD'),
  fc.constantFrom('tab\there', 'quote"d', 'ünï', 'a\\b', '1709287200.5'),
  fc.string({ maxLength: 6 }),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer()), { maxLength: 2 }),
  fc.record({ orig_h: fc.ipV4(), orig_p: fc.nat(65_535) }),
  // Drops the field: JSON.stringify leaves out undefined values.
  fc.constant(undefined),
);

/** The keys the reader records, and others that change how a message reads. */
const READ_KEYS = [...ZEEK_CONN_FIELDS, 'id', 'uid', 'conn'];

/** A valid record with some of its fields replaced by anything. */
const mangledRecord = fc
  .tuple(writerRecord, fc.array(fc.tuple(fc.constantFrom(...READ_KEYS), anyValue), { maxLength: 4 }))
  .map(([record, changes]) => {
    const copy: Record<string, unknown> = { ...record };
    for (const [key, value] of changes) copy[key] = value;
    return copy;
  });

/** The ways a message can carry a record: compact, indented, with blank around, tagged by zeek-kafka. */
const framing = fc.constantFrom(
  (r: unknown) => JSON.stringify(r),
  (r: unknown) => JSON.stringify(r, null, 2),
  (r: unknown) => ` \t${JSON.stringify(r)}\r\n`,
  (r: unknown) => JSON.stringify({ conn: r }),
  (r: unknown) => JSON.stringify({ conn: r }, null, 1),
);

describe('readZeekConnBytes', () => {
  it("reads every record as Zeek's writer emits it, exactly as the general decoder does", () => {
    fc.assert(
      fc.property(writerRecord, framing, (record, frame) => {
        const text = frame(record);
        const flow = readZeekConnBytes(bytes(text), origin);
        expect(flow).toBeDefined();
        const expected = general(text);
        expect(flow).toStrictEqual(expected);
        // Same fields in the same order: flows of both paths share one object shape downstream.
        expect(Object.keys(flow ?? {})).toEqual(Object.keys(expected));
      }),
      { numRuns: 2000 },
    );
  });

  it('declines rather than differs: any flow it reads is the general decoder’s flow', () => {
    let read = 0;
    fc.assert(
      fc.property(mangledRecord, framing, (record, frame) => {
        const text = frame(record);
        const flow = readZeekConnBytes(bytes(text), origin);
        if (flow === undefined) return;
        read++;
        const expected = general(text);
        expect(flow).toStrictEqual(expected);
        expect(Object.keys(flow)).toEqual(Object.keys(expected as FlowRecord));
      }),
      { numRuns: 4000 },
    );
    // Most mangled records keep readable values in the fields read; the comparison must have run.
    expect(read).toBeGreaterThan(1000);
  });

  it('in a topic of format auto, reads only what detection takes for Zeek', () => {
    let read = 0;
    fc.assert(
      fc.property(mangledRecord, framing, (record, frame) => {
        const text = frame(record);
        const flow = readZeekConnBytes(bytes(text), origin, true);
        if (flow === undefined) return;
        read++;
        expect(detectJsonFormat(JSON.parse(text))).toBe('zeek');
        expect(flow).toStrictEqual(general(text));
      }),
      { numRuns: 4000 },
    );
    expect(read).toBeGreaterThan(500);
    const suricata =
      '{"event_type":"flow","ts":1709287200.5,"id.orig_h":"10.0.0.1","id.resp_h":"10.0.0.2","proto":"tcp"}';
    expect(readZeekConnBytes(bytes(suricata), origin, true)).toBeUndefined();
    expect(readZeekConnBytes(bytes(suricata), origin)).toBeDefined();
  });

  it('serves topics of format zeek and auto alike', () => {
    fc.assert(
      fc.property(writerRecord, framing, (record, frame) => {
        const value = bytes(frame(record));
        const auto = decodeMessage(value, 'auto', origin);
        expect(auto).toStrictEqual(decodeMessage(value, 'zeek', origin));
        expect(auto.format).toBe('zeek');
      }),
      { numRuns: 300 },
    );
  });

  it('reads numbers to the same double as JSON.parse', () => {
    for (const ts of [
      '1709287200.123456',
      '1709287200.1',
      '1709287200123',
      '1.7092872001234567e9',
      '1709287200.12345678901234567',
      '17092872001234567890',
    ]) {
      const text = `{"ts":${ts},"id.orig_h":"10.0.0.1","id.resp_h":"10.0.0.2","proto":"udp","duration":0.000001}`;
      expect(readZeekConnBytes(bytes(text), origin)).toStrictEqual(general(text));
    }
  });

  it('leaves to the general decoder what it does not read itself', () => {
    const base = '"ts":1709287200.5,"id.orig_h":"10.0.0.1","id.resp_h":"10.0.0.2","proto":"tcp"';
    for (const text of [
      `{${base},"uid":"C\\u0041"}`, // an escape
      `{${base},"id":{"orig_p":80}}`, // a nested object
      `{${base}}{${base}}`, // two records in one message
      `{${base}} x`, // trailing bytes
      `\ufeff{${base}}`, // a byte order mark
      `{${base},"id.orig_p":"80"}`, // a port as text
      `{${base},"orig_pkts":-1}`, // a negative count
      `{${base},"history":7}`, // text as a number
      `{${base},"_node_name":"sensör"}`, // text beyond ASCII
      `{${base},"conn_state":"SF"`, // no end
      `{${base},"orig_pkts":01}`, // not JSON
      `{"ts":1709287200.5,"id.orig_h":"10.0.0.300","id.resp_h":"10.0.0.2","proto":"tcp"}`, // no address
      '{"conn":{"ts":1709287200.5,"id.orig_h":"10.0.0.1","id.resp_h":"10.0.0.2","proto":"tcp"},"dns":{}}',
      '{"id.orig_h":"10.0.0.1","id.resp_h":"10.0.0.2","proto":"tcp"}', // no ts
    ]) {
      expect(readZeekConnBytes(bytes(text), origin), text).toBeUndefined();
    }
  });
});
