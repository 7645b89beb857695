// Synthetic flows as Kafka message values, for the Kafka benchmarks (bench/kafka.js, bench/kafka-decode.js).
import { FLOW_MESSAGE } from '../dist/ingest/kafka/goflow2-schema.js';

const ip4 = (text) => Buffer.from(text.split('.').map(Number));
/**
 * The Kafka message value of flow `f` in `format`: a length-delimited goflow2 `FlowMessage` for `goflow2-pb`,
 * a Zeek conn.log JSON record otherwise. `f` has epoch-ms `start` and `end`, IPv4 `src` and `dst` text,
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
  return Buffer.from(
    JSON.stringify({
      ts: f.start / 1000,
      'id.orig_h': f.src,
      'id.orig_p': f.sport,
      'id.resp_h': f.dst,
      'id.resp_p': f.dport,
      proto: f.proto === 6 ? 'tcp' : 'udp',
      duration: (f.end - f.start) / 1000,
      conn_state: f.flags === 2 ? 'S0' : 'SF',
      orig_pkts: f.pktsFwd,
      orig_ip_bytes: f.bytesFwd,
      resp_pkts: f.pktsRev,
      resp_ip_bytes: f.bytesRev,
    }),
  );
}
