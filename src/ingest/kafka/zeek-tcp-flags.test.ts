import { describe, expect, it } from 'vitest';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../core/flow-record.js';
import { zeekTcpFlags } from './zeek-tcp-flags.js';

describe('zeekTcpFlags', () => {
  it('reads originator and responder flags from history letters', () => {
    expect(zeekTcpFlags('ShADadFf', 'SF')).toEqual({
      fwd: TCP_SYN | TCP_ACK | TCP_PSH | TCP_FIN,
      rev: TCP_SYN | TCP_ACK | TCP_PSH | TCP_FIN,
    });
  });

  it('falls back to conn_state, and knows only real states', () => {
    expect(zeekTcpFlags(undefined, 'REJ')).toEqual({ fwd: TCP_SYN, rev: TCP_RST | TCP_ACK });
    expect(zeekTcpFlags(undefined, 'OTH')).toBeUndefined();
    // Not an inherited property of a lookup object either.
    expect(zeekTcpFlags(undefined, 'constructor')).toBeUndefined();
    expect(zeekTcpFlags(undefined, undefined)).toBeUndefined();
  });
});
