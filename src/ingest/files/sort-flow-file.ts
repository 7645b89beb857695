import type { FlowFile } from './flow-file.js';

/**
 * Sorts a flow file's records by start time, carrying their labels along. The sort is stable,
 * so records with equal start keep file order. IoT-23's CSVs are not in time order, and the
 * features stage needs event time to (nearly) only move forward.
 */
export function sortFlowFile(file: FlowFile): FlowFile {
  const { flows, labels, detailedLabels } = file;
  const order = flows.map((_, i) => i);
  order.sort((a, b) => flows[a]!.start - flows[b]!.start || a - b);
  if (order.every((k, i) => k === i)) return file;
  const sorted: FlowFile = { ...file, flows: order.map((k) => flows[k]!) };
  if (labels) sorted.labels = Uint8Array.from(order, (k) => labels[k]!);
  if (detailedLabels) sorted.detailedLabels = order.map((k) => detailedLabels[k]!);
  return sorted;
}
