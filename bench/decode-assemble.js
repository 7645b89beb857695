// Capture read, decode and flow-assembly throughput over a real capture. Plain ESM over the built
// output (`npm run build` first), so a bench runner can import it without a TypeScript loader:
//
//   import { benchDecodeAssemble } from './decode-assemble.js';
//   await benchDecodeAssemble('../shared/data/stopddos/pkt.TCP.synflood.spoofed.pcap', { minPackets: 2e6 });
//
// The file is read repeatedly (from the page cache after the first pass) until at least
// `minPackets` packets have gone through, so short captures still give a stable rate.
//
// `mode: 'pcap-parser'` is the baseline: the pcap-parser package (a streaming classic-pcap reader
// on npm) handing out every packet, against `mode: 'read'`, our reader handing out every packet
// with its header fields, on the same file. Neither decodes anything, so the ratio compares the
// readers alone. pcap-parser reads only microsecond classic pcap, so that mode needs such a file.
import { performance } from 'node:perf_hooks';
import pcapParser from 'pcap-parser';
import { openCapture } from '../dist/ingest/capture/open-capture.js';
import { PcapFileSource } from '../dist/ingest/capture/pcap-file-source.js';
import { decodePacket } from '../dist/ingest/packet/decode-packet.js';
import { DecodedPacket } from '../dist/ingest/packet/decoded-packet.js';

const DEFAULT_FLOWS = { idleTimeoutSeconds: 30, activeTimeoutSeconds: 300, maxFlows: 500_000 };
const MODES = ['pcap-parser', 'read', 'decode', 'decode+assemble'];

/**
 * @param {string} path capture file
 * @param {{ minPackets?: number, mode?: string, flows?: typeof DEFAULT_FLOWS }} [opts]
 *   `mode`: 'pcap-parser' (baseline reader), 'read' (our reader, no decode), 'decode' (read +
 *   decode), 'decode+assemble' (default: the whole PcapFileSource path: read, decode, assemble
 *   flows, export records, batch).
 * @returns {Promise<{ packets: number, flows: number, seconds: number, packetsPerSecond: number }>}
 */
export async function benchDecodeAssemble(path, opts = {}) {
  const minPackets = opts.minPackets ?? 1_000_000;
  const mode = opts.mode ?? 'decode+assemble';
  if (!MODES.includes(mode)) throw new TypeError(`mode: expected one of ${MODES.join(', ')}, got ${mode}`);
  const started = performance.now();
  let packets = 0;
  let flows = 0;
  while (packets < minPackets) {
    if (mode === 'pcap-parser') {
      packets += await pcapParserOnly(path);
    } else if (mode === 'read') {
      packets += await readOnly(path);
    } else if (mode === 'decode') {
      packets += await decodeOnly(path);
    } else {
      const source = new PcapFileSource([path], opts.flows ?? DEFAULT_FLOWS, { speed: 0, batchFlows: 4096 });
      for await (const batch of source.batches()) flows += batch.length;
      packets += source.stats.packets;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { packets, flows, seconds, packetsPerSecond: Math.round(packets / seconds) };
}

/** Every packet through pcap-parser's `packet` event; the byte sum keeps the work observable. */
function pcapParserOnly(path) {
  return new Promise((resolve, reject) => {
    const parser = pcapParser.parse(path);
    let packets = 0;
    let bytes = 0;
    parser.on('packet', (packet) => {
      packets++;
      bytes += packet.header.capturedLength + packet.data.length;
    });
    parser.on('error', reject);
    parser.on('end', () => resolve(bytes >= 0 ? packets : 0));
  });
}

/** Every packet through our reader, touching the same header fields pcap-parser hands out. */
async function readOnly(path) {
  const reader = await openCapture(path);
  let packets = 0;
  let sum = 0;
  try {
    while (await reader.fill()) {
      while (reader.next()) {
        packets++;
        sum += reader.capLen + reader.origLen + reader.tsMs;
      }
    }
  } finally {
    await reader.close();
  }
  return sum >= 0 ? packets : 0;
}

async function decodeOnly(path) {
  const reader = await openCapture(path);
  const pkt = new DecodedPacket();
  let packets = 0;
  let usable = 0;
  try {
    while (await reader.fill()) {
      while (reader.next()) {
        packets++;
        if (decodePacket(pkt, reader.data, reader.offset, reader.offset + reader.capLen, reader.linkType))
          usable++;
      }
    }
  } finally {
    await reader.close();
  }
  if (usable < 0) throw new Error('unreachable: keeps the decode result observable');
  return packets;
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const path = process.argv[2];
  const minPackets = Number(process.argv[3] ?? 2_000_000);
  const modes = process.argv[4] === undefined ? MODES : process.argv[4].split(',');
  const rates = {};
  for (const mode of modes) {
    const r = await benchDecodeAssemble(path, { minPackets, mode });
    rates[mode] = r.packetsPerSecond;
    console.log(JSON.stringify({ mode, path, ...r }));
  }
  if (rates['pcap-parser'] !== undefined && rates.read !== undefined) {
    const ratio = Math.round((rates.read / rates['pcap-parser']) * 10) / 10;
    console.log(JSON.stringify({ mode: 'read vs pcap-parser', path, ratio }));
  }
}
