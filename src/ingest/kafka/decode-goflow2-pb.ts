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
import { FlowMessageError, FlowMessageReader } from './flow-message-reader.js';
import { firstTime, goflow2Flow } from './goflow2-flow.js';
import { ipFromRange } from './ip-address.js';

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
  const framing = countFrames(value);
  if (framing.broken !== undefined && framing.frames <= 1) {
    const single = decodeUndelimited(value, origin);
    if (single !== undefined) return { flows: [single], errors, format: 'goflow2-pb' };
  }
  let badInRow = 0;
  let pos = 0;
  for (let i = 0; i < framing.frames; i++) {
    if (badInRow === MAX_CONSECUTIVE_BAD_RECORDS) {
      const detail = `${badInRow} records in a row failed; the remaining ${framing.frames - i} are skipped`;
      errors.push(recordError(origin, i + 1, 'bad_protobuf', '', detail));
      return { flows, errors, format: 'goflow2-pb' };
    }
    // countFrames checked every prefix up to here: it is complete and its frame fits.
    let length = 0;
    let shift = 0;
    let b: number;
    do {
      b = value[pos++];
      length += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b >= 0x80);
    const start = pos;
    pos += length;
    try {
      READER.read(value, start, pos);
      flows.push(readerFlow(READER, value, new RecordScope(origin, 'goflow2-pb', i + 1)));
      badInRow = 0;
    } catch (err) {
      errors.push(protobufError(origin, i + 1, err));
      badInRow++;
    }
  }
  if (framing.broken !== undefined) {
    errors.push(recordError(origin, framing.frames + 1, 'bad_protobuf', '', framing.broken));
  }
  return { flows, errors, format: 'goflow2-pb' };
}

/**
 * One reader for every record: decoding is synchronous and each record's fields are turned into
 * its FlowRecord before the next one is read.
 */
const READER = new FlowMessageReader();

/** How many whole length-delimited frames the value starts with, and why framing stopped early, if it did. */
function countFrames(value: Uint8Array): { frames: number; broken?: string } {
  let frames = 0;
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
    frames++;
    pos = at + length;
  }
  return { frames };
}

/** One undelimited FlowMessage filling the whole value, if the bytes decode as one with addresses. */
function decodeUndelimited(value: Uint8Array, origin: MessageOrigin): FlowRecord | undefined {
  try {
    READER.read(value, 0, value.length);
  } catch (err) {
    // Not undelimited either: the caller reports the framing problem, which says more.
    if (err instanceof FlowMessageError) return undefined;
    throw err;
  }
  const plausible = isAddressLength(READER.srcAddrLength) && isAddressLength(READER.dstAddrLength);
  if (!plausible) return undefined;
  try {
    return readerFlow(READER, value, new RecordScope(origin, 'goflow2-pb', 1));
  } catch (err) {
    if (err instanceof Error) return undefined;
    throw err;
  }
}

function isAddressLength(length: number): boolean {
  return length === 4 || length === 16;
}

/** The FlowRecord of the record `m` holds; `value` is the message it was read from. */
function readerFlow(m: FlowMessageReader, value: Uint8Array, scope: RecordScope): FlowRecord {
  const srcAddr = address(value, m.srcAddrAt, m.srcAddrLength, 'src_addr', m.etype, scope);
  const dstAddr = address(value, m.dstAddrAt, m.dstAddrLength, 'dst_addr', m.etype, scope);
  const startMs =
    firstTime(m.timeFlowStartNs, m.timeFlowStartMs, m.timeFlowStart) ??
    firstTime(m.timeReceivedNs, 0, m.timeReceived);
  if (startMs === undefined)
    return scope.fail('missing_field', 'time_flow_start_ns', 'expected a flow or receive time, got 0');
  if (m.proto > 255) scope.fail('wrong_type', 'proto', `expected an IP protocol 0..255, got ${m.proto}`);
  return goflow2Flow(
    {
      srcAddr,
      dstAddr,
      startMs,
      endMs: firstTime(m.timeFlowEndNs, m.timeFlowEndMs, m.timeFlowEnd) ?? startMs,
      bytes: m.bytes,
      packets: m.packets,
      samplingRate: m.samplingRate,
      proto: m.proto,
      srcPort: m.srcPort & 0xffff,
      dstPort: m.dstPort & 0xffff,
      icmpType: m.icmpType & 0xff,
      icmpCode: m.icmpCode & 0xff,
      tcpFlags: m.tcpFlags,
      inIf: m.inIf,
      outIf: m.outIf,
      vlan: (m.vlanId || m.srcVlan || m.dstVlan) & 0xfff,
      exporter:
        m.samplerAddressLength === 0
          ? undefined
          : ipFromRange(value, m.samplerAddressAt, m.samplerAddressLength),
    },
    scope,
  );
}

function address(
  value: Uint8Array,
  at: number,
  length: number,
  path: string,
  etype: number,
  scope: RecordScope,
): string {
  const text = ipFromRange(value, at, length);
  if (text !== undefined) return text;
  if (length === 0) {
    // sFlow samples of ARP and other non-IP frames come through with no addresses at all.
    const nonIp = etype !== 0 && etype !== ETYPE_IPV4 && etype !== ETYPE_IPV6;
    if (nonIp) scope.fail('not_ip', path, `ethertype 0x${etype.toString(16)} carries no IP flow`);
    scope.fail('missing_field', path, 'expected a 4 or 16 byte address, got none');
  }
  return scope.fail('bad_address', path, `expected a 4 or 16 byte address, got ${length} bytes`);
}

function protobufError(origin: MessageOrigin, record: number, err: unknown): InputError {
  // The reader throws FlowMessageError for bad wire data; our own rejections are InputErrors.
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
