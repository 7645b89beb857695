/**
 * Version of the feature layout below. A saved model records it with its feature names and
 * must refuse to load when either differs: bump it whenever a feature's meaning, unit or
 * position changes.
 */
export const FEATURE_SCHEMA_VERSION = 'tapwatch-features/2';

/** AfterImage's decay rates (1/s), the config default. */
export const DEFAULT_LAMBDAS: readonly number[] = [5, 3, 1, 0.1, 0.01];

/**
 * Per-flow basics: duration (s), counters per direction, bytes per packet, protocol and
 * destination-port class indicators (port classes are 0 for protocols without ports),
 * and TCP outcome indicators (SYN-only from the initiator, RST seen, no reply packets).
 */
export const FLOW_FEATURES = [
  'duration_s',
  'bytes_fwd',
  'bytes_rev',
  'pkts_fwd',
  'pkts_rev',
  'bytes_per_pkt_fwd',
  'bytes_per_pkt_rev',
  'is_tcp',
  'is_udp',
  'is_icmp',
  'dport_well_known',
  'dport_registered',
  'tcp_syn_only',
  'tcp_rst',
  'no_reply',
] as const;

/**
 * Damped statistics per λ, state after this flow (AfterImage, Mirsky et al. 2018), as
 * `[prefix, stats]` blocks; each block repeats its stats for every λ:
 * - `host_*`: flows from the source host; w and mean/std of bytes sent per flow.
 * - `pair_*`: flows from source to destination host; w, and 2-D stats of forward vs reverse
 *   bytes per flow: magnitude, radius, covariance, correlation.
 * - `pair_iat_*`: mean/std of the inter-arrival time (s) between the pair's flows; a low std
 *   over many flows means periodic traffic, e.g. beaconing.
 * - `socket_*`: flows on the same (protocol, src ip:port, dst ip:port); w.
 *
 * Every w is extrapolated over the part of its decay's memory from before the segment's first
 * flow (version 2; see `HostStatistics.write`): a segment's first minutes weigh like the rest.
 */
export const DAMPED_FEATURE_BLOCKS: readonly (readonly [string, readonly string[]])[] = [
  ['host', ['w', 'bytes_mean', 'bytes_std']],
  ['pair', ['w', 'magnitude', 'radius', 'cov', 'corr']],
  ['pair', ['iat_mean', 'iat_std']],
  ['socket', ['w']],
];

/** The source host's distinct destination hosts and ports over the fan-out window. */
export const FANOUT_FEATURES = ['src_fanout_dst_hosts', 'src_fanout_dst_ports'] as const;

/** The segment's shortest window after this flow (see SegmentWindowStats). */
export const SEGMENT_FEATURES = [
  'seg_flows',
  'seg_bytes',
  'seg_packets',
  'seg_distinct_dst_hosts',
  'seg_distinct_dst_ports',
  'seg_distinct_src_hosts',
  'seg_syn_only_ratio',
  'seg_failed_ratio',
  'seg_dst_port_entropy',
] as const;

/**
 * Column names of a feature row for the given decay rates, in row order: flow basics, then
 * the damped blocks (each λ in config order, e.g. `pair_iat_std_l0.1`), then
 * fan-out, then segment window stats: 26 + 11 per λ columns (81 with the default λs).
 */
export function featureNames(lambdas: readonly number[]): readonly string[] {
  const names: string[] = [...FLOW_FEATURES];
  for (const [table, stats] of DAMPED_FEATURE_BLOCKS) {
    for (const lambda of lambdas) for (const stat of stats) names.push(`${table}_${stat}_l${lambda}`);
  }
  names.push(...FANOUT_FEATURES, ...SEGMENT_FEATURES);
  return Object.freeze(names);
}

/** Feature names with the default decay rates. */
export const FEATURE_NAMES: readonly string[] = featureNames(DEFAULT_LAMBDAS);
