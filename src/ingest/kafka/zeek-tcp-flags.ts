import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../core/flow-record.js';

/**
 * Flags implied by Zeek `history` letters, per the conn.log documentation: upper case is the
 * originator, lower case the responder. `d` (a packet with payload) is taken as PSH, the nearest
 * flag; letters about checksums, retransmissions, windows and gaps imply no flag.
 */
const HISTORY_FLAGS: Readonly<Record<string, number>> = {
  s: TCP_SYN,
  h: TCP_SYN | TCP_ACK,
  a: TCP_ACK,
  d: TCP_PSH,
  f: TCP_FIN,
  r: TCP_RST,
};

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
      // ASCII letters differ in case by bit 0x20 alone; non-letters map to no flag below.
      const flags = HISTORY_FLAGS[String.fromCharCode(code | 0x20)];
      if (flags === undefined) continue;
      if (code & 0x20) rev |= flags;
      else fwd |= flags;
    }
    return { fwd, rev };
  }
  return connState === undefined ? undefined : STATE_FLAGS.get(connState);
}
