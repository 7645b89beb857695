// Decode and flow-assembly throughput over a real capture. Plain ESM over the built output
// (`npm run build` first), so a bench runner can import it without a TypeScript loader:
//
//   import { benchDecodeAssemble } from './decode-assemble.js';
//   await benchDecodeAssemble('../shared/data/stopddos/pkt.TCP.synflood.spoofed.pcap', { minPackets: 2e6 });
//
// The file is read repeatedly (from the page cache after the first pass) until at least
// `minPackets` packets have gone through, so short captures still give a stable rate.
import { performance } from 'node:perf_hooks';
import { openCapture } from '../dist/ingest/capture/open-capture.js';
import { PcapFileSource } from '../dist/ingest/capture/pcap-file-source.js';
import { decodePacket } from '../dist/ingest/packet/decode-packet.js';
import { DecodedPacket } from '../dist/ingest/packet/decoded-packet.js';

const DEFAULT_FLOWS = { idleTimeoutSeconds: 30, activeTimeoutSeconds: 300, maxFlows: 500_000 };

/**
 * @param {string} path capture file
 * @param {{ minPackets?: number, assemble?: boolean, flows?: typeof DEFAULT_FLOWS }} [opts]
 *   `assemble: false` measures reading + decoding only; true (default) the whole PcapFileSource
 *   path: read, decode, assemble flows, export records with Community IDs, batch.
 * @returns {Promise<{ packets: number, flows: number, seconds: number, packetsPerSecond: number }>}
 */
export async function benchDecodeAssemble(path, opts = {}) {
  const minPackets = opts.minPackets ?? 1_000_000;
  const started = performance.now();
  let packets = 0;
  let flows = 0;
  while (packets < minPackets) {
    if (opts.assemble === false) {
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
  for (const assemble of [false, true]) {
    const r = await benchDecodeAssemble(path, { minPackets, assemble });
    console.log(JSON.stringify({ mode: assemble ? 'decode+assemble' : 'decode', path, ...r }));
  }
}
