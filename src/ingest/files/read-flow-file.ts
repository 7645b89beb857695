import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { InputError } from '../../core/errors.js';
import type { FlowFile } from './flow-file.js';
import { readIot23Csv } from './read-iot23-csv.js';
import { readJsonLinesFile } from './read-json-lines.js';

/** What an input path holds: a packet capture (pcap / pcapng) or a flow file. */
export type InputKind = 'capture' | 'flow-file';

const CAPTURE_MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a]);

/**
 * Tells captures from flow files by their first bytes, not their extension (pcap files are
 * often named `.pcapng` and the other way round).
 */
export async function sniffInputKind(path: string): Promise<InputKind> {
  const head = await readHead(path, 4);
  return head.length === 4 && CAPTURE_MAGICS.has(head.readUInt32BE(0)) ? 'capture' : 'flow-file';
}

/**
 * Reads a flow file of any supported layout: a CSV with a conn.log header (IoT-23), or JSON
 * lines holding Zeek conn records (`ts`, `id.orig_h`) or tapwatch FlowRecords (`srcIp`).
 */
export async function readFlowFile(path: string): Promise<FlowFile> {
  const head = (await readHead(path, 4096)).toString('utf8');
  const first = head.split('\n').find((l) => l.trim() !== '') ?? '';
  if (extname(path).toLowerCase() === '.csv' || first.startsWith('ts,')) return readIot23Csv(path);
  if (first.trimStart().startsWith('{')) {
    return readJsonLinesFile(path, /"srcIp"\s*:/.test(first) ? 'tapwatch' : 'zeek');
  }
  throw new InputError(
    'TAPWATCH_INPUT_MALFORMED',
    'unknown_format',
    `${path}: expected a pcap/pcapng capture, an IoT-23 CSV or JSON-lines flows, got "${first.slice(0, 40)}"`,
  );
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } catch (err) {
    throw new InputError('TAPWATCH_INPUT_UNREADABLE', 'unreadable', `${path}: cannot read: ${String(err)}`, {
      cause: err,
    });
  } finally {
    await handle?.close();
  }
}
