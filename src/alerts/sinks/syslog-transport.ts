/** Counters of one syslog transport since it was created. */
export interface SyslogTransportStats {
  /** Messages handed to the OS (TCP: written to the socket; UDP: datagram sent). */
  sent: number;
  /** Messages lost: queue full (oldest dropped), or still queued when `close()` gave up. */
  dropped: number;
  /** Failed connects (TCP) or failed sends (UDP). */
  failures: number;
  /** Messages waiting to be sent. */
  queued: number;
}

/**
 * How the syslog sink moves framed messages: UDP datagrams or a reconnecting TCP stream.
 * `send` never blocks and never throws for network trouble: the transport queues, counts and
 * logs, so a dead collector cannot stall detection.
 */
export interface SyslogTransport {
  /** Queue one framed message. Throws only after `close()`. */
  send(frame: Buffer): void;
  /** Wait until everything queued so far left the process, at most `timeoutMs`; throws on timeout. */
  flush(timeoutMs: number): Promise<void>;
  /** Flush (bounded), then release the socket. Every call returns the same promise. */
  close(timeoutMs: number): Promise<void>;
  stats(): SyslogTransportStats;
}
