import type { FlowRecord } from './flow-record.js';

/**
 * One unit of input handed to the pipeline. `ack()` is called once every alert derived from
 * these flows has been accepted by every sink; a Kafka source commits the batch's offsets
 * then (at-least-once), a capture source has nothing to do.
 */
export interface SourceBatch {
  flows: FlowRecord[];
  ack(): Promise<void>;
}

/** What the composition root needs from any source of flows (capture files, Kafka). */
export interface FlowSource {
  /** Short fixed name for logs and the `source` metric label: `capture`, `kafka`. */
  readonly name: string;
  /** True while connected and reading (feeds `/-/ready`). */
  readonly connected: boolean;
  /** Batches in arrival order; ends when the input ends or after `close()`. May throw an InputError. */
  batches(): AsyncIterable<SourceBatch>;
  /** Stop reading; batches already handed out may still be acknowledged. Idempotent. */
  close(): Promise<void>;
}
