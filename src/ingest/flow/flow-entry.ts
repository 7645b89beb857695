import type { FlowEndReason, FlowRecord } from '../../core/flow-record.js';
import type { AddressTextCache } from './address-text-cache.js';

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

/**
 * Builds the exported record for an entry. Every record is created by this one literal, every
 * field always present (absent VLAN as undefined), so V8 gives all records one hidden class and
 * downstream readers stay monomorphic. The Community ID is left to the alert stage.
 */
export function toFlowRecord(
  e: FlowEntry,
  format: string,
  origin: string,
  endReason: FlowEndReason,
  addresses: AddressTextCache,
): FlowRecord {
  const a = e.initiatorIsA;
  let srcIp: string;
  let dstIp: string;
  if (e.version === 4) {
    srcIp = addresses.ipv4(a ? e.a3 : e.b3);
    dstIp = addresses.ipv4(a ? e.b3 : e.a3);
  } else if (a) {
    srcIp = addresses.ipv6(e.a0, e.a1, e.a2, e.a3);
    dstIp = addresses.ipv6(e.b0, e.b1, e.b2, e.b3);
  } else {
    srcIp = addresses.ipv6(e.b0, e.b1, e.b2, e.b3);
    dstIp = addresses.ipv6(e.a0, e.a1, e.a2, e.a3);
  }
  const flagsFwd = e.flagsFwd;
  const flagsRev = e.flagsRev;
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
    tcpFlags: flagsFwd | flagsRev,
    tcpFlagsFwd: flagsFwd,
    tcpFlagsRev: flagsRev,
    samplingRate: 1,
    vlan: e.vlan >= 0 ? e.vlan : undefined,
    source: { format, origin, firstPacket: e.firstPacket, lastPacket: e.lastPacket, endReason },
  };
}
