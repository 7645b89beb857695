import { ConfigError } from '../core/errors.js';
import { type IpAddress, maskedWord, parseIpAddress, wordMask } from './ip-address.js';

/**
 * One IPv4 or IPv6 network prefix. Host bits in the text are cleared rather than rejected
 * (`10.1.2.3/24` means `10.1.2.0/24`), the way routers read a mistyped network statement.
 */
export class Cidr {
  readonly text: string;
  readonly family: 4 | 6;
  readonly prefix: number;
  readonly #words: Uint32Array;
  /** IPv4 network and mask as plain numbers for {@link containsV4}; −1 for IPv6 never matches. */
  readonly #v4Network: number;
  readonly #v4Mask: number;

  private constructor(text: string, network: IpAddress, prefix: number) {
    this.text = text;
    this.family = network.family;
    this.prefix = prefix;
    this.#words = new Uint32Array(4);
    for (let i = 0; i < 4; i++) this.#words[i] = maskedWord(network, i, prefix);
    this.#v4Network = network.family === 4 ? this.#words[0] : -1;
    this.#v4Mask = wordMask(prefix);
  }

  /**
   * Parses `address/prefix`. The config schema only checks the character set, so a bad
   * network is still possible here; the error names the offending text.
   */
  static parse(text: string, where = 'segments'): Cidr {
    const slash = text.indexOf('/');
    const fail = (expected: string): never => {
      throw new ConfigError(`${where}: invalid CIDR "${text}": expected ${expected}`);
    };
    if (slash === -1) return fail('address/prefix-length, e.g. 10.0.0.0/8');
    const network = parseIpAddress(text.slice(0, slash));
    if (network === null) return fail('an IPv4 or IPv6 address before the "/"');
    const lengthText = text.slice(slash + 1);
    const prefix = /^\d{1,3}$/.test(lengthText) ? Number(lengthText) : Number.NaN;
    const max = network.family === 4 ? 32 : 128;
    if (!(prefix >= 0 && prefix <= max)) return fail(`a prefix length 0..${max}`);
    return new Cidr(text, network, prefix);
  }

  /** True when the IPv4 address `v4` (unsigned 32-bit number) lies inside this network. */
  containsV4(v4: number): boolean {
    return (v4 & this.#v4Mask) >>> 0 === this.#v4Network;
  }

  /** True when `ip` lies inside this network. */
  contains(ip: IpAddress): boolean {
    if (ip.family !== this.family) return false;
    const words = this.#words;
    const prefix = this.prefix;
    if (maskedWord(ip, 0, prefix) !== words[0]) return false;
    if (prefix <= 32) return true;
    return (
      maskedWord(ip, 1, prefix) === words[1] &&
      maskedWord(ip, 2, prefix) === words[2] &&
      maskedWord(ip, 3, prefix) === words[3]
    );
  }
}
