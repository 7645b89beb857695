import { corruptCapture, unreadableCapture } from './capture-errors.js';
import type { CaptureReader } from './capture-reader.js';
import { ChunkedFile, DEFAULT_CHUNK_BYTES } from './chunked-file.js';
import { PcapReader } from './pcap-reader.js';
import { PcapngReader } from './pcapng-reader.js';

/** Options for {@link openCapture}. */
export interface OpenCaptureOptions {
  /** Read size in bytes (default 4 MiB); records larger than this grow the buffer. */
  chunkBytes?: number;
}

/**
 * Opens a capture file and picks the reader by the magic number in its first bytes, never by the
 * file name: classic pcap (µs a1b2c3d4 / ns a1b23c4d, either byte order) or pcapng (0a0d0d0a).
 * Throws `InputError` TAPWATCH_INPUT_UNREADABLE for a missing, empty or unknown file.
 */
export async function openCapture(path: string, options: OpenCaptureOptions = {}): Promise<CaptureReader> {
  const file = await ChunkedFile.open(path, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  try {
    await file.fill(24);
    return sniff(file);
  } catch (err) {
    await file.close();
    throw err;
  }
}

function sniff(file: ChunkedFile): CaptureReader {
  const buf = file.buf;
  const size = file.end;
  if (size < 4)
    throw unreadableCapture(file.path, `not a capture: ${size} bytes, too short for a magic number`);
  const magic = ((buf[0] << 24) | (buf[1] << 16) | (buf[2] << 8) | buf[3]) >>> 0;
  if (magic === 0x0a0d0d0a) return new PcapngReader(file);
  const classic = classicByteOrder(magic);
  if (classic === undefined) {
    throw unreadableCapture(
      file.path,
      `not a pcap or pcapng capture: magic 0x${magic.toString(16).padStart(8, '0')}, expected a1b2c3d4, a1b23c4d or 0a0d0d0a`,
    );
  }
  if (size < 24) {
    throw corruptCapture(
      file.path,
      'truncated',
      'truncated file header',
      0,
      1,
      `24 bytes expected, ${size} remain`,
    );
  }
  return new PcapReader(file, classic.littleEndian, classic.nanoseconds);
}

function classicByteOrder(magic: number): { littleEndian: boolean; nanoseconds: boolean } | undefined {
  switch (magic) {
    case 0xa1b2c3d4:
      return { littleEndian: false, nanoseconds: false };
    case 0xd4c3b2a1:
      return { littleEndian: true, nanoseconds: false };
    case 0xa1b23c4d:
      return { littleEndian: false, nanoseconds: true };
    case 0x4d3cb2a1:
      return { littleEndian: true, nanoseconds: true };
    default:
      return undefined;
  }
}
