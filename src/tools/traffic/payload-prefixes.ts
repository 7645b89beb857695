import { App } from './packet-plan.js';

// Constant first bytes per application and direction (initiator, responder).
const FIXED: Record<number, [Uint8Array, Uint8Array]> = {
  [App.Ntp]: [Uint8Array.from([0x23, 0, 6, 0xec]), Uint8Array.from([0x24, 2, 6, 0xe9])],
  [App.Http]: [Buffer.from('GET /metrics HTTP/1.1\r\n'), Buffer.from('HTTP/1.1 200 OK\r\n')],
  [App.Mqtt]: [Uint8Array.from([0x30]), Uint8Array.from([0x40, 2])],
  [App.Ssh]: [Buffer.from('SSH-2.0-OpenSSH_9.2p1\r\n'), Buffer.from('SSH-2.0-OpenSSH_9.2p1\r\n')],
  [App.Postgres]: [Uint8Array.from([0x51]), Uint8Array.from([0x54])],
};
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/**
 * Writes the first bytes of each payload so that dissectors see the application the port
 * promises: whole DNS messages, CoAP headers, TLS record headers, fixed protocol openers.
 * The rest of a payload is the frame builder's opaque filler.
 */
export class PayloadPrefixer {
  readonly #dns = new Uint8Array(512);
  readonly #coap = new Uint8Array(5);
  readonly #tls = Uint8Array.from([0x17, 3, 3, 0, 0]);
  /** Query length per conversation, so an answer can repeat its question. */
  #queryLength = new Uint16Array(1024);

  /** Prefix of a payload of `length` bytes sent in direction `dir` of conversation `conv`. */
  prefixFor(app: number, dir: number, conv: number, length: number): Uint8Array | undefined {
    if (length === 0) return undefined;
    switch (app) {
      case App.Dns:
        return this.#dnsMessage(dir, conv, length);
      case App.Coap:
        return this.#coapHeader(dir, conv, length);
      case App.Tls: {
        const record = Math.min(Math.max(length - 5, 0), 16384);
        this.#tls[3] = record >>> 8;
        this.#tls[4] = record & 0xff;
        return this.#tls;
      }
      default:
        return FIXED[app]?.[dir];
    }
  }

  /**
   * A DNS query for an A record whose name fills the payload, or an answer repeating that
   * question followed by 16-byte A records (RFC 1035 section 4.1, name compression 0xc00c).
   */
  #dnsMessage(dir: number, conv: number, length: number): Uint8Array {
    const m = this.#dns;
    const query = dir === 0 ? length : this.#storedQueryLength(conv);
    const qname = Math.min(Math.max(query - 16, 8), 69);
    if (dir === 0) this.#rememberQuery(conv, length);
    const answers = dir === 0 ? 0 : Math.max(Math.floor((length - 16 - qname) / 16), 0);
    m.fill(0, 0, 12);
    m[0] = (conv >>> 8) & 0xff;
    m[1] = conv & 0xff;
    m[2] = dir === 0 ? 0x01 : 0x81;
    m[3] = dir === 0 ? 0x00 : 0x80;
    m[5] = 1;
    m[7] = answers;
    // Name: one label of qname - 6 letters, then "com", then the root.
    const label = qname - 6;
    m[12] = label;
    for (let i = 0; i < label; i++) m[13 + i] = LETTERS.charCodeAt((conv * 7 + i * 13) % 26);
    m.set([3, 0x63, 0x6f, 0x6d, 0], 13 + label);
    let at = 12 + qname;
    m.set([0, 1, 0, 1], at);
    at += 4;
    for (let a = 0; a < answers && at + 16 <= m.length; a++, at += 16) {
      m.set(
        [0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 93, 184, (conv + a) & 0xff, (conv >>> 8) & 0xff],
        at,
      );
    }
    return m.subarray(0, Math.min(at, length));
  }

  /** CoAP (RFC 7252): a confirmable POST with a payload marker, or the empty ACK "2.04 Changed". */
  #coapHeader(dir: number, conv: number, length: number): Uint8Array {
    const h = this.#coap;
    h[0] = dir === 0 ? 0x40 : 0x60;
    h[1] = dir === 0 ? 0x02 : 0x44;
    h[2] = (conv >>> 8) & 0xff;
    h[3] = conv & 0xff;
    h[4] = 0xff;
    return h.subarray(0, Math.min(length, 5));
  }

  #rememberQuery(conv: number, length: number): void {
    if (conv >= this.#queryLength.length) {
      const grown = new Uint16Array(Math.max(conv + 1, this.#queryLength.length * 2));
      grown.set(this.#queryLength);
      this.#queryLength = grown;
    }
    this.#queryLength[conv] = length;
  }

  #storedQueryLength(conv: number): number {
    return conv < this.#queryLength.length ? this.#queryLength[conv] : 0;
  }
}
