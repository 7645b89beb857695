import protobuf from 'protobufjs';

/**
 * goflow2's `FlowMessage` (package `flowpb`), declared in code so nothing has to be loaded from
 * disk at startup. Field numbers are those of goflow2 v2's `pb/flow.proto`, plus the time fields
 * of goflow2 v1 and Cloudflare's goflow that v2 retired (numbers 2, 5, 38, 63, 64 — free in v2, so
 * one schema reads both generations). Only fields tapwatch uses are declared. The daemon reads
 * records with `FlowMessageReader` (same field numbers, no allocation per record); this
 * reflected type encodes fixtures and benchmark input, and checks the reader in its tests.
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

function buildFlowMessage(): protobuf.Type {
  const type = new protobuf.Type('FlowMessage');
  for (const [name, id, fieldType] of FIELDS) type.add(new protobuf.Field(name, id, fieldType));
  // Resolving inside a root lets protobufjs generate its decoder for the type.
  new protobuf.Root().define('flowpb').add(type);
  return type;
}

/** The reflected `flowpb.FlowMessage` type; `encode` is what tests use to build fixtures. */
export const FLOW_MESSAGE: protobuf.Type = buildFlowMessage();
