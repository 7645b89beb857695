import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../core/flow-record.js';
import type { ConversationSpec, PacketPlan } from './packet-plan.js';
import type { Prng } from './prng.js';

/** Largest TCP payload of one segment on a 1500-byte MTU path. */
export const MSS_BYTES = 1460;

/** One request/response round of a TCP session. */
export interface Exchange {
  /** Bytes the initiator sends (0: none, e.g. a server-speaks-first protocol). */
  request: number;
  /** Bytes the responder sends back. */
  response: number;
  /** Responder's processing time before the first response byte, microseconds. */
  serverUs: number;
  /** Initiator's pause after the response before the next round, microseconds. */
  thinkUs: number;
}

/** How a TCP session is shaped on the wire. */
export interface TcpSessionOptions {
  /** Round-trip time as seen from the tap, microseconds. */
  rttUs: number;
  /** Bulk rate of large responses or uploads, bits per second. */
  rateBps: number;
  exchanges: readonly Exchange[];
  /** Who ends the session and how. */
  close: 'client-fin' | 'server-fin' | 'client-rst' | 'open';
}

/** How a probed port answers a SYN. */
export type ProbeAnswer = 'rst' | 'synack' | 'synack-only' | 'none';

/**
 * Turns conversation-level descriptions (a TCP session, a UDP exchange, a ping) into the
 * packets a tap would see, with consistent sequence and acknowledgment numbers.
 *
 * Each call emits one conversation in time order, so the acknowledgment number of every packet
 * is simply what the other side has sent so far.
 */
export class ConversationEmitter {
  readonly #plan: PacketPlan;
  readonly #rng: Prng;
  #conv = 0;
  #t = 0;
  #next: [number, number] = [0, 0];
  /** Time of each side's latest delayed ACK: that side sends nothing earlier, or its numbers would go back. */
  #ackAt: [number, number] = [0, 0];

  constructor(plan: PacketPlan, rng: Prng) {
    this.#plan = plan;
    this.#rng = rng;
  }

  /** A full TCP session: handshake, request/response rounds, teardown. Returns its end time. */
  tcpSession(spec: ConversationSpec, startUs: number, options: TcpSessionOptions): number {
    this.#open(spec, startUs);
    const half = options.rttUs / 2;
    this.#emit(0, TCP_SYN, 0, 0);
    this.#emit(1, TCP_SYN | TCP_ACK, 0, options.rttUs);
    this.#emit(0, TCP_ACK, 0, this.#jitter(30));
    const gapUs = (MSS_BYTES * 8 * 1e6) / options.rateBps;
    for (const round of options.exchanges) {
      if (round.request > 0) this.#send(0, round.request, gapUs, half);
      if (round.response > 0) {
        this.#t += round.serverUs + (round.request > 0 ? options.rttUs : 0);
        this.#send(1, round.response, gapUs, half);
      }
      this.#t += round.thinkUs;
    }
    this.#close(options.close, options.rttUs);
    return this.#t;
  }

  /**
   * A lone SYN and whatever answers it: a RST from a closed port, a SYN/ACK from an open one
   * (which the prober resets, or which goes unanswered when the source was spoofed), or
   * nothing from an absent host.
   */
  tcpProbe(spec: ConversationSpec, startUs: number, answer: ProbeAnswer, rttUs: number): void {
    this.#open(spec, startUs);
    this.#emit(0, TCP_SYN, 0, 0);
    if (answer === 'rst') {
      this.#emit(1, TCP_RST | TCP_ACK, 0, rttUs);
    } else if (answer !== 'none') {
      this.#emit(1, TCP_SYN | TCP_ACK, 0, rttUs);
      if (answer === 'synack') this.#emit(0, TCP_RST, 0, this.#jitter(40));
    }
  }

  /** A datagram and, when `responseBytes` > 0, its answer `delayUs` later. Returns the end time. */
  udpExchange(
    spec: ConversationSpec,
    startUs: number,
    requestBytes: number,
    responseBytes: number,
    delayUs: number,
  ) {
    this.#open(spec, startUs);
    this.#emit(0, 0, requestBytes, 0);
    if (responseBytes > 0) this.#emit(1, 0, responseBytes, delayUs);
    return this.#t;
  }

  /** `count` ICMP echo requests `intervalUs` apart, each answered after `rttUs`. */
  icmpEcho(spec: ConversationSpec, startUs: number, count: number, intervalUs: number, rttUs: number): void {
    this.#open(spec, startUs);
    for (let i = 0; i < count; i++) {
      this.#t = startUs + i * intervalUs;
      this.#plan.push(this.#t, this.#conv, 0, 8, 56, i + 1);
      this.#plan.push(this.#t + rttUs, this.#conv, 1, 0, 56, i + 1);
    }
  }

  #open(spec: ConversationSpec, startUs: number): void {
    this.#conv = this.#plan.addConversation(spec);
    this.#t = startUs;
    this.#next = [this.#rng.nextUint32(), this.#rng.nextUint32()];
    this.#ackAt = [0, 0];
  }

  /** Sends `bytes` from `dir` as MSS-sized segments; the receiver ACKs every second one. */
  #send(dir: 0 | 1, bytes: number, gapUs: number, halfRttUs: number): void {
    const segments = Math.ceil(bytes / MSS_BYTES);
    let left = bytes;
    for (let i = 0; i < segments; i++) {
      const size = Math.min(left, MSS_BYTES);
      left -= size;
      const last = i === segments - 1;
      this.#emit(dir, TCP_ACK | (last ? TCP_PSH : 0), size, i === 0 ? 0 : this.#jitter(gapUs));
      // Delayed ACKs (RFC 1122): one per two full segments, and one for the final segment.
      if (last || i % 2 === 1) {
        const ackDelay = last ? halfRttUs * 0.1 + this.#jitter(200) : this.#jitter(60);
        this.#ackAfter(dir === 0 ? 1 : 0, ackDelay);
      }
    }
  }

  #ackAfter(dir: 0 | 1, delayUs: number): void {
    const at = this.#t + delayUs;
    this.#ackAt[dir] = at;
    const plan = this.#plan;
    plan.push(at, this.#conv, dir, TCP_ACK, 0, this.#next[dir], this.#next[dir === 0 ? 1 : 0]);
  }

  #close(how: TcpSessionOptions['close'], rttUs: number): void {
    if (how === 'open') return;
    if (how === 'client-rst') {
      this.#emit(0, TCP_RST | TCP_ACK, 0, this.#jitter(500));
      return;
    }
    const first = how === 'client-fin' ? 0 : 1;
    const second = first === 0 ? 1 : 0;
    this.#emit(first, TCP_FIN | TCP_ACK, 0, this.#jitter(2000));
    this.#emit(second, TCP_FIN | TCP_ACK, 0, rttUs * (first === 0 ? 1 : 0.05) + this.#jitter(300));
    this.#emit(first, TCP_ACK, 0, rttUs * (first === 0 ? 0.05 : 1) + this.#jitter(50));
  }

  #emit(dir: 0 | 1, flags: number, length: number, afterUs: number): void {
    this.#t = Math.max(this.#t + afterUs, this.#ackAt[dir] + 1);
    const other = dir === 0 ? 1 : 0;
    const ack = flags & TCP_ACK ? this.#next[other] : 0;
    this.#plan.push(this.#t, this.#conv, dir, flags, length, this.#next[dir], ack);
    this.#next[dir] = (this.#next[dir] + length + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0)) >>> 0;
  }

  /** A positive delay around `meanUs`, so no two sessions share exact timings. */
  #jitter(meanUs: number): number {
    return meanUs * (0.5 + this.#rng.next());
  }
}
