// Synthetic flows as Kafka message values, for the Kafka benchmarks (bench/kafka.js, bench/kafka-decode.js).
import { FLOW_MESSAGE } from '../dist/ingest/kafka/goflow2-schema.js';

const ip4 = (text) => Buffer.from(text.split('.').map(Number));
/**
 * The Kafka message value of flow `f` in `format`: a length-delimited goflow2 `FlowMessage` for `goflow2-pb`,
 * a Zeek conn.log JSON record with every field Zeek writes otherwise. `f` has epoch-ms `start` and `end`, IPv4 `src` and `dst` text,
 * `sport`, `dport`, `proto`, per-direction `bytesFwd`, `pktsFwd`, `bytesRev`, `pktsRev`, and TCP `flags`
 * (2 alone: a SYN probe, written as Zeek's S0).
 */
export function encodeFlowMessage(f, format) {
  if (format === 'goflow2-pb') {
    return Buffer.from(
      FLOW_MESSAGE.encodeDelimited(
        FLOW_MESSAGE.create({
          type: 3,
          time_flow_start_ns: f.start * 1e6,
          time_flow_end_ns: f.end * 1e6,
          src_addr: ip4(f.src),
          dst_addr: ip4(f.dst),
          bytes: f.bytesFwd + f.bytesRev,
          packets: f.pktsFwd + f.pktsRev,
          proto: f.proto,
          src_port: f.sport,
          dst_port: f.dport,
          tcp_flags: f.flags,
          sampling_rate: 1,
        }),
      ).finish(),
    );
  }
  // Every field of a conn.log record, in the order and form Zeek's JSON writer uses.
  const probe = f.flags === 2;
  const tcp = f.proto === 6;
  return Buffer.from(
    JSON.stringify({
      ts: f.start / 1000,
      uid: uid(f),
      'id.orig_h': f.src,
      'id.orig_p': f.sport,
      'id.resp_h': f.dst,
      'id.resp_p': f.dport,
      proto: tcp ? 'tcp' : 'udp',
      service: SERVICES[f.dport] ?? '-',
      duration: (f.end - f.start) / 1000,
      orig_bytes: Math.max(0, f.bytesFwd - f.pktsFwd * (tcp ? 52 : 28)),
      resp_bytes: Math.max(0, f.bytesRev - f.pktsRev * (tcp ? 52 : 28)),
      conn_state: probe ? 'S0' : 'SF',
      local_orig: true,
      local_resp: true,
      missed_bytes: 0,
      history: probe ? 'S' : tcp ? 'ShADadFf' : 'Dd',
      orig_pkts: f.pktsFwd,
      orig_ip_bytes: f.bytesFwd,
      resp_pkts: f.pktsRev,
      resp_ip_bytes: f.bytesRev,
    }),
  );
}

/** Zeek's service names of the benches' server ports. */
const SERVICES = { 22: 'ssh', 53: 'dns', 80: 'http', 443: 'ssl' };
const UID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An 18-character connection uid (`C` and 17 base-62 characters), as Zeek gives each connection. */
function uid(f) {
  let n = (Math.floor(f.start) % 1_000_000_007) * 65_537 + f.sport;
  let text = 'C';
  for (let i = 0; i < 17; i++) {
    text += UID_ALPHABET[n % 62];
    n = Math.floor(n / 62) + i * 7_919;
  }
  return text;
}
