/** Capture container formats, as `FlowRecord.source.format` names them. */
export type CaptureFormat = 'pcap' | 'pcapng';

/**
 * Pull-style reader over one capture file. The caller alternates:
 *
 * ```ts
 * while (await reader.fill()) while (reader.next()) use(reader.data, reader.offset, reader.capLen);
 * ```
 *
 * `next()` is synchronous and allocation-free: it points the packet fields at the next record in
 * the current chunk and returns false when the chunk holds no complete record. The packet bytes
 * are `data[offset .. offset + capLen)` and stay valid only until the next `next()` / `fill()`.
 * A truncated or corrupt file throws `InputError` (TAPWATCH_INPUT_CORRUPT) only after every
 * packet before the damage was handed out.
 */
export interface CaptureReader {
  readonly format: CaptureFormat;
  readonly path: string;
  /** Buffer holding the current packet (changes when the reader grows its chunk). */
  readonly data: Buffer;
  readonly offset: number;
  /** Captured bytes of the current packet. */
  readonly capLen: number;
  /** Length on the wire. */
  readonly origLen: number;
  /** Timestamp, epoch milliseconds (float; sub-millisecond precision kept). */
  readonly tsMs: number;
  /** LINKTYPE_* of the packet's interface. */
  readonly linkType: number;
  /** 1-based index of the current packet in the file (0 before the first). */
  readonly packetIndex: number;
  /** Advances to the next complete packet in the buffered data; false when more must be read. */
  next(): boolean;
  /** Reads the next chunk; false at a clean end of file. Throws InputError on a damaged tail. */
  fill(): Promise<boolean>;
  /** Releases the file; idempotent. */
  close(): Promise<void>;
}

/** Captured lengths above this are corruption, whatever the header's snaplen says. */
export const MAX_CAPTURED_BYTES = 256 * 1024;
