import { flowEventMs } from '../../core/flow-record.js';
import type { FlowFile } from './flow-file.js';

/**
 * Sorts a flow file's records by event time (`flowEventMs`: the end, as collectors export flows and as the
 * features stage reads them), carrying their labels along. The sort is stable, so records with equal times keep
 * file order. IoT-23's CSVs are in no time order, and in start order a flow of several hours would move its
 * host's clock hours ahead: every later flow of that host would then count as out of order, added without decay.
 */
export function sortFlowFile(file: FlowFile): FlowFile {
  const { flows, labels, detailedLabels } = file;
  const times = flows.map(flowEventMs);
  const order = flows.map((_, i) => i);
  order.sort((a, b) => times[a]! - times[b]! || a - b);
  if (order.every((k, i) => k === i)) return file;
  const sorted: FlowFile = { ...file, flows: order.map((k) => flows[k]!) };
  if (labels) sorted.labels = Uint8Array.from(order, (k) => labels[k]!);
  if (detailedLabels) sorted.detailedLabels = order.map((k) => detailedLabels[k]!);
  return sorted;
}
