import { writeFileSync } from 'node:fs';
import { IPPROTO_ICMP, IPPROTO_TCP, TCP_SYN } from '../../core/flow-record.js';
import {
  FrameBuilder,
  type IcmpSpec,
  type IpSpec,
  type LinkSpec,
  type TcpSpec,
  type UdpSpec,
} from '../frames.js';
import { PcapWriter } from '../pcap-writer.js';
import type { PacketPlan } from './packet-plan.js';
import { PayloadPrefixer } from './payload-prefixes.js';

/** How a plan becomes a file. */
export interface RenderOptions {
  /** Capture file path; labels go to `<path>.labels.csv`. */
  path: string;
  /** Epoch milliseconds of the capture start (time 0 of the plan). */
  captureStartMs: number;
  /** Packets at or after this time (µs into the capture) are left out, as if the capture stopped. */
  durationUs: number;
  snapLength: number;
  /** Tag frames with the 802.1Q VLAN of their internal side (110 office, 120 servers, 130 IoT). */
  vlanTags: boolean;
}

/** What was written, for ground truth and summaries. */
export interface RenderResult {
  packets: number;
  fileBytes: number;
  /** Per attack index: packets, first and last timestamp (µs into the capture). */
  attacks: { packets: number; firstUs: number; lastUs: number }[];
  /** First packet time of each conversation (µs into the capture; NaN if none was written). */
  conversationStartUs: Float64Array;
}

// MSS 1460, NOP, window scale 7, NOP, NOP, SACK permitted: what a Linux or Windows SYN carries.
const SYN_OPTIONS = Uint8Array.from([2, 4, 0x05, 0xb4, 1, 3, 3, 7, 1, 1, 4, 2]);
const GATEWAY_MAC = Uint8Array.from([0x02, 0x00, 0x0a, 0xff, 0x00, 0x01]);

/**
 * Writes a plan's packets in time order as a pcap plus one label line per packet (0 benign,
 * 1 attack). All per-packet structures are reused, so the cost is the frame bytes themselves.
 */
export function renderCapture(plan: PacketPlan, attackCount: number, options: RenderOptions): RenderResult {
  const writer = new PcapWriter(options.path, { snapLength: options.snapLength });
  const builder = new FrameBuilder();
  const prefixer = new PayloadPrefixer();
  const order = plan.order();
  const convs = plan.conversations;
  const labels = new Uint8Array(order.length * 2);
  const ipIds = new Uint16Array(convs.length * 2);
  for (let c = 0; c < ipIds.length; c++) ipIds[c] = Math.imul(c + 1, 0x9e3779b1) >>> 16;
  const conversationStartUs = new Float64Array(convs.length).fill(Number.NaN);
  const attacks = Array.from({ length: attackCount }, () => ({ packets: 0, firstUs: Number.NaN, lastUs: 0 }));
  const srcMac = new Uint8Array(6);
  const dstMac = new Uint8Array(6);
  const link: LinkSpec = { srcMac, dstMac };
  const ip: IpSpec = { src: 0, dst: 0, ttl: 64, id: 0 };
  const tcp: TcpSpec = { srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, window: 0 };
  const udp: UdpSpec = { srcPort: 0, dstPort: 0 };
  const icmp: IcmpSpec = { type: 0, code: 0, identifier: 0, sequence: 0 };
  const startUs = options.captureStartMs * 1000;
  let written = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const timeUs = plan.timeUs[i];
    if (timeUs >= options.durationUs) break;
    const c = plan.conv[i];
    const conv = convs[c];
    const rev = plan.dir[i] === 1;
    ip.src = rev ? conv.dst : conv.src;
    ip.dst = rev ? conv.src : conv.dst;
    ip.ttl = rev ? conv.ttlRev : conv.ttlFwd;
    ip.id = ipIds[c * 2 + plan.dir[i]]++;
    macFor(ip.src, srcMac);
    macFor(ip.dst, dstMac);
    link.vlan = options.vlanTags ? vlanFor(ip.src, ip.dst) : undefined;
    const length = plan.payloadLength[i];
    const prefix = prefixer.prefixFor(conv.app, plan.dir[i], c, length);
    let frame: Uint8Array;
    if (conv.proto === IPPROTO_TCP) {
      const flags = plan.flags[i];
      const syn = (flags & TCP_SYN) !== 0;
      tcp.srcPort = rev ? conv.dstPort : conv.srcPort;
      tcp.dstPort = rev ? conv.srcPort : conv.dstPort;
      tcp.seq = plan.seq[i];
      tcp.ack = plan.ack[i];
      tcp.flags = flags;
      tcp.options = syn && conv.bareSynWindow === undefined ? SYN_OPTIONS : undefined;
      tcp.window = syn ? (conv.bareSynWindow ?? 64240) : 501 + ((c * 37 + plan.dir[i] * 1000) % 3000);
      frame = builder.tcp(link, ip, tcp, length, prefix);
    } else if (conv.proto === IPPROTO_ICMP) {
      icmp.type = plan.flags[i];
      icmp.identifier = c & 0xffff;
      icmp.sequence = plan.seq[i] & 0xffff;
      frame = builder.icmp(link, ip, icmp, length);
    } else {
      udp.srcPort = rev ? conv.dstPort : conv.srcPort;
      udp.dstPort = rev ? conv.srcPort : conv.dstPort;
      frame = builder.udp(link, ip, udp, length, prefix);
    }
    const absUs = startUs + timeUs;
    const seconds = Math.floor(absUs / 1e6);
    writer.writeRecord(seconds, absUs - seconds * 1e6, frame);
    labels[written * 2] = 0x30 + conv.label;
    labels[written * 2 + 1] = 0x0a;
    written += 1;
    if (Number.isNaN(conversationStartUs[c])) conversationStartUs[c] = timeUs;
    if (conv.attack >= 0) {
      const a = attacks[conv.attack];
      a.packets += 1;
      if (Number.isNaN(a.firstUs)) a.firstUs = timeUs;
      a.lastUs = timeUs;
    }
  }
  writer.close();
  writeFileSync(`${options.path}.labels.csv`, labels.subarray(0, written * 2));
  return { packets: written, fileBytes: writer.fileBytes, attacks, conversationStartUs };
}

/** A locally administered MAC for internal hosts (02:00 + address); outside hosts sit behind the gateway. */
function macFor(ip: number, out: Uint8Array): void {
  if (ip >>> 24 !== 10) {
    out.set(GATEWAY_MAC);
    return;
  }
  out[0] = 0x02;
  out[1] = 0x00;
  out[2] = ip >>> 24;
  out[3] = (ip >>> 16) & 0xff;
  out[4] = (ip >>> 8) & 0xff;
  out[5] = ip & 0xff;
}

function vlanFor(src: number, dst: number): number {
  const inside = src >>> 24 === 10 ? src : dst;
  return 100 + ((inside >>> 16) & 0xff);
}
