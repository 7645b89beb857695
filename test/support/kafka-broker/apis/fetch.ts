/**
 * Fetch (key 1), v4–v11, with the long poll real consumers rely on: when fewer than `min_bytes` are
 * available the response waits up to `max_wait_ms` for a produce to arrive, so idle consumers do not spin.
 * Fetch sessions (KIP-227) are declined by answering `session_id` 0, which makes clients send full fetches.
 */
import type { BrokerState } from '../broker-state.js';
import { type KafkaReader, KafkaWriter } from '../codec.js';
import { ErrorCode, type ErrorCodeValue } from '../error-codes.js';
import { type ApiHandler, ApiKey, type RequestContext } from './api.js';

interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  topics: { name: string; partitions: { index: number; fetchOffset: number; maxBytes: number }[] }[];
}

interface PartitionData {
  index: number;
  errorCode: ErrorCodeValue;
  highWatermark: number;
  records: Buffer;
}

function readRequest(r: KafkaReader, v: number): FetchRequest {
  r.int32(); // replica_id: always -1 from consumers
  const maxWaitMs = r.int32();
  const minBytes = r.int32();
  const maxBytes = r.int32();
  r.int8(); // isolation_level: no transactions, so both levels read the same
  if (v >= 7) {
    r.int32(); // session_id
    r.int32(); // session_epoch
  }
  const topics =
    r.array((t) => ({
      name: t.requiredString(),
      partitions:
        t.array((p) => {
          const index = p.int32();
          if (v >= 9) p.int32(); // current_leader_epoch
          const fetchOffset = p.int64();
          if (v >= 5) p.int64(); // log_start_offset: only meaningful from followers
          return { index, fetchOffset, maxBytes: p.int32() };
        }) ?? [],
    })) ?? [];
  // forgotten_topics_data (v7+) and rack_id (v11+) only matter to fetch sessions and follower fetching.
  return { maxWaitMs, minBytes, maxBytes, topics };
}

/** Reads every requested partition once; returns the data and how many record bytes it holds. */
function collect(
  state: BrokerState,
  req: FetchRequest,
): { topics: [string, PartitionData[]][]; bytes: number } {
  let bytes = 0;
  const topics = req.topics.map(({ name, partitions }): [string, PartitionData[]] => [
    name,
    partitions.map((p) => {
      const log = state.partition(name, p.index);
      if (log === undefined) {
        return {
          index: p.index,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          highWatermark: -1,
          records: Buffer.alloc(0),
        };
      }
      const hw = log.highWatermark;
      if (p.fetchOffset < log.logStartOffset || p.fetchOffset > hw) {
        return {
          index: p.index,
          errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
          highWatermark: hw,
          records: Buffer.alloc(0),
        };
      }
      // KIP-74: the first non-empty partition may exceed the limits by one batch so that a consumer facing a
      // batch larger than its max bytes still makes progress.
      const budget = Math.min(p.maxBytes, Math.max(req.maxBytes - bytes, 0));
      const records = Buffer.concat(log.read(p.fetchOffset, budget, bytes === 0));
      bytes += records.length;
      return { index: p.index, errorCode: ErrorCode.NONE, highWatermark: hw, records };
    }),
  ]);
  return { topics, bytes };
}

/** Resolves after the next append anywhere, after `ms`, or on abort — whichever comes first. */
function waitForAppend(state: BrokerState, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const unsubscribe = state.onAppend(done);
    signal.addEventListener('abort', done);
  });
}

function writeResponse(ctx: RequestContext, topics: [string, PartitionData[]][]): KafkaWriter {
  const v = ctx.apiVersion;
  const w = new KafkaWriter().int32(0); // throttle_time_ms
  if (v >= 7) w.int16(ErrorCode.NONE).int32(0); // error_code, session_id 0 = no session
  w.array(topics, (out, [name, partitions]) => {
    out.string(name).array(partitions, (o, p) => {
      o.int32(p.index).int16(p.errorCode).int64(p.highWatermark);
      o.int64(p.highWatermark); // last_stable_offset: no open transactions
      if (v >= 5) o.int64(0); // log_start_offset
      o.int32(0); // aborted_transactions: an empty array, nothing is ever aborted
      if (v >= 11) o.int32(-1); // preferred_read_replica: read from the leader
      o.bytes(p.records);
    });
  });
  return w;
}

/** Fetch v4–v11. */
export const fetch: ApiHandler = {
  apiKey: ApiKey.Fetch,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 11,
  async handle(r, ctx) {
    const req = readRequest(r, ctx.apiVersion);
    const deadline = Date.now() + req.maxWaitMs;
    let result = collect(ctx.state, req);
    while (result.bytes < req.minBytes && !ctx.signal.aborted) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await waitForAppend(ctx.state, left, ctx.signal);
      result = collect(ctx.state, req);
    }
    return writeResponse(ctx, result.topics);
  },
};
