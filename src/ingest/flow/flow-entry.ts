import type { FlowEndReason, FlowRecord } from '../../core/flow-record.js';
import { formatIpv4, formatIpv6 } from '../packet/ip-text.js';
import { communityIdFromBytes } from './community-id.js';

/**
 * One flow held by the assembler. The key is canonical: side A is the lower (address, port)
 * endpoint, so both directions find the same entry; `initiatorIsA` remembers who started it.
 * Entries are linked into three lists at once (hash-bucket chain, least-recently-seen order,
 * creation order) so lookup, idle expiry and active expiry are all O(1) per flow.
 */
export class FlowEntry {
  version = 0;
  a0 = 0;
  a1 = 0;
  a2 = 0;
  a3 = 0;
  b0 = 0;
  b1 = 0;
  b2 = 0;
  b3 = 0;
  /** (portA << 16) | portB, and (proto << 16) | (vlan + 1), packed so matching compares fewer fields. */
  ports = 0;
  protoVlan = 0;
  hash = 0;
  chain: FlowEntry | undefined = undefined;
  lruPrev: FlowEntry | undefined = undefined;
  lruNext: FlowEntry | undefined = undefined;
  agePrev: FlowEntry | undefined = undefined;
  ageNext: FlowEntry | undefined = undefined;
  initiatorIsA = true;
  /** Initiator's ports as seen on the wire (ICMP: type and code of the first packet). */
  srcPort = 0;
  dstPort = 0;
  proto = 0;
  vlan = -1;
  start = 0;
  last = 0;
  bytesFwd = 0;
  pktsFwd = 0;
  bytesRev = 0;
  pktsRev = 0;
  flagsFwd = 0;
  flagsRev = 0;
  finFwd = false;
  finRev = false;
  /** Exported after FIN/RST but kept as a tombstone so the trailing ACKs do not start new flows. */
  closed = false;
  firstPacket = 0;
  lastPacket = 0;
}

const v4Src = new Uint8Array(4);
const v4Dst = new Uint8Array(4);
const v6Src = new Uint8Array(16);
const v6Dst = new Uint8Array(16);

/** Builds the exported record (address text, Community ID) for an entry. */
export function toFlowRecord(
  e: FlowEntry,
  format: string,
  origin: string,
  endReason: FlowEndReason,
  communityIdSeed: number,
): FlowRecord {
  const a = e.initiatorIsA;
  const s0 = a ? e.a0 : e.b0;
  const s1 = a ? e.a1 : e.b1;
  const s2 = a ? e.a2 : e.b2;
  const s3 = a ? e.a3 : e.b3;
  const d0 = a ? e.b0 : e.a0;
  const d1 = a ? e.b1 : e.a1;
  const d2 = a ? e.b2 : e.a2;
  const d3 = a ? e.b3 : e.a3;
  let srcIp: string;
  let dstIp: string;
  let communityId: string;
  if (e.version === 4) {
    srcIp = formatIpv4(s3);
    dstIp = formatIpv4(d3);
    putWord(v4Src, 0, s3);
    putWord(v4Dst, 0, d3);
    communityId = communityIdFromBytes(v4Src, v4Dst, e.srcPort, e.dstPort, e.proto, communityIdSeed);
  } else {
    srcIp = formatIpv6(s0, s1, s2, s3);
    dstIp = formatIpv6(d0, d1, d2, d3);
    putWords(v6Src, s0, s1, s2, s3);
    putWords(v6Dst, d0, d1, d2, d3);
    communityId = communityIdFromBytes(v6Src, v6Dst, e.srcPort, e.dstPort, e.proto, communityIdSeed);
  }
  return {
    start: e.start,
    end: e.last,
    srcIp,
    dstIp,
    srcPort: e.srcPort,
    dstPort: e.dstPort,
    proto: e.proto,
    bytesFwd: e.bytesFwd,
    pktsFwd: e.pktsFwd,
    bytesRev: e.bytesRev,
    pktsRev: e.pktsRev,
    tcpFlags: e.flagsFwd | e.flagsRev,
    tcpFlagsFwd: e.flagsFwd,
    tcpFlagsRev: e.flagsRev,
    samplingRate: 1,
    vlan: e.vlan >= 0 ? e.vlan : undefined,
    communityId,
    source: { format, origin, firstPacket: e.firstPacket, lastPacket: e.lastPacket, endReason },
  };
}

function putWords(out: Uint8Array, w0: number, w1: number, w2: number, w3: number): void {
  putWord(out, 0, w0);
  putWord(out, 4, w1);
  putWord(out, 8, w2);
  putWord(out, 12, w3);
}

function putWord(out: Uint8Array, at: number, w: number): void {
  out[at] = w >>> 24;
  out[at + 1] = w >>> 16;
  out[at + 2] = w >>> 8;
  out[at + 3] = w;
}
