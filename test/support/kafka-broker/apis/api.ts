/**
 * The contract between the TCP server and the per-API handlers: a handler reads a request body (everything
 * after the request header) and returns the response body (everything after the response header's
 * correlation id), or null when the protocol says no response is sent (Produce with acks=0).
 */
import type { BrokerState } from '../broker-state.js';
import type { KafkaReader, KafkaWriter } from '../codec.js';
import type { GroupCoordinator } from '../group-coordinator.js';
import type { ConnectionAuth } from '../sasl/session.js';

/** Kafka API keys (protocol guide, "Api Keys"). */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  InitProducerId: 22,
  SaslAuthenticate: 36,
} as const;

/** The single node of this cluster, as Metadata and FindCoordinator describe it. */
export interface BrokerNode {
  nodeId: number;
  host: string;
  port: number;
}

/** The version range of one API, as ApiVersions advertises it. */
export interface ApiRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** What a handler may use while serving one request. */
export interface RequestContext {
  apiVersion: number;
  clientId: string;
  /** Address of the client, reported by DescribeGroups. */
  clientHost: string;
  state: BrokerState;
  groups: GroupCoordinator;
  node: BrokerNode;
  /** Every API the broker serves, for ApiVersions. */
  supportedApis: readonly ApiRange[];
  /** The connection's SASL state (SaslHandshake and SaslAuthenticate drive it). */
  auth: ConnectionAuth;
  /** Aborted when the connection closes or the broker stops, so long polls end early. */
  signal: AbortSignal;
}

/** One Kafka API and the versions of it this broker serves. */
export interface ApiHandler extends ApiRange {
  name: string;
  handle(request: KafkaReader, ctx: RequestContext): Promise<KafkaWriter | null> | KafkaWriter | null;
}

/** Kafka's value for "authorized operations not requested" (Metadata v8, DescribeGroups v3). */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
