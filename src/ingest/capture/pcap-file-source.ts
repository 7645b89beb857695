import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FlowsConfig } from '../../config/schema.js';
import { InputError } from '../../core/errors.js';
import type { FlowEndReason, FlowRecord } from '../../core/flow-record.js';
import { FlowAssembler } from '../flow/flow-assembler.js';
import { decodePacket } from '../packet/decode-packet.js';
import { DecodedPacket, type DecodeReason, emptyDecodeCounts } from '../packet/decoded-packet.js';
import type { CaptureReader } from './capture-reader.js';
import { openCapture } from './open-capture.js';

/** Options of {@link PcapFileSource}. */
export interface PcapFileSourceOptions {
  /** 0 = as fast as possible; x = x times the capture's own pace (by packet timestamps). */
  speed: number;
  /** Flows per yielded batch (default 1024). */
  batchFlows?: number;
  /** Read size per `read()` call in bytes (default 4 MiB). */
  chunkBytes?: number;
}

/** Counters of a {@link PcapFileSource}; a fresh snapshot on every read of `stats`. */
export interface PcapFileSourceStats {
  /** Packets read, over all files (including those that formed no flow). */
  packets: number;
  /** Frame bytes on the wire (original lengths) over all packets read. */
  bytes: number;
  /** Packets read per file path. */
  filePackets: Record<string, number>;
  /** Packets that formed no flow, by reason (`fragment` = non-first IP fragments). */
  decodeErrors: Record<DecodeReason, number>;
  /** Non-first fragments skipped (same as `decodeErrors.fragment`). */
  fragments: number;
  /** First fragments (more-fragments set, offset 0) that still joined a flow. */
  firstFragments: number;
  flowsExported: Record<FlowEndReason, number>;
  /** Flows exported early because the table held `maxFlows`. */
  flowsEvicted: number;
  /** Trailing pure ACK / RST packets after a TCP flow closed, not made into flows. */
  packetsAfterClose: number;
  /** Flows held right now. */
  activeFlows: number;
}

/**
 * Reads capture files in order, decodes packets and yields the assembled flows in batches.
 *
 * Each file's flows are flushed (endReason 'flush') at its end, so `source.origin` and packet
 * indexes always refer to one file. A damaged file yields everything decoded before the damage,
 * flushed, then `batches()` throws the `InputError`; later files are not read. `close()` stops
 * reading at the next packet; `batches()` then yields the flushed flows and ends.
 */
export class PcapFileSource {
  readonly #files: readonly string[];
  readonly #speed: number;
  readonly #batchFlows: number;
  readonly #chunkBytes: number | undefined;
  readonly #assembler: FlowAssembler;
  readonly #packet = new DecodedPacket();
  readonly #abort = new AbortController();
  readonly #decodeErrors = emptyDecodeCounts();
  readonly #filePackets: Record<string, number> = {};
  #pending: FlowRecord[] = [];
  #packets = 0;
  #bytes = 0;
  #firstFragments = 0;
  #reader: CaptureReader | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(files: string[], flows: FlowsConfig, options: PcapFileSourceOptions) {
    this.#files = [...files];
    this.#speed = options.speed;
    this.#batchFlows = Math.max(1, options.batchFlows ?? 1024);
    this.#chunkBytes = options.chunkBytes;
    this.#assembler = new FlowAssembler(flows, (flow) => this.#pending.push(flow));
  }

  get stats(): PcapFileSourceStats {
    const a = this.#assembler.stats;
    return {
      packets: this.#packets,
      bytes: this.#bytes,
      filePackets: { ...this.#filePackets },
      decodeErrors: { ...this.#decodeErrors },
      fragments: this.#decodeErrors.fragment,
      firstFragments: this.#firstFragments,
      flowsExported: { ...a.flowsExported },
      flowsEvicted: a.flowsEvicted,
      packetsAfterClose: a.packetsAfterClose,
      activeFlows: this.#assembler.size,
    };
  }

  /** Exported flows, in batches of at most `batchFlows`; also yields at each file's end. */
  async *batches(): AsyncGenerator<FlowRecord[]> {
    try {
      for (const path of this.#files) {
        if (this.#closed) break;
        yield* this.#readFile(path);
      }
    } finally {
      await this.#reader?.close();
    }
  }

  /** Stops reading; idempotent, every call returns the same promise. */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      this.#closed = true;
      this.#abort.abort();
      this.#closing = this.#reader?.close() ?? Promise.resolve();
    }
    return this.#closing;
  }

  async *#readFile(path: string): AsyncGenerator<FlowRecord[]> {
    const reader = await openCapture(path, { chunkBytes: this.#chunkBytes });
    this.#reader = reader;
    this.#assembler.setOrigin(reader.format, path);
    const pkt = this.#packet;
    const assembler = this.#assembler;
    const paced = this.#speed > 0;
    let baseTsMs = Number.NaN;
    let baseClockMs = 0;
    let failure: InputError | undefined;
    let packets = 0;
    try {
      while (!this.#closed && (await reader.fill())) {
        while (!this.#closed && reader.next()) {
          if (paced) {
            // Pace against the file's first packet: a new file starts a new baseline.
            if (Number.isNaN(baseTsMs)) {
              baseTsMs = reader.tsMs;
              baseClockMs = performance.now();
            }
            const waitMs = baseClockMs + (reader.tsMs - baseTsMs) / this.#speed - performance.now();
            if (waitMs >= 1) {
              yield* this.#takeBatches();
              await this.#sleep(waitMs);
              if (this.#closed) break;
            }
          }
          packets++;
          this.#packets++;
          this.#bytes += reader.origLen;
          const offset = reader.offset;
          if (decodePacket(pkt, reader.data, offset, offset + reader.capLen, reader.linkType)) {
            if (pkt.firstFragment) this.#firstFragments++;
            assembler.add(pkt, reader.tsMs, reader.packetIndex);
          } else {
            this.#decodeErrors[pkt.reason as DecodeReason]++;
          }
          if (this.#pending.length >= this.#batchFlows) yield* this.#takeBatches();
        }
      }
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      failure = err;
    } finally {
      this.#filePackets[path] = (this.#filePackets[path] ?? 0) + packets;
      await reader.close();
    }
    // Batch by batch, so a file ending with a large table never holds all its records at once.
    while (assembler.flushSome(this.#batchFlows)) yield* this.#takeBatches();
    yield* this.#takeBatches();
    if (failure !== undefined) throw failure;
  }

  *#takeBatches(): Generator<FlowRecord[]> {
    const all = this.#pending;
    if (all.length === 0) return;
    this.#pending = [];
    if (all.length <= this.#batchFlows) {
      yield all;
      return;
    }
    for (let i = 0; i < all.length; i += this.#batchFlows) yield all.slice(i, i + this.#batchFlows);
  }

  async #sleep(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.#abort.signal });
    } catch (err) {
      // An abort is close() asking the loop to stop; anything else is a real failure.
      if (!this.#abort.signal.aborted) throw err;
    }
  }
}
