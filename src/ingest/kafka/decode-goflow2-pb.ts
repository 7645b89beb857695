import protobuf from 'protobufjs';
import { InputError } from '../../core/errors.js';
import type { FlowRecord } from '../../core/flow-record.js';
import {
  asRecordError,
  type DecodeResult,
  MAX_CONSECUTIVE_BAD_RECORDS,
  type MessageOrigin,
  RecordScope,
  recordError,
} from './decode-context.js';
import { looksLikeJson } from './detect-format.js';
import { type Goflow2Fields, goflow2Flow, goflow2Times } from './goflow2-flow.js';
import { FLOW_MESSAGE, type FlowMessageFields, uint64Number } from './goflow2-schema.js';
import { ipFromBytes } from './ip-address.js';

const ETYPE_IPV4 = 0x0800;
const ETYPE_IPV6 = 0x86dd;

/**
 * Decodes one Kafka message of goflow2's binary format: `FlowMessage` records each prefixed by
 * its varint length (goflow2 v2; v1 with `-format.protobuf.fixedlen`). A message that does not
 * split into such frames is tried as one undelimited `FlowMessage`, the older Cloudflare goflow
 * and goflow2 v1 default. A frame that fails to decode costs only itself; a length prefix that
 * runs past the end stops the message there, keeping the flows before it.
 */
export function decodeGoflow2Protobuf(value: Uint8Array, origin: MessageOrigin): DecodeResult {
  const flows: FlowRecord[] = [];
  const errors: InputError[] = [];
  if (looksLikeJson(value)) {
    const detail = 'message is JSON, not varint-delimited FlowMessages (is the topic format goflow2-json?)';
    return { flows, errors: [recordError(origin, 1, 'bad_protobuf', '', detail)], format: 'goflow2-pb' };
  }
  const framing = splitFrames(value);
  if (framing.broken !== undefined && framing.frames.length <= 1) {
    const single = decodeUndelimited(value, origin);
    if (single !== undefined) return { flows: [single], errors, format: 'goflow2-pb' };
  }
  const reader = protobuf.Reader.create(value);
  let badInRow = 0;
  for (let i = 0; i < framing.frames.length; i++) {
    if (badInRow === MAX_CONSECUTIVE_BAD_RECORDS) {
      const detail = `${badInRow} records in a row failed; the remaining ${framing.frames.length - i} are skipped`;
      errors.push(recordError(origin, i + 1, 'bad_protobuf', '', detail));
      return { flows, errors, format: 'goflow2-pb' };
    }
    const [start, end] = framing.frames[i];
    const scope = new RecordScope(origin, 'goflow2-pb', i + 1);
    try {
      // protobufjs narrows `len` to the frame while decoding and leaves it narrowed if it throws.
      reader.pos = start;
      reader.len = value.length;
      const message = FLOW_MESSAGE.decode(reader, end - start) as unknown as FlowMessageFields;
      flows.push(goflow2Flow(messageFields(message, scope), scope));
      badInRow = 0;
    } catch (err) {
      errors.push(protobufError(origin, i + 1, err));
      badInRow++;
    }
  }
  if (framing.broken !== undefined) {
    errors.push(recordError(origin, framing.frames.length + 1, 'bad_protobuf', '', framing.broken));
  }
  return { flows, errors, format: 'goflow2-pb' };
}

/** Byte ranges of the length-delimited frames, and why framing stopped early, if it did. */
function splitFrames(value: Uint8Array): { frames: Array<[number, number]>; broken?: string } {
  const frames: Array<[number, number]> = [];
  let pos = 0;
  while (pos < value.length) {
    let length = 0;
    let shift = 0;
    let at = pos;
    // A frame length fits 32 bits: at most five varint bytes.
    for (;;) {
      if (at >= value.length || shift > 28) {
        return { frames, broken: `truncated length prefix at byte ${pos}` };
      }
      const b = value[at++];
      length += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) break;
    }
    if (length === 0 || at + length > value.length) {
      const detail = `length prefix at byte ${pos} says ${length} bytes, ${value.length - at} remain`;
      return { frames, broken: length === 0 ? `empty FlowMessage at byte ${pos}` : detail };
    }
    frames.push([at, at + length]);
    pos = at + length;
  }
  return { frames };
}

/** One undelimited FlowMessage filling the whole value, if the bytes decode as one with addresses. */
function decodeUndelimited(value: Uint8Array, origin: MessageOrigin): FlowRecord | undefined {
  const scope = new RecordScope(origin, 'goflow2-pb', 1);
  let message: FlowMessageFields;
  try {
    message = FLOW_MESSAGE.decode(value) as unknown as FlowMessageFields;
  } catch (err) {
    // Not undelimited either: the caller reports the framing problem, which says more.
    if (err instanceof Error) return undefined;
    throw err;
  }
  const plausible =
    ipFromBytes(message.src_addr) !== undefined && ipFromBytes(message.dst_addr) !== undefined;
  if (!plausible) return undefined;
  try {
    return goflow2Flow(messageFields(message, scope), scope);
  } catch (err) {
    if (err instanceof Error) return undefined;
    throw err;
  }
}

function messageFields(m: FlowMessageFields, scope: RecordScope): Goflow2Fields {
  const srcAddr = address(m.src_addr, 'src_addr', m.etype, scope);
  const dstAddr = address(m.dst_addr, 'dst_addr', m.etype, scope);
  const times = goflow2Times(
    {
      ns: uint64Number(m.time_flow_start_ns),
      ms: uint64Number(m.time_flow_start_ms),
      s: uint64Number(m.time_flow_start),
    },
    {
      ns: uint64Number(m.time_flow_end_ns),
      ms: uint64Number(m.time_flow_end_ms),
      s: uint64Number(m.time_flow_end),
    },
    { ns: uint64Number(m.time_received_ns), s: uint64Number(m.time_received) },
  );
  if (times === undefined)
    scope.fail('missing_field', 'time_flow_start_ns', 'expected a flow or receive time, got 0');
  if (m.proto > 255) scope.fail('wrong_type', 'proto', `expected an IP protocol 0..255, got ${m.proto}`);
  return {
    srcAddr,
    dstAddr,
    startMs: times.startMs,
    endMs: times.endMs,
    bytes: uint64Number(m.bytes),
    packets: uint64Number(m.packets),
    samplingRate: uint64Number(m.sampling_rate),
    proto: m.proto,
    srcPort: m.src_port & 0xffff,
    dstPort: m.dst_port & 0xffff,
    icmpType: m.icmp_type & 0xff,
    icmpCode: m.icmp_code & 0xff,
    tcpFlags: m.tcp_flags,
    inIf: m.in_if,
    outIf: m.out_if,
    vlan: (m.vlan_id || m.src_vlan || m.dst_vlan) & 0xfff,
    exporter: m.sampler_address.length === 0 ? undefined : ipFromBytes(m.sampler_address),
  };
}

function address(bytes: Uint8Array, path: string, etype: number, scope: RecordScope): string {
  const text = ipFromBytes(bytes);
  if (text !== undefined) return text;
  if (bytes.length === 0) {
    // sFlow samples of ARP and other non-IP frames come through with no addresses at all.
    const nonIp = etype !== 0 && etype !== ETYPE_IPV4 && etype !== ETYPE_IPV6;
    if (nonIp) scope.fail('not_ip', path, `ethertype 0x${etype.toString(16)} carries no IP flow`);
    scope.fail('missing_field', path, 'expected a 4 or 16 byte address, got none');
  }
  return scope.fail('bad_address', path, `expected a 4 or 16 byte address, got ${bytes.length} bytes`);
}

function protobufError(origin: MessageOrigin, record: number, err: unknown): InputError {
  // protobufjs throws RangeError/Error for bad wire data; our own rejections are InputErrors.
  if (err instanceof Error && !(err instanceof InputError)) {
    return recordError(
      origin,
      record,
      'bad_protobuf',
      '',
      `FlowMessage does not decode: ${err.message}`,
      err,
    );
  }
  return asRecordError(origin, record, err);
}
