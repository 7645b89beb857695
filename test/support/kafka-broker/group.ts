/**
 * State of one consumer group as the group coordinator sees it (the classic rebalance protocol, KIP-62 /
 * KIP-394): members, the generation, the chosen protocol and the leader. Transitions live in
 * {@link GroupCoordinator}; this file holds the data and the pure choices made at the end of a join round.
 */
import type { ErrorCodeValue } from './error-codes.js';

/**
 * Group states, named as in Kafka's GroupCoordinator: `Empty` (no members), `PreparingRebalance` (waiting for
 * members to send JoinGroup), `CompletingRebalance` (waiting for the leader's SyncGroup) and `Stable`.
 */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';

/** One entry of JoinGroup's `protocols`: an assignor name and the member's subscription metadata. */
export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

/** What a JoinGroup request resolves to; mirrors the JoinGroup response fields. */
export interface JoinResult {
  errorCode: ErrorCodeValue;
  generationId: number;
  protocolName: string | null;
  leaderId: string;
  memberId: string;
  /** Filled for the leader only: every member with its metadata for the chosen protocol. */
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

/** What a SyncGroup request resolves to. */
export interface SyncResult {
  errorCode: ErrorCodeValue;
  assignment: Buffer;
}

/** A group member and the requests it has parked at the coordinator. */
export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: GroupProtocol[];
  assignment: Buffer;
  /** Set while the member's JoinGroup waits for the join round to end. */
  awaitingJoin: ((result: JoinResult) => void) | null;
  /** Set while the member's SyncGroup waits for the leader's assignment. */
  awaitingSync: ((result: SyncResult) => void) | null;
  sessionTimer: NodeJS.Timeout | null;
}

/** One consumer group. */
export class Group {
  readonly groupId: string;
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED (JoinGroup v4+, KIP-394) and not yet used to join. */
  readonly pendingMemberIds = new Set<string>();
  /** Fires when the join round must end even though some members have not rejoined. */
  joinDeadline: NodeJS.Timeout | null = null;

  constructor(groupId: string) {
    this.groupId = groupId;
  }

  /** True when every member has a JoinGroup parked, so the round can end now. */
  allMembersJoined(): boolean {
    for (const m of this.members.values()) if (m.awaitingJoin === null) return false;
    return true;
  }

  /** The join round waits at most as long as the longest rebalance timeout any member asked for. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /**
   * Whether a member with these protocols could join: it must offer at least one protocol every current member
   * also offers, otherwise no assignor could serve the group (INCONSISTENT_GROUP_PROTOCOL).
   */
  supportsProtocols(protocolType: string, protocols: GroupProtocol[]): boolean {
    if (protocols.length === 0) return false;
    if (this.members.size === 0) return true;
    if (protocolType !== this.protocolType) return false;
    return this.candidateProtocols(protocols.map((p) => p.name)).length > 0;
  }

  /** Protocol names offered by every member (and by `extra`, when given), in `extra`'s order. */
  candidateProtocols(extra?: string[]): string[] {
    const lists = [...this.members.values()].map((m) => m.protocols.map((p) => p.name));
    const base = extra ?? lists[0] ?? [];
    return base.filter((name) => lists.every((names) => names.includes(name)));
  }

  /**
   * Picks the protocol as Kafka does: among the protocols all members support, each member votes for the one
   * it lists first, and the most votes win (ties go to the earlier candidate).
   */
  selectProtocol(): string | null {
    const candidates = this.candidateProtocols();
    if (candidates.length === 0) return null;
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => votes.has(p.name));
      if (choice !== undefined) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let best = candidates[0];
    for (const c of candidates) if ((votes.get(c) ?? 0) > (votes.get(best) ?? 0)) best = c;
    return best;
  }

  /** Metadata a member sent for the chosen protocol, for the leader's JoinGroup response. */
  metadataFor(member: Member): Buffer {
    return member.protocols.find((p) => p.name === this.protocolName)?.metadata ?? Buffer.alloc(0);
  }
}
