import type { FlowRecord } from '../../core/flow-record.js';
import type { KafkaSourceBatch } from './kafka-source-options.js';

/**
 * Several queued partition batches as one pipeline batch. Each part keeps its own tracked
 * offsets, so commits stay in delivery order per partition: acknowledging the merged batch
 * acknowledges the parts in the order they were delivered, and failing it fails every part.
 */
export function mergeBatches(parts: readonly KafkaSourceBatch[]): KafkaSourceBatch {
  if (parts.length === 1) return parts[0]!;
  const flows: FlowRecord[] = [];
  for (const part of parts) for (const flow of part.flows) flows.push(flow);
  return {
    flows,
    ack: async () => {
      for (const part of parts) await part.ack();
    },
    fail: () => {
      for (const part of parts) part.fail();
    },
  };
}
