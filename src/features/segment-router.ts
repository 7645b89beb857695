import type { SegmentsConfig } from '../config/schema.js';
import type { FlowRecord, RoutedFlow } from '../core/flow-record.js';
import { Cidr } from './cidr.js';
import { formatPrefix, type IpAddress, parseIpAddress, parseIpv4, wordMask } from './ip-address.js';

/** Segment that collects traffic once `maxSegments` is reached, or whose addresses do not parse. */
export const OVERFLOW_SEGMENT = 'other';

/** Address strings remembered at once; flows repeat addresses far more often than they bring new ones. */
const MAX_CACHED_ADDRESSES = 65_536;

/** What the router knows about one address string, computed once per string. */
interface AddressInfo {
  ip: IpAddress | null;
  internal: boolean;
  /** Named segment whose CIDRs contain the address, or null. */
  named: string | null;
  /** Automatic segment name (the address's /24 or /64), built on first use. */
  autoName: string | null;
}

/**
 * Assigns every flow its segment: named segments by VLAN, then exporter, then CIDR (the
 * internal side's address first, then the other side's); otherwise an automatic segment per
 * /24 (IPv4) or /64 (IPv6) of the internal side, or of the destination when neither side is
 * internal. Named plus automatic segments never exceed `maxSegments`; flows that would need a
 * new segment beyond the cap go to {@link OVERFLOW_SEGMENT} and are counted.
 */
export class SegmentRouter {
  readonly #vlans = new Map<number, string>();
  readonly #exporters = new Map<string, string>();
  readonly #namedCidrs: { cidr: Cidr; name: string }[] = [];
  readonly #internal: Cidr[];
  readonly #prefixV4: number;
  readonly #prefixV6: number;
  readonly #maxSegments: number;
  readonly #known = new Set<string>();
  readonly #namedV4: { cidr: Cidr; name: string }[];
  readonly #internalV4: Cidr[];
  readonly #autoMaskV4: number;
  /**
   * Routing result per automatic IPv4 network number: its segment, or `other` when the cap
   * folded it there. Stable because segments are never dropped. Bounded like the address cache.
   */
  readonly #autoV4 = new Map<number, string>();
  #cache = new Map<string, AddressInfo>();
  #previousCache = new Map<string, AddressInfo>();
  #namedCount = 0;
  #autoCount = 0;
  #overflowCount = 0;
  #unroutableCount = 0;

  /** @throws ConfigError naming the CIDR when one in `config` is not a valid network. */
  constructor(config: SegmentsConfig) {
    this.#internal = config.internalNetworks.map((c, i) => Cidr.parse(c, `segments.internalNetworks[${i}]`));
    config.definitions.forEach((def, i) => {
      for (const vlan of def.vlans) if (!this.#vlans.has(vlan)) this.#vlans.set(vlan, def.name);
      for (const exporter of def.exporters) {
        if (!this.#exporters.has(exporter)) this.#exporters.set(exporter, def.name);
      }
      def.cidrs.forEach((c, j) => {
        this.#namedCidrs.push({
          cidr: Cidr.parse(c, `segments.definitions[${i}].cidrs[${j}]`),
          name: def.name,
        });
      });
      this.#known.add(def.name);
    });
    this.#namedCount = this.#known.size;
    this.#namedV4 = this.#namedCidrs.filter((n) => n.cidr.family === 4);
    this.#internalV4 = this.#internal.filter((c) => c.family === 4);
    this.#autoMaskV4 = wordMask(config.autoPrefixV4);
    this.#prefixV4 = config.autoPrefixV4;
    this.#prefixV6 = config.autoPrefixV6;
    this.#maxSegments = config.maxSegments;
  }

  /** Sets `flow.segment` and returns the same object, now typed as routed. */
  route(flow: FlowRecord): RoutedFlow {
    flow.segment = this.#segmentOf(flow);
    return flow as RoutedFlow;
  }

  /** Segments seen or configured so far: named first, then automatic ones, then `other` once used. */
  get segments(): readonly string[] {
    return [...this.#known];
  }

  /** Flows folded into `other` because the segment cap was reached. */
  get overflowCount(): number {
    return this.#overflowCount;
  }

  /** True when `ip` lies in `segments.internalNetworks` (alerts use it for `network.direction`). */
  isInternal(ip: string): boolean {
    return this.#lookup(ip).internal;
  }

  /** Flows routed to `other` because neither address parsed. */
  get unroutableCount(): number {
    return this.#unroutableCount;
  }

  #segmentOf(flow: FlowRecord): string {
    if (flow.vlan !== undefined) {
      const byVlan = this.#vlans.get(flow.vlan);
      if (byVlan !== undefined) return byVlan;
    }
    if (flow.exporter !== undefined) {
      const byExporter = this.#exporters.get(flow.exporter);
      if (byExporter !== undefined) return byExporter;
    }
    // IPv4 on both sides, the common case: plain arithmetic on the parsed numbers, no cache.
    const src4 = parseIpv4(flow.srcIp);
    const dst4 = src4 < 0 ? -1 : parseIpv4(flow.dstIp);
    if (dst4 >= 0) return this.#segmentOfV4(src4, dst4);
    const src = this.#lookup(flow.srcIp);
    const dst = this.#lookup(flow.dstIp);
    // The initiator wins when both sides are internal; the destination when neither is.
    const srcFirst = src.internal || (!dst.internal && dst.ip === null);
    const primary = srcFirst ? src : dst;
    const secondary = srcFirst ? dst : src;
    const named = primary.named ?? secondary.named;
    if (named !== null) return named;
    const info = primary.ip !== null ? primary : secondary;
    if (info.ip === null) {
      this.#unroutableCount++;
      return this.#useOther();
    }
    info.autoName ??= formatPrefix(info.ip, info.ip.family === 4 ? this.#prefixV4 : this.#prefixV6);
    return this.#admit(info.autoName);
  }

  #segmentOfV4(src: number, dst: number): string {
    let srcFirst = false;
    for (const c of this.#internalV4) if (c.containsV4(src)) srcFirst = true;
    const primary = srcFirst ? src : dst;
    const secondary = srcFirst ? dst : src;
    for (const n of this.#namedV4) if (n.cidr.containsV4(primary)) return n.name;
    for (const n of this.#namedV4) if (n.cidr.containsV4(secondary)) return n.name;
    const network = (primary & this.#autoMaskV4) >>> 0;
    let segment = this.#autoV4.get(network);
    if (segment === undefined) {
      if (this.#autoV4.size >= MAX_CACHED_ADDRESSES) this.#autoV4.clear();
      segment = this.#admit(formatPrefix({ family: 4, w0: network, w1: 0, w2: 0, w3: 0 }, this.#prefixV4));
      this.#autoV4.set(network, segment);
    } else if (segment === OVERFLOW_SEGMENT) {
      this.#overflowCount++;
    }
    return segment;
  }

  #admit(name: string): string {
    if (this.#known.has(name)) return name;
    if (this.#namedCount + this.#autoCount < this.#maxSegments) {
      this.#known.add(name);
      this.#autoCount++;
      return name;
    }
    this.#overflowCount++;
    return this.#useOther();
  }

  #useOther(): string {
    this.#known.add(OVERFLOW_SEGMENT);
    return OVERFLOW_SEGMENT;
  }

  #lookup(text: string): AddressInfo {
    let info = this.#cache.get(text);
    if (info !== undefined) return info;
    info = this.#previousCache.get(text);
    if (info === undefined) info = this.#describe(text);
    if (this.#cache.size >= MAX_CACHED_ADDRESSES / 2) {
      // Two generations instead of per-entry LRU: when the young map fills it becomes the old
      // one and the previous old one is dropped. O(1), and deleting the oldest key of one Map
      // instead would make V8 step over every deleted entry on each `keys().next()`.
      this.#previousCache = this.#cache;
      this.#cache = new Map();
    }
    this.#cache.set(text, info);
    return info;
  }

  #describe(text: string): AddressInfo {
    const ip = parseIpAddress(text);
    const info: AddressInfo = { ip, internal: false, named: null, autoName: null };
    if (ip !== null) {
      info.internal = this.#internal.some((c) => c.contains(ip));
      info.named = this.#namedCidrs.find((n) => n.cidr.contains(ip))?.name ?? null;
    }
    return info;
  }
}
