import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../core/flow-record.js';

/**
 * Flags implied by Zeek `history` letters, per the conn.log documentation: upper case is the
 * originator, lower case the responder. `d` (a packet with payload) is taken as PSH, the nearest
 * flag; letters about checksums, retransmissions, windows and gaps imply no flag. Indexed by the
 * lower-case letter's code; every other code implies nothing.
 */
const HISTORY_FLAGS = new Uint8Array(128);
HISTORY_FLAGS[0x73] = TCP_SYN; // s
HISTORY_FLAGS[0x68] = TCP_SYN | TCP_ACK; // h
HISTORY_FLAGS[0x61] = TCP_ACK; // a
HISTORY_FLAGS[0x64] = TCP_PSH; // d
HISTORY_FLAGS[0x66] = TCP_FIN; // f
HISTORY_FLAGS[0x72] = TCP_RST; // r

/** Flags of one history letter's code; ASCII letters differ in case by bit 0x20 alone. */
function letterFlags(code: number): number {
  return code < 128 ? HISTORY_FLAGS[code | 0x20] : 0;
}

/**
 * Originator flags in the low byte and responder flags in the next of the `history` text held in
 * `bytes[from, to)`, for readers that never make the text a string.
 */
export function historyFlagBytes(bytes: Uint8Array, from: number, to: number): number {
  let fwd = 0;
  let rev = 0;
  for (let i = from; i < to; i++) {
    const code = bytes[i];
    if (code & 0x20) rev |= letterFlags(code);
    else fwd |= letterFlags(code);
  }
  return fwd | (rev << 8);
}

/**
 * Flags implied by `conn_state` alone, used only when `history` is missing (it is optional in
 * conn.log). [originator, responder].
 */
const STATE_FLAGS: ReadonlyMap<string, Readonly<{ fwd: number; rev: number }>> = new Map(
  (
    [
      ['S0', TCP_SYN, 0],
      ['S1', TCP_SYN | TCP_ACK, TCP_SYN | TCP_ACK],
      ['SF', TCP_SYN | TCP_ACK | TCP_FIN, TCP_SYN | TCP_ACK | TCP_FIN],
      ['REJ', TCP_SYN, TCP_RST | TCP_ACK],
      ['RSTO', TCP_SYN | TCP_ACK | TCP_RST, TCP_SYN | TCP_ACK],
      ['RSTR', TCP_SYN | TCP_ACK, TCP_SYN | TCP_ACK | TCP_RST],
      ['RSTOS0', TCP_SYN | TCP_RST, 0],
      ['RSTRH', 0, TCP_SYN | TCP_ACK | TCP_RST],
      ['SH', TCP_SYN | TCP_FIN, 0],
      ['SHR', 0, TCP_SYN | TCP_ACK | TCP_FIN],
    ] as const
  ).map(([state, fwd, rev]) => [state, Object.freeze({ fwd, rev })]),
);

/**
 * Originator (fwd) and responder (rev) TCP flags of a Zeek connection, when Zeek says anything.
 * The result is read-only: from `conn_state` alone it is a shared constant, not a new object.
 */
export function zeekTcpFlags(
  history: string | undefined,
  connState: string | undefined,
): Readonly<{ fwd: number; rev: number }> | undefined {
  if (history !== undefined) {
    let fwd = 0;
    let rev = 0;
    for (let i = 0; i < history.length; i++) {
      const code = history.charCodeAt(i);
      if (code & 0x20) rev |= letterFlags(code);
      else fwd |= letterFlags(code);
    }
    return { fwd, rev };
  }
  return connState === undefined ? undefined : STATE_FLAGS.get(connState);
}
