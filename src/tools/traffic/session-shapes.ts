import type { Exchange, TcpSessionOptions } from './conversation-emitter.js';
import type { Prng } from './prng.js';

/**
 * Typical shapes of benign TCP sessions: how many rounds, how big, how they end. Sizes are
 * log-normal because transfer sizes on real networks are heavy-tailed (a few large objects
 * among many small ones); the medians are plausible, not measured.
 */
export interface SessionShapeInput {
  rttUs: number;
  /** Round-trip of an internal hop; when set, the session is on the LAN. */
  lan?: boolean;
}

/** Picks how a session ends: mostly orderly FINs from either side, sometimes an abort. */
function closing(rng: Prng, rstShare: number): TcpSessionOptions['close'] {
  const r = rng.next();
  if (r < rstShare) return 'client-rst';
  return r < rstShare + (1 - rstShare) * 0.6 ? 'client-fin' : 'server-fin';
}

/** A TLS 1.3 handshake as one round: ClientHello, then ServerHello with certificates. */
function tlsHandshake(rng: Prng): Exchange {
  return {
    request: Math.round(rng.logNormal(517, 0.08)),
    response: Math.round(rng.logNormal(2900, 0.3)),
    serverUs: rng.uniform(200, 1500),
    thinkUs: rng.uniform(100, 800),
  };
}

/** Browsing one site over HTTPS (or plain HTTP): a handshake and a few request/response rounds. */
export function browseShape(rng: Prng, input: SessionShapeInput, tls: boolean): TcpSessionOptions {
  const exchanges: Exchange[] = tls ? [tlsHandshake(rng)] : [];
  const rounds = 1 + Math.min(Math.floor(rng.exponential(0.6)), 8);
  for (let i = 0; i < rounds; i++) {
    exchanges.push({
      request: Math.round(rng.logNormal(650, 0.5)),
      response: Math.round(Math.min(rng.logNormal(4000, 1.3), 1_000_000)),
      serverUs: rng.logNormal(15_000, 0.9),
      thinkUs: rng.chance(0.7) ? rng.logNormal(80_000, 1) : rng.logNormal(4_000_000, 0.8),
    });
  }
  return { rttUs: input.rttUs, rateBps: rng.logNormal(25e6, 0.8), exchanges, close: closing(rng, 0.08) };
}

/** An API call between services or from a partner: one to three small JSON rounds. */
export function apiShape(rng: Prng, input: SessionShapeInput, tls: boolean): TcpSessionOptions {
  const exchanges: Exchange[] = tls ? [tlsHandshake(rng)] : [];
  const rounds = rng.int(1, 3);
  for (let i = 0; i < rounds; i++) {
    exchanges.push({
      request: Math.round(rng.logNormal(420, 0.7)),
      response: Math.round(rng.logNormal(1800, 1.1)),
      serverUs: rng.logNormal(input.lan ? 4_000 : 25_000, 0.8),
      thinkUs: rng.logNormal(20_000, 1),
    });
  }
  return { rttUs: input.rttUs, rateBps: rng.logNormal(80e6, 0.5), exchanges, close: closing(rng, 0.03) };
}

/** An interactive SSH session: a key exchange, then keystrokes echoed back with human pauses. */
export function sshShape(rng: Prng, input: SessionShapeInput): TcpSessionOptions {
  const exchanges: Exchange[] = [
    { request: 1400, response: 1100, serverUs: 3000, thinkUs: 20_000 },
    { request: 600, response: 700, serverUs: 8000, thinkUs: rng.logNormal(1_500_000, 0.5) },
  ];
  const keystrokes = rng.int(8, 30);
  for (let i = 0; i < keystrokes; i++) {
    const output = rng.chance(0.15) ? Math.round(rng.logNormal(2500, 1)) : 36 + 16 * rng.int(0, 3);
    exchanges.push({ request: 36, response: output, serverUs: 300, thinkUs: rng.logNormal(350_000, 1) });
  }
  return { rttUs: input.rttUs, rateBps: 50e6, exchanges, close: 'client-fin' };
}

/** A short database connection: startup/auth, a few queries, terminate. */
export function databaseShape(rng: Prng, input: SessionShapeInput): TcpSessionOptions {
  const exchanges: Exchange[] = [
    {
      request: rng.int(80, 120),
      response: rng.int(300, 420),
      serverUs: rng.uniform(500, 2000),
      thinkUs: 200,
    },
  ];
  const queries = rng.int(1, 3);
  for (let i = 0; i < queries; i++) {
    exchanges.push({
      request: Math.round(rng.logNormal(260, 0.6)),
      response: Math.round(rng.logNormal(1500, 1.3)),
      serverUs: rng.logNormal(2500, 1),
      thinkUs: rng.logNormal(1500, 1),
    });
  }
  return { rttUs: input.rttUs, rateBps: 400e6, exchanges, close: 'client-fin' };
}

/** A device uploading one object (a camera snapshot) over TLS and getting a short reply. */
export function uploadShape(rng: Prng, input: SessionShapeInput, medianBytes: number): TcpSessionOptions {
  return {
    rttUs: input.rttUs,
    rateBps: rng.logNormal(6e6, 0.4),
    exchanges: [
      tlsHandshake(rng),
      {
        request: Math.round(rng.logNormal(medianBytes, 0.4)),
        response: rng.int(90, 400),
        serverUs: 20_000,
        thinkUs: 0,
      },
    ],
    close: 'client-fin',
  };
}
