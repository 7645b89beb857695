import { type IpAddress, maskedWord } from '../features/ip-address.js';

/**
 * Longest-prefix-style lookup table: for each prefix length in use, a hash map from the masked
 * network to the values stored under it. A lookup masks the address once per distinct length
 * (at most 33 for IPv4, 129 for IPv6, in practice a handful), so its cost does not grow with
 * the number of networks — thousands of allow-list rows cost the same as ten.
 */
export class PrefixTable<T> {
  // Lengths are kept sorted longest first so the most specific networks are visited first.
  readonly #v4 = new Map<number, Map<number, T[]>>();
  readonly #v6 = new Map<number, Map<string, T[]>>();
  #v4Lengths: number[] = [];
  #v6Lengths: number[] = [];
  #size = 0;

  /** Networks stored (a network added twice counts twice). */
  get size(): number {
    return this.#size;
  }

  /** Store `value` under the network `network/prefix`; host bits of `network` are ignored. */
  add(network: IpAddress, prefix: number, value: T): void {
    if (network.family === 4) {
      const byNetwork = this.#lengthMap(this.#v4, prefix, 4);
      append(byNetwork, maskedWord(network, 0, prefix), value);
    } else {
      const byNetwork = this.#lengthMap(this.#v6, prefix, 6);
      append(byNetwork, v6Key(network, prefix), value);
    }
    this.#size++;
  }

  /** Call `visit` with the values of every stored network containing `ip`, most specific first. */
  forEachMatch(ip: IpAddress, visit: (value: T) => void): void {
    if (ip.family === 4) {
      for (const prefix of this.#v4Lengths) {
        const values = this.#v4.get(prefix)?.get(maskedWord(ip, 0, prefix));
        if (values !== undefined) for (const value of values) visit(value);
      }
      return;
    }
    for (const prefix of this.#v6Lengths) {
      const values = this.#v6.get(prefix)?.get(v6Key(ip, prefix));
      if (values !== undefined) for (const value of values) visit(value);
    }
  }

  #lengthMap<K>(maps: Map<number, Map<K, T[]>>, prefix: number, family: 4 | 6): Map<K, T[]> {
    let byNetwork = maps.get(prefix);
    if (byNetwork === undefined) {
      byNetwork = new Map();
      maps.set(prefix, byNetwork);
      const lengths = [...maps.keys()].sort((a, b) => b - a);
      if (family === 4) this.#v4Lengths = lengths;
      else this.#v6Lengths = lengths;
    }
    return byNetwork;
  }
}

function append<K, T>(map: Map<K, T[]>, key: K, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** Masked IPv6 network as a map key; words past the prefix are 0 and cost nothing to compare. */
function v6Key(ip: IpAddress, prefix: number): string {
  return `${maskedWord(ip, 0, prefix)}.${maskedWord(ip, 1, prefix)}.${maskedWord(ip, 2, prefix)}.${maskedWord(ip, 3, prefix)}`;
}
