import { InputError } from '../../core/errors.js';

/**
 * A capture damaged at `byteOffset` while reading packet number `packet` (1-based). Message:
 * `capture.pcap: truncated packet record at byte 1048576 (packet 9213): header says 1514 bytes, 312 remain`.
 */
export function corruptCapture(
  path: string,
  reason: string,
  what: string,
  byteOffset: number,
  packet: number,
  detail: string,
): InputError {
  return new InputError(
    'TAPWATCH_INPUT_CORRUPT',
    reason,
    `${path}: ${what} at byte ${byteOffset} (packet ${packet}): ${detail}`,
  );
}

/** A capture that cannot be opened or is not a capture at all. */
export function unreadableCapture(path: string, detail: string, cause?: unknown): InputError {
  return new InputError('TAPWATCH_INPUT_UNREADABLE', 'unreadable', `${path}: ${detail}`, { cause });
}
