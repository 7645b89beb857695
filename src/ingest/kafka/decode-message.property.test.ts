import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import type { FlowRecord } from '../../core/flow-record.js';
import { FLOW_FORMAT_SETTINGS } from './decode-context.js';
import { decodeMessage } from './decode-message.js';
import { FLOW_MESSAGE } from './goflow2-schema.js';

const origin = { topic: 't', partition: 0, offset: '0' };

const NUMERIC_FIELDS = [
  'start',
  'end',
  'srcPort',
  'dstPort',
  'proto',
  'bytesFwd',
  'pktsFwd',
  'bytesRev',
  'pktsRev',
  'tcpFlags',
  'tcpFlagsFwd',
  'tcpFlagsRev',
  'samplingRate',
  'vlan',
  'inIf',
  'outIf',
] as const;

/** Keys the decoders read, so arbitrary values land on real fields rather than being ignored. */
const KNOWN_KEYS = [
  'event_type',
  'src_ip',
  'dest_ip',
  'src_port',
  'dest_port',
  'proto',
  'flow',
  'netflow',
  'tcp',
  'vlan',
  'host',
  'in_iface',
  'community_id',
  'timestamp',
  'icmp_type',
  'icmp_code',
  'ts',
  'id.orig_h',
  'id.orig_p',
  'id.resp_h',
  'id.resp_p',
  'id',
  'duration',
  'orig_ip_bytes',
  'orig_bytes',
  'resp_bytes',
  'orig_pkts',
  'resp_pkts',
  'history',
  'conn_state',
  'conn',
  'src_addr',
  'dst_addr',
  'time_flow_start_ns',
  'time_flow_end_ns',
  'TimeFlowStart',
  'sampling_rate',
  'SamplingRate',
  'bytes',
  'packets',
  'tcp_flags',
  'in_if',
  'out_if',
  'sampler_address',
  'etype',
  'srcIp',
  'dstIp',
  'start',
  'end',
  'bytesFwd',
  'pktsRev',
  'tcpFlags',
  'segment',
];

const fieldValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    '10.0.0.1',
    '2001:db8::1',
    'tcp',
    'TCP',
    'flow',
    'netflow',
    '-',
    'ShADadFfRr',
    '1b',
    1e308,
    -1,
  ),
  fc.double(),
  fc.integer(),
);
const knownRecord = fc.dictionary(fc.constantFrom(...KNOWN_KEYS), fieldValue, { maxKeys: 20 });
const nestedRecord = fc.record({
  event_type: fc.constantFrom('flow', 'netflow'),
  src_ip: fc.constantFrom('10.0.0.1', 'x'),
  dest_ip: fc.constant('10.0.0.2'),
  proto: fc.constantFrom('TCP', 'ICMP', 6),
  flow: fc.dictionary(fc.constantFrom('start', 'end', 'bytes_toserver', 'pkts_toclient'), fieldValue),
  tcp: fc.dictionary(fc.constantFrom('tcp_flags', 'tcp_flags_ts', 'tcp_flags_tc'), fieldValue),
});

function assertWellFormed(value: Uint8Array): void {
  for (const format of FLOW_FORMAT_SETTINGS) {
    const { flows, errors } = decodeMessage(value, format, origin);
    for (const err of errors) {
      expect(err).toBeInstanceOf(InputError);
      expect(err.reason).toMatch(/^[a-z_]+$/);
    }
    for (const flow of flows) assertFiniteNumbers(flow);
  }
}

function assertFiniteNumbers(flow: FlowRecord): void {
  for (const key of NUMERIC_FIELDS) {
    const v = flow[key];
    if (v !== undefined && !Number.isFinite(v)) throw new Error(`${key} is ${v} in ${JSON.stringify(flow)}`);
  }
  expect(flow.end).toBeGreaterThanOrEqual(flow.start);
}

describe('decoders under arbitrary input', () => {
  it('never throw on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => assertWellFormed(bytes)),
      { numRuns: 500 },
    );
  });

  it('never throw on arbitrary JSON values, one or several per message', () => {
    const messages = fc.array(fc.jsonValue(), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(messages, (values) =>
        assertWellFormed(Buffer.from(values.map((v) => JSON.stringify(v)).join('\n'))),
      ),
      { numRuns: 300 },
    );
  });

  it('never throw or yield NaN on records with real keys and arbitrary values', () => {
    const record = fc.oneof(
      knownRecord,
      nestedRecord,
      knownRecord.map((conn) => ({ conn })),
    );
    fc.assert(
      fc.property(record, (r) => assertWellFormed(Buffer.from(JSON.stringify(r)))),
      { numRuns: 1000 },
    );
  });

  it('never throw on FlowMessages with arbitrary field values, delimited or truncated', () => {
    const message = fc.record({
      sampling_rate: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      bytes: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      time_flow_start_ns: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      time_flow_end: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      src_addr: fc.uint8Array({ maxLength: 17 }),
      dst_addr: fc.uint8Array({ maxLength: 17 }),
      proto: fc.nat(),
      src_port: fc.nat(),
      etype: fc.nat(),
      vlan_id: fc.nat(),
    });
    fc.assert(
      fc.property(message, fc.nat(), (fields, cut) => {
        const asText = Object.fromEntries(
          Object.entries(fields).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]),
        );
        const bytes = FLOW_MESSAGE.encodeDelimited(FLOW_MESSAGE.fromObject(asText)).finish();
        assertWellFormed(bytes);
        assertWellFormed(bytes.subarray(0, cut % (bytes.length + 1)));
      }),
      { numRuns: 300 },
    );
  });
});
