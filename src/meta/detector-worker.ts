// The detector thread's entry (see DetectorThread): one SegmentDetectors, requests answered in order.
import { parentPort, workerData } from 'node:worker_threads';
import type {
  DetectorMessage,
  DetectorRequest,
  DetectorThreadData,
  ScoreReply,
  ThreadBatch,
} from './detector-thread.js';
import type { ScoringFlow } from './segment-detector.js';
import { SegmentDetectors } from './segment-detectors.js';

const port = parentPort;
if (!port) throw new Error('detector-worker.js runs as a worker thread (DetectorThread), not on its own');
const data = workerData as DetectorThreadData;
const post = (message: DetectorMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const detectors = new SegmentDetectors(
  data.config,
  (message, fields) => post({ kind: 'log', message, fields }),
  {
    ...(data.initialWeights ? { initialWeights: data.initialWeights } : {}),
    ...(data.forecaster ? { forecaster: data.forecaster } : {}),
  },
);

let queue: Promise<void> = Promise.resolve();
port.on('message', (request: DetectorRequest) => {
  queue = queue.then(() => answer(request));
});

async function answer(request: DetectorRequest): Promise<void> {
  try {
    const value = await perform(request);
    post(
      { kind: 'reply', id: request.id, value },
      request.op === 'score' ? scoreBuffers(value as ScoreReply) : [],
    );
  } catch (err) {
    post({ kind: 'reply', id: request.id, error: err instanceof Error ? err.message : String(err) });
  }
}

async function perform(request: DetectorRequest): Promise<unknown> {
  switch (request.op) {
    case 'ready':
      return detectors.ready();
    case 'score':
      return score(request.batch);
    case 'stats':
      return [...detectors.stats()];
    case 'snapshots':
      return detectors.snapshots();
    case 'restore':
      return detectors.restore(request.snapshot);
    case 'flush':
      return detectors.flush();
    case 'close':
      return detectors.close();
  }
}

/**
 * The buffers of a score reply's per-row arrays, which move to the caller rather than being copied: each
 * batch's are made for it and not kept here. A buffer two arrays share is listed once.
 */
function scoreBuffers(reply: ScoreReply): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const add = (array: Float64Array | Int32Array | undefined) => {
    if (array && array.buffer instanceof ArrayBuffer) buffers.add(array.buffer);
  };
  for (const { rows, scores } of reply.segments) {
    add(rows);
    add(scores.pValues);
    add(scores.scores);
    for (const member of scores.detectors) add(member.pValues);
  }
  return [...buffers];
}

async function score(batch: ThreadBatch): Promise<ScoreReply> {
  const { segmentNames, segments, srcIps, dstIps, starts, ends } = batch;
  const flows = new Array<ScoringFlow>(segments.length);
  for (let i = 0; i < flows.length; i++) {
    flows[i] = {
      segment: segmentNames[segments[i]!]!,
      srcIp: srcIps[i]!,
      dstIp: dstIps[i]!,
      start: starts[i]!,
      end: ends[i]!,
    };
  }
  const scored = await detectors.scoreSegments({
    flows,
    values: batch.values,
    featureNames: batch.featureNames,
  });
  if (batch.flush) await detectors.flush();
  return { segments: scored, stats: [...detectors.stats()] };
}
