import { formatIpv4, formatIpv6 } from '../../core/ip-text.js';

/** Slots per family; a power of two so the slot is a mask of the hash. */
const SLOTS = 4096;
const MASK = SLOTS - 1;

/**
 * Remembers the text of recently exported addresses in a fixed-size direct-mapped table, so a
 * server or victim address seen in thousands of flows is formatted once, not once per flow.
 *
 * A new address simply overwrites its slot: memory stays bounded (a few hundred KiB) however many
 * distinct sources a spoofed flood brings, and a miss costs one formatting as it would anyway.
 */
export class AddressTextCache {
  readonly #v4Keys = new Int32Array(SLOTS);
  readonly #v4Text: string[] = new Array<string>(SLOTS).fill('');
  readonly #v6Keys = new Int32Array(SLOTS * 4);
  readonly #v6Text: string[] = new Array<string>(SLOTS).fill('');

  /** Dotted-quad text of an IPv4 address word. */
  ipv4(address: number): string {
    // Decoded words are signed; `| 0` makes an unsigned caller's word compare equal too.
    const word = address | 0;
    const slot = Math.imul(word, 0x9e3779b1) >>> 20;
    const text = this.#v4Text[slot];
    // Slot 0 key 0 with empty text is the unfilled state, hence the text check.
    if (this.#v4Keys[slot] === word && text !== '') return text;
    const fresh = formatIpv4(word);
    this.#v4Keys[slot] = word;
    this.#v4Text[slot] = fresh;
    return fresh;
  }

  /** RFC 5952 text of an IPv6 address given as four words. */
  ipv6(w0: number, w1: number, w2: number, w3: number): string {
    const slot = (Math.imul(w0 ^ w1 ^ w2 ^ Math.imul(w3, 0x85ebca6b), 0x9e3779b1) >>> 20) & MASK;
    const keys = this.#v6Keys;
    const at = slot * 4;
    const text = this.#v6Text[slot];
    if (keys[at] === w0 && keys[at + 1] === w1 && keys[at + 2] === w2 && keys[at + 3] === w3 && text !== '')
      return text;
    const fresh = formatIpv6(w0, w1, w2, w3);
    keys[at] = w0;
    keys[at + 1] = w1;
    keys[at + 2] = w2;
    keys[at + 3] = w3;
    this.#v6Text[slot] = fresh;
    return fresh;
  }
}
