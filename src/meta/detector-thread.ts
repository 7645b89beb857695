import { Worker } from 'node:worker_threads';
import type { DetectorConfig } from '../config/schema.js';
import type { Detection, FeatureBatch } from '../core/detection.js';
import { ModelError } from '../core/errors.js';
import type { AutoencoderWeights } from './autoencoder.js';
import type { BackendChoice } from './backend.js';
import type { ForecasterOverride } from './forecast/forecaster-file.js';
import type { SegmentSnapshot } from './segment-detector.js';
import {
  type DetectorLog,
  type SegmentBatchScores,
  type SegmentDetectorStats,
  toDetections,
} from './segment-detectors.js';

/** What the detector thread is started with (structured-cloned into it). */
export interface DetectorThreadData {
  config: DetectorConfig;
  initialWeights?: AutoencoderWeights;
  forecaster?: ForecasterOverride;
}

/**
 * A batch as it crosses to the thread: the scoring fields of its flows as columns (cheaper to clone than
 * one object per flow) and the feature rows. The typed arrays move to the thread rather than being copied.
 */
export interface ThreadBatch {
  segmentNames: string[];
  /** Index into `segmentNames`, per flow. */
  segments: Uint16Array<ArrayBuffer>;
  srcIps: string[];
  dstIps: string[];
  starts: Float64Array<ArrayBuffer>;
  ends: Float64Array<ArrayBuffer>;
  values: Float32Array<ArrayBuffer>;
  featureNames: readonly string[];
  /** Reply only once every training job this batch started has finished (replay at full speed). */
  flush: boolean;
}

export type DetectorRequest = { id: number } & (
  | { op: 'ready' }
  | { op: 'score'; batch: ThreadBatch }
  | { op: 'stats' }
  | { op: 'snapshots' }
  | { op: 'restore'; snapshot: SegmentSnapshot }
  | { op: 'flush' }
  | { op: 'close' }
);

export interface ScoreReply {
  segments: SegmentBatchScores[];
  stats: [string, SegmentDetectorStats][];
}

export type DetectorMessage =
  | { kind: 'log'; message: string; fields?: Record<string, unknown> }
  | { kind: 'reply'; id: number; value?: unknown; error?: string };

/** Most segments a batch may hold: the thread batch indexes them with 16 bits. */
const MAX_SEGMENTS = 0xffff;

/**
 * The detector stage on its own thread. The per-segment detectors ({@link SegmentDetectors}) run in a
 * worker thread, so scoring and training use a second core while this thread reads input, extracts features
 * and delivers alerts. Requests are answered in the order they were made; a score's reply carries the
 * segments' figures, so {@link stats} is current after every batch without a round trip.
 */
export class DetectorThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  #nextId = 0;
  #stats = new Map<string, SegmentDetectorStats>();
  #failure: Error | undefined;
  #closing: Promise<void> | undefined;

  /** @param script the worker entry; the compiled `detector-worker.js` next to this module by default. */
  constructor(data: DetectorThreadData, log: DetectorLog, script?: URL) {
    this.#worker = new Worker(script ?? new URL('./detector-worker.js', import.meta.url), {
      workerData: data,
    });
    this.#worker.on('message', (message: DetectorMessage) => {
      if (message.kind === 'log') return log(message.message, message.fields);
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      if (message.error === undefined) pending.resolve(message.value);
      else pending.reject(new ModelError(message.error));
    });
    this.#worker.on('error', (err) => this.#fail(`detector thread failed: ${err.message}`));
    this.#worker.on('exit', (code) => this.#fail(`detector thread exited (code ${code})`));
  }

  /** Starts the thread's TensorFlow.js backend; the thread logs which one and why. */
  ready(): Promise<BackendChoice> {
    return this.#request({ op: 'ready' }) as Promise<BackendChoice>;
  }

  /**
   * One Detection per flow of `batch`, in input order. The feature rows move to the thread without a copy
   * (copying them cost more than extracting some of the features): `batch.values` is left empty unless it
   * was a view into a larger buffer, which is copied instead.
   */
  async score(batch: FeatureBatch, options: { flush?: boolean } = {}): Promise<Detection[]> {
    const request = toThreadBatch(batch, options.flush ?? false);
    const { segments, starts, ends, values } = request;
    const reply = (await this.#request({ op: 'score', batch: request }, [
      segments.buffer,
      starts.buffer,
      ends.buffer,
      values.buffer,
    ])) as ScoreReply;
    this.#stats = new Map(reply.stats);
    return toDetections(batch, reply.segments);
  }

  /** Every segment's figures as of the last scored batch. */
  stats(): Map<string, SegmentDetectorStats> {
    return this.#stats;
  }

  /** Fetches the segments' figures now (training may have changed them since the last batch). */
  async refreshStats(): Promise<Map<string, SegmentDetectorStats>> {
    this.#stats = new Map((await this.#request({ op: 'stats' })) as [string, SegmentDetectorStats][]);
    return this.#stats;
  }

  /** Every segment's state, for checkpointing. */
  snapshots(): Promise<SegmentSnapshot[]> {
    return this.#request({ op: 'snapshots' }) as Promise<SegmentSnapshot[]>;
  }

  /** Restores one segment; rejects with {@link ModelError} when it does not fit. */
  async restore(snapshot: SegmentSnapshot): Promise<void> {
    await this.#request({ op: 'restore', snapshot });
  }

  /** Resolves once every queued training job has finished. */
  async flush(): Promise<void> {
    await this.#request({ op: 'flush' });
  }

  /** Stops training, frees the thread's models and ends the thread; idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        if (!this.#failure) await this.#request({ op: 'close' });
      } finally {
        this.#fail('detector thread closed');
        this.#worker.removeAllListeners('exit');
        await this.#worker.terminate();
      }
    })();
    return this.#closing;
  }

  /** Sends `request`, moving the buffers of `transfer` to the thread; resolves with its reply. */
  #request(request: DistributiveOmit<DetectorRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, id }, transfer);
    });
  }

  #fail(reason: string): void {
    this.#failure ??= new ModelError(reason);
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

function toThreadBatch(batch: FeatureBatch, flush: boolean): ThreadBatch {
  const { flows } = batch;
  const n = flows.length;
  const segmentNames: string[] = [];
  const index = new Map<string, number>();
  const segments = new Uint16Array(n);
  const srcIps = new Array<string>(n);
  const dstIps = new Array<string>(n);
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const f = flows[i]!;
    let s = index.get(f.segment);
    if (s === undefined) {
      if (segmentNames.length === MAX_SEGMENTS)
        throw new ModelError(`feature batch: more than ${MAX_SEGMENTS} segments`);
      s = segmentNames.push(f.segment) - 1;
      index.set(f.segment, s);
    }
    segments[i] = s;
    srcIps[i] = f.srcIp;
    dstIps[i] = f.dstIp;
    starts[i] = f.start;
    ends[i] = f.end;
  }
  return {
    segmentNames,
    segments,
    srcIps,
    dstIps,
    starts,
    ends,
    values: ownBuffer(batch.values),
    featureNames: batch.featureNames,
    flush,
  };
}

/** `rows` itself when it spans its whole buffer (which can then move to the thread), else a copy that does. */
function ownBuffer(rows: Float32Array): Float32Array<ArrayBuffer> {
  const { buffer } = rows;
  const whole =
    buffer instanceof ArrayBuffer && rows.byteOffset === 0 && rows.byteLength === buffer.byteLength;
  return whole ? new Float32Array(buffer) : rows.slice();
}
