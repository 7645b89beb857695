/** Application payload a conversation carries; decides the first bytes of each payload. */
export const App = {
  Opaque: 0,
  Tls: 1,
  Dns: 2,
  Ntp: 3,
  Http: 4,
  Mqtt: 5,
  Ssh: 6,
  Postgres: 7,
  Coap: 8,
} as const;
export type App = (typeof App)[keyof typeof App];

/** One conversation (one 5-tuple) of a plan, as the traffic model describes it. */
export interface ConversationSpec {
  /** Initiator and responder IPv4 addresses (unsigned 32-bit). */
  src: number;
  dst: number;
  srcPort: number;
  dstPort: number;
  /** IANA protocol number. */
  proto: number;
  /** TTL of each direction as seen at the tap. */
  ttlFwd: number;
  ttlRev: number;
  app: App;
  /** 1 when the conversation belongs to an attack. */
  label: 0 | 1;
  /** Index of the attack in the ground truth, or -1. */
  attack: number;
  /** A SYN without options and with this window, as packet-crafting tools send it. */
  bareSynWindow?: number;
}

/**
 * The packets of a capture before rendering: conversations plus packets in struct-of-arrays
 * form (about 30 bytes a packet), filled in any order and sorted by time once at the end.
 *
 * Models emit whole conversations at a time, so packets of different flows arrive out of time
 * order; keeping compact columns instead of objects makes a million-packet plan cheap to sort.
 */
export class PacketPlan {
  conversations: ConversationSpec[] = [];
  timeUs = new Float64Array(1024);
  conv = new Uint32Array(1024);
  /** 0: initiator to responder; 1: the reverse. */
  dir = new Uint8Array(1024);
  /** TCP flags, or the ICMP type. */
  flags = new Uint8Array(1024);
  payloadLength = new Uint16Array(1024);
  /** TCP sequence / acknowledgment numbers; for ICMP echo, `seq` is the echo sequence. */
  seq = new Uint32Array(1024);
  ack = new Uint32Array(1024);
  #count = 0;

  /** Packets planned so far. */
  get count(): number {
    return this.#count;
  }

  /** Registers a conversation and returns its id. */
  addConversation(spec: ConversationSpec): number {
    this.conversations.push(spec);
    return this.conversations.length - 1;
  }

  /** Plans one packet at `timeUs` microseconds after the capture start. */
  push(
    timeUs: number,
    conv: number,
    dir: 0 | 1,
    flags: number,
    payloadLength: number,
    seq = 0,
    ack = 0,
  ): void {
    if (this.#count === this.timeUs.length) this.#grow();
    const i = this.#count++;
    this.timeUs[i] = Math.round(timeUs);
    this.conv[i] = conv;
    this.dir[i] = dir;
    this.flags[i] = flags;
    this.payloadLength[i] = payloadLength;
    this.seq[i] = seq >>> 0;
    this.ack[i] = ack >>> 0;
  }

  /** Packets planned before `timeUs` (the capture's end). */
  countBefore(timeUs: number): number {
    let n = 0;
    for (let i = 0; i < this.#count; i++) if (this.timeUs[i] < timeUs) n += 1;
    return n;
  }

  /** Packet indices in time order; ties keep planning order so the result is deterministic. */
  order(): Uint32Array {
    const n = this.#count;
    const t = this.timeUs;
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    idx.sort((a, b) => t[a] - t[b] || a - b);
    return idx;
  }

  /** Packets of each label (index 0: benign, 1: attack). */
  labelCounts(): [number, number] {
    const counts: [number, number] = [0, 0];
    for (let i = 0; i < this.#count; i++) counts[this.conversations[this.conv[i]].label] += 1;
    return counts;
  }

  #grow(): void {
    const size = this.timeUs.length * 2;
    this.timeUs = growTo(this.timeUs, new Float64Array(size));
    this.conv = growTo(this.conv, new Uint32Array(size));
    this.dir = growTo(this.dir, new Uint8Array(size));
    this.flags = growTo(this.flags, new Uint8Array(size));
    this.payloadLength = growTo(this.payloadLength, new Uint16Array(size));
    this.seq = growTo(this.seq, new Uint32Array(size));
    this.ack = growTo(this.ack, new Uint32Array(size));
  }
}

function growTo<T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
