import protobuf from 'protobufjs';

/**
 * goflow2's `FlowMessage` (package `flowpb`), declared in code so nothing has to be loaded from
 * disk at startup. Field numbers are those of goflow2 v2's `pb/flow.proto`, plus the time fields
 * of goflow2 v1 and Cloudflare's goflow that v2 retired (numbers 2, 5, 38, 63, 64 — free in v2, so
 * one schema reads both generations). Only fields tapwatch uses are declared; protobufjs skips
 * the rest (MACs, AS paths, MPLS ...) by wire type.
 */
const FIELDS: ReadonlyArray<[name: string, id: number, type: string]> = [
  ['type', 1, 'int32'],
  ['time_received', 2, 'uint64'],
  ['sampling_rate', 3, 'uint64'],
  ['sequence_num', 4, 'uint32'],
  ['time_flow_end', 5, 'uint64'],
  ['src_addr', 6, 'bytes'],
  ['dst_addr', 7, 'bytes'],
  ['bytes', 9, 'uint64'],
  ['packets', 10, 'uint64'],
  ['sampler_address', 11, 'bytes'],
  ['in_if', 18, 'uint32'],
  ['out_if', 19, 'uint32'],
  ['proto', 20, 'uint32'],
  ['src_port', 21, 'uint32'],
  ['dst_port', 22, 'uint32'],
  ['tcp_flags', 26, 'uint32'],
  ['vlan_id', 29, 'uint32'],
  ['etype', 30, 'uint32'],
  ['icmp_type', 31, 'uint32'],
  ['icmp_code', 32, 'uint32'],
  ['src_vlan', 33, 'uint32'],
  ['dst_vlan', 34, 'uint32'],
  ['time_flow_start', 38, 'uint64'],
  ['time_flow_start_ms', 63, 'uint64'],
  ['time_flow_end_ms', 64, 'uint64'],
  ['time_received_ns', 110, 'uint64'],
  ['time_flow_start_ns', 111, 'uint64'],
  ['time_flow_end_ns', 112, 'uint64'],
];

/** A 64-bit field as protobufjs hands it over: a number, or a Long when `long` is installed. */
export type Uint64Value = number | { toNumber(): number };

/** The decoded message, with the declared fields under their proto names (proto3: absent = 0). */
export interface FlowMessageFields {
  type: number;
  time_received: Uint64Value;
  sampling_rate: Uint64Value;
  sequence_num: number;
  time_flow_end: Uint64Value;
  src_addr: Uint8Array;
  dst_addr: Uint8Array;
  bytes: Uint64Value;
  packets: Uint64Value;
  sampler_address: Uint8Array;
  in_if: number;
  out_if: number;
  proto: number;
  src_port: number;
  dst_port: number;
  tcp_flags: number;
  vlan_id: number;
  etype: number;
  icmp_type: number;
  icmp_code: number;
  src_vlan: number;
  dst_vlan: number;
  time_flow_start: Uint64Value;
  time_flow_start_ms: Uint64Value;
  time_flow_end_ms: Uint64Value;
  time_received_ns: Uint64Value;
  time_flow_start_ns: Uint64Value;
  time_flow_end_ns: Uint64Value;
}

function buildFlowMessage(): protobuf.Type {
  const type = new protobuf.Type('FlowMessage');
  for (const [name, id, fieldType] of FIELDS) type.add(new protobuf.Field(name, id, fieldType));
  // Resolving inside a root lets protobufjs generate its decoder for the type.
  new protobuf.Root().define('flowpb').add(type);
  return type;
}

/** The reflected `flowpb.FlowMessage` type; `encode` is what tests use to build fixtures. */
export const FLOW_MESSAGE: protobuf.Type = buildFlowMessage();

/** Plain number of a decoded 64-bit field; values above 2^53 lose low bits, well below 1 ns. */
export function uint64Number(value: Uint64Value): number {
  return typeof value === 'number' ? value : value.toNumber();
}
