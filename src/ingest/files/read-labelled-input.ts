import { access, readFile } from 'node:fs/promises';
import type { FlowsConfig } from '../../config/schema.js';
import { InputError } from '../../core/errors.js';
import type { FlowRecord } from '../../core/flow-record.js';
import { PcapFileSource } from '../capture/pcap-file-source.js';
import { readFlowFile, sniffInputKind } from './read-flow-file.js';

/** Flows of one input (capture or flow file) in the order the daemon would see them, with ground truth. */
export interface LabelledFlows {
  path: string;
  format: string;
  flows: FlowRecord[];
  /** 1 = malicious per flow; absent when neither the file nor a labels file gives any. */
  labels?: Uint8Array;
  /** Where the labels came from: `file` (IoT-23 columns) or the labels file's path. */
  labelSource?: string;
  /** Packets read (captures only). */
  packets?: number;
  /** Records or packets that could not be used. */
  skipped: number;
}

/** Options of {@link readLabelledInput}. */
export interface ReadLabelledInputOptions {
  /** One 0/1 per packet (captures) or per flow, in order. */
  labelsPath?: string;
  /** Use `<input>.labels.csv` when it exists and no labels path is given (as the sample generator writes). */
  siblingLabels?: boolean;
}

/**
 * Reads a capture (assembling flows as `tapwatch replay` does) or a flow file, plus its labels.
 * Per-packet labels become per-flow labels: a flow is malicious when its first or its last packet
 * is. Flows keep only their first and last packet index, so a benign flow with an attack packet
 * in its middle is missed; the generator and the mixes label whole conversations, where that
 * cannot happen.
 */
export async function readLabelledInput(
  path: string,
  flowsConfig: FlowsConfig,
  options: ReadLabelledInputOptions = {},
): Promise<LabelledFlows> {
  const labelsPath = options.labelsPath ?? (options.siblingLabels ? await sibling(path) : undefined);
  if ((await sniffInputKind(path)) === 'flow-file') {
    const file = await readFlowFile(path);
    const result: LabelledFlows = {
      path,
      format: file.format,
      flows: file.flows,
      skipped: file.errors.length,
    };
    if (labelsPath) {
      const column = perFlow(await readLabelColumn(labelsPath), file.flows, undefined, labelsPath);
      result.labels = inRecordOrder(column, file.flows);
      result.labelSource = labelsPath;
    } else if (file.labels) {
      result.labels = file.labels;
      result.labelSource = 'file';
    }
    return result;
  }
  const source = new PcapFileSource([path], flowsConfig, { speed: 0 });
  const flows: FlowRecord[] = [];
  for await (const batch of source.batches()) flows.push(...batch);
  const stats = source.stats;
  const skipped = Object.values(stats.decodeErrors).reduce((a, b) => a + b, 0);
  const result: LabelledFlows = { path, format: flows[0]?.source.format ?? 'pcap', flows, skipped };
  result.packets = stats.packets;
  if (labelsPath) {
    result.labels = perFlow(await readLabelColumn(labelsPath), flows, stats.packets, labelsPath);
    result.labelSource = labelsPath;
  }
  return result;
}

async function sibling(path: string): Promise<string | undefined> {
  const candidate = `${path}.labels.csv`;
  try {
    await access(candidate);
    return candidate;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** A column of 0/1 values, one per line; a non-numeric first line is a header. */
async function readLabelColumn(path: string): Promise<Uint8Array> {
  const lines = (await readFile(path, 'utf8')).split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length > 0 && !/^\s*[01]\s*$/.test(lines[0]!)) lines.shift();
  return Uint8Array.from(lines, (line, i) => {
    const v = line.trim();
    if (v !== '0' && v !== '1') {
      throw new InputError(
        'TAPWATCH_INPUT_MALFORMED',
        'wrong_type',
        `${path}:${i + 1}: expected 0 or 1, got "${v}"`,
      );
    }
    return v === '1' ? 1 : 0;
  });
}

/**
 * Labels of a flow file's records, given in the file's order, for its flows sorted by event time: each
 * flow gets the label of its record (`source.offset` is the record's line).
 */
function inRecordOrder(column: Uint8Array, flows: readonly FlowRecord[]): Uint8Array {
  const lines = flows.map((f) => Number(f.source.offset));
  const byLine = flows.map((_f, i) => i).sort((a, b) => lines[a]! - lines[b]!);
  const labels = new Uint8Array(flows.length);
  byLine.forEach((flow, record) => {
    labels[flow] = column[record]!;
  });
  return labels;
}

function perFlow(
  column: Uint8Array,
  flows: readonly FlowRecord[],
  packets: number | undefined,
  path: string,
): Uint8Array {
  if (packets !== undefined && column.length === packets && packets !== flows.length) {
    return Uint8Array.from(flows, (f) => {
      const first = f.source.firstPacket ?? 0;
      const last = f.source.lastPacket ?? first;
      return column[first - 1] === 1 || column[last - 1] === 1 ? 1 : 0;
    });
  }
  if (column.length === flows.length) return column;
  const expected =
    packets === undefined ? `${flows.length} (flows)` : `${packets} (packets) or ${flows.length} (flows)`;
  throw new InputError(
    'TAPWATCH_INPUT_MALFORMED',
    'label_count',
    `${path}: expected ${expected} labels, got ${column.length}`,
  );
}
