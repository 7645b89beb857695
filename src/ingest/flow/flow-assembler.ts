import type { FlowsConfig } from '../../config/schema.js';
import { icmpCounterpart } from '../../core/community-id.js';
import {
  type FlowEndReason,
  type FlowRecord,
  TCP_ACK,
  TCP_FIN,
  TCP_RST,
  TCP_SYN,
} from '../../core/flow-record.js';
import type { DecodedPacket } from '../packet/decoded-packet.js';
import { AddressTextCache } from './address-text-cache.js';
import { FlowEntry, toFlowRecord } from './flow-entry.js';
import { flowHash } from './flow-hash.js';
import { FlowOrder } from './flow-order.js';

const PROTO_TCP = 6;
const PROTO_ICMP = 1;
const PROTO_ICMPV6 = 58;
/** Removed entries kept for reuse, so a steady flow churn does not churn the garbage collector. */
const MAX_POOLED_ENTRIES = 4096;
/** Hash slots at first; the table doubles whenever it holds more flows than slots. */
const INITIAL_BUCKETS = 1024;

/** Counters kept by {@link FlowAssembler}. */
export interface FlowAssemblerStats {
  /** Flows exported, by why. */
  flowsExported: Record<FlowEndReason, number>;
  /** Flows exported early because the table was full (also counted under `evicted`). */
  flowsEvicted: number;
  /** Pure ACK / RST packets that arrived after their flow closed and were not made a new flow. */
  packetsAfterClose: number;
}

/**
 * Assembles decoded packets into bidirectional flows keyed on 5-tuple + outer VLAN, in event time
 * only. A flow is exported when idle for `idleTimeoutSeconds`, alive for `activeTimeoutSeconds`,
 * on TCP RST or once both sides sent FIN, when the table holds `maxFlows` (least recently seen
 * first, endReason 'evicted'), or by `flush()`. Byte counts are IP total lengths (IPv6: 40 + payload
 * length), the NetFlow/IPFIX convention, so link headers and padding do not skew them.
 */
export class FlowAssembler {
  readonly stats: FlowAssemblerStats = {
    flowsExported: { idle: 0, active: 0, fin: 0, rst: 0, evicted: 0, flush: 0 },
    flowsEvicted: 0,
    packetsAfterClose: 0,
  };
  readonly #onFlow: (flow: FlowRecord) => void;
  readonly #idleMs: number;
  readonly #activeMs: number;
  readonly #maxFlows: number;
  readonly #checkEveryMs: number;
  readonly #addresses = new AddressTextCache();
  /**
   * Open hash table: slot `hash & mask` heads a chain through `FlowEntry.chain`. A plain array
   * instead of a Map means inserting or removing a flow allocates nothing and rewrites one slot.
   */
  #buckets: (FlowEntry | undefined)[] = new Array<FlowEntry | undefined>(INITIAL_BUCKETS).fill(undefined);
  #mask = INITIAL_BUCKETS - 1;
  readonly #order = new FlowOrder();
  readonly #pool: FlowEntry[] = [];
  #size = 0;
  #nowMs = Number.NEGATIVE_INFINITY;
  #nextCheckMs = Number.NEGATIVE_INFINITY;
  #format = 'pcap';
  #origin = '';

  constructor(config: FlowsConfig, onFlow: (flow: FlowRecord) => void) {
    this.#onFlow = onFlow;
    this.#idleMs = config.idleTimeoutSeconds * 1000;
    this.#activeMs = config.activeTimeoutSeconds * 1000;
    this.#maxFlows = config.maxFlows;
    // Expiry runs when event time passes a mark, not per packet: at most this late, and cheap.
    this.#checkEveryMs = Math.min(1000, this.#idleMs, this.#activeMs);
  }

  /** Flows currently held (closed tombstones included). */
  get size(): number {
    return this.#size;
  }

  /** Names the input that following packets come from (`source.format` / `source.origin`). */
  setOrigin(format: string, origin: string): void {
    this.#format = format;
    this.#origin = origin;
  }

  /** Adds one decoded packet (`decodePacket` returned true) seen at `tsMs`, 1-based `packetIndex`. */
  add(pkt: DecodedPacket, tsMs: number, packetIndex: number): void {
    if (tsMs > this.#nowMs) {
      this.#nowMs = tsMs;
      if (tsMs >= this.#nextCheckMs) {
        this.expire(tsMs);
        this.#nextCheckMs = tsMs + this.#checkEveryMs;
      }
    }
    const proto = pkt.proto;
    const sport = pkt.srcPort;
    let dport = pkt.dstPort;
    if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
      // Key a request and its reply alike: (type, counterpart type), or (type, code) if one-way.
      const counterpart = icmpCounterpart(proto, sport);
      if (counterpart >= 0) dport = counterpart;
    }
    const swap =
      pkt.ipVersion === 4 ? lessThan(pkt.dst3, dport, pkt.src3, sport) : v6DstFirst(pkt, sport, dport);
    const a0 = swap ? pkt.dst0 : pkt.src0;
    const a1 = swap ? pkt.dst1 : pkt.src1;
    const a2 = swap ? pkt.dst2 : pkt.src2;
    const a3 = swap ? pkt.dst3 : pkt.src3;
    const b0 = swap ? pkt.src0 : pkt.dst0;
    const b1 = swap ? pkt.src1 : pkt.dst1;
    const b2 = swap ? pkt.src2 : pkt.dst2;
    const b3 = swap ? pkt.src3 : pkt.dst3;
    const ports = swap ? (dport << 16) | sport : (sport << 16) | dport;
    const protoVlan = (proto << 16) | (pkt.vlan + 1) | (pkt.ipVersion << 28);
    const hash = flowHash(a0, a1, a2, a3, b0, b1, b2, b3, ports, protoVlan);
    let e = this.#buckets[hash & this.#mask];
    while (e !== undefined) {
      if (
        e.ports === ports &&
        e.protoVlan === protoVlan &&
        e.a3 === a3 &&
        e.b3 === b3 &&
        e.a0 === a0 &&
        e.b0 === b0 &&
        e.a1 === a1 &&
        e.b1 === b1 &&
        e.a2 === a2 &&
        e.b2 === b2
      )
        break;
      e = e.chain;
    }
    const flags = proto === PROTO_TCP ? pkt.tcpFlags : 0;
    if (e !== undefined) {
      if (tsMs - e.last >= this.#idleMs) e = this.#remove(e, 'idle');
      else if (tsMs - e.start >= this.#activeMs) e = this.#remove(e, 'active');
      else if (e.closed) {
        if ((flags & (TCP_SYN | TCP_FIN)) === 0 && pkt.payloadBytes === 0) {
          this.stats.packetsAfterClose++;
          return;
        }
        e = this.#remove(e, 'fin');
      }
    }
    if (e === undefined) {
      e = this.#create(hash, a0, a1, a2, a3, b0, b1, b2, b3, ports, protoVlan);
      e.version = pkt.ipVersion;
      e.proto = proto;
      e.vlan = pkt.vlan;
      e.start = tsMs;
      e.firstPacket = packetIndex;
      // A capture that starts mid-handshake shows SYN+ACK first: its receiver opened the connection.
      const receiverStarted = (flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);
      e.initiatorIsA = swap === receiverStarted;
      e.srcPort = receiverStarted ? pkt.dstPort : pkt.srcPort;
      e.dstPort = receiverStarted ? pkt.srcPort : pkt.dstPort;
    } else {
      this.#order.touch(e);
    }
    e.last = tsMs;
    e.lastPacket = packetIndex;
    const forward = swap !== e.initiatorIsA;
    if (forward) {
      e.bytesFwd += pkt.ipBytes;
      e.pktsFwd++;
      e.flagsFwd |= flags;
    } else {
      e.bytesRev += pkt.ipBytes;
      e.pktsRev++;
      e.flagsRev |= flags;
    }
    if (flags & (TCP_RST | TCP_FIN)) this.#tcpClose(e, flags, forward);
  }

  /** Exports flows idle or active past their timeout at event time `nowMs`. */
  expire(nowMs: number): void {
    for (
      let e = this.#order.oldestSeen;
      e !== undefined && nowMs - e.last >= this.#idleMs;
      e = this.#order.oldestSeen
    ) {
      this.#remove(e, 'idle');
    }
    for (
      let e = this.#order.oldestStarted;
      e !== undefined && nowMs - e.start >= this.#activeMs;
      e = this.#order.oldestStarted
    ) {
      this.#remove(e, 'active');
    }
  }

  /** Exports every flow still held (endReason 'flush') and forgets the event clock. */
  flush(): void {
    this.flushSome(Number.POSITIVE_INFINITY);
  }

  /**
   * Exports up to `maxFlows` held flows, oldest first (endReason 'flush'); once none remain it
   * forgets the event clock and returns false. Flushing in steps lets a caller hand each step's
   * records on before the next, instead of holding a whole table's worth of records at once.
   */
  flushSome(maxFlows: number): boolean {
    let n = 0;
    for (let e = this.#order.oldestStarted; e !== undefined; e = this.#order.oldestStarted) {
      if (n++ >= maxFlows) return true;
      this.#remove(e, 'flush');
    }
    this.#nowMs = Number.NEGATIVE_INFINITY;
    this.#nextCheckMs = Number.NEGATIVE_INFINITY;
    return false;
  }

  #tcpClose(e: FlowEntry, flags: number, forward: boolean): void {
    if (flags & TCP_RST) {
      this.#export(e, 'rst');
    } else {
      if (forward) e.finFwd = true;
      else e.finRev = true;
      if (!(e.finFwd && e.finRev)) return;
      this.#export(e, 'fin');
    }
    e.closed = true;
  }

  #create(
    hash: number,
    a0: number,
    a1: number,
    a2: number,
    a3: number,
    b0: number,
    b1: number,
    b2: number,
    b3: number,
    ports: number,
    protoVlan: number,
  ): FlowEntry {
    if (this.#size >= this.#maxFlows) {
      const victim = this.#order.oldestSeen;
      if (victim !== undefined) {
        if (!victim.closed) this.stats.flowsEvicted++;
        this.#remove(victim, 'evicted');
      }
    }
    const e = this.#pool.pop() ?? new FlowEntry();
    e.a0 = a0;
    e.a1 = a1;
    e.a2 = a2;
    e.a3 = a3;
    e.b0 = b0;
    e.b1 = b1;
    e.b2 = b2;
    e.b3 = b3;
    e.ports = ports;
    e.protoVlan = protoVlan;
    e.hash = hash;
    const slot = hash & this.#mask;
    e.chain = this.#buckets[slot];
    this.#buckets[slot] = e;
    this.#order.append(e);
    if (++this.#size > this.#buckets.length) this.#grow();
    return e;
  }

  /** Doubles the hash table, relinking every held entry (creation order visits each once). */
  #grow(): void {
    const buckets = new Array<FlowEntry | undefined>(this.#buckets.length * 2).fill(undefined);
    const mask = buckets.length - 1;
    for (let e = this.#order.oldestStarted; e !== undefined; e = e.ageNext) {
      const slot = e.hash & mask;
      e.chain = buckets[slot];
      buckets[slot] = e;
    }
    this.#buckets = buckets;
    this.#mask = mask;
  }

  /** Unlinks `e`, exporting it unless it is a closed tombstone; returns undefined for chaining. */
  #remove(e: FlowEntry, reason: FlowEndReason): undefined {
    if (!e.closed) this.#export(e, reason);
    const slot = e.hash & this.#mask;
    const head = this.#buckets[slot];
    if (head === e) {
      this.#buckets[slot] = e.chain;
    } else {
      let prev = head;
      while (prev !== undefined && prev.chain !== e) prev = prev.chain;
      if (prev !== undefined) prev.chain = e.chain;
    }
    this.#order.unlink(e);
    this.#size--;
    resetEntry(e);
    if (this.#pool.length < MAX_POOLED_ENTRIES) this.#pool.push(e);
    return undefined;
  }

  #export(e: FlowEntry, reason: FlowEndReason): void {
    this.stats.flowsExported[reason]++;
    this.#onFlow(toFlowRecord(e, this.#format, this.#origin, reason, this.#addresses));
  }
}

/** (addrX, portX) < (addrY, portY) in a fixed total order (signed words; any consistent order works). */
function lessThan(addrX: number, portX: number, addrY: number, portY: number): boolean {
  return addrX < addrY || (addrX === addrY && portX < portY);
}

function v6DstFirst(p: DecodedPacket, sport: number, dport: number): boolean {
  if (p.dst0 !== p.src0) return p.dst0 < p.src0;
  if (p.dst1 !== p.src1) return p.dst1 < p.src1;
  if (p.dst2 !== p.src2) return p.dst2 < p.src2;
  return lessThan(p.dst3, dport, p.src3, sport);
}

function resetEntry(e: FlowEntry): void {
  e.chain = undefined;
  e.bytesFwd = e.pktsFwd = e.bytesRev = e.pktsRev = 0;
  e.flagsFwd = e.flagsRev = 0;
  e.finFwd = e.finRev = false;
  e.closed = false;
}
